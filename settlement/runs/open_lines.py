"""The open lines of a settlement run, in SQL: summed per hospital × supplier, then claimed.

A province's month is 600,000 lines; none of them becomes a Python object. The queries are
plain SQL shared by SQLite and PostgreSQL (integer arithmetic: the quantity is cast to BIGINT
before it meets the price, so a large line cannot overflow 32 bits on PostgreSQL).
"""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from settlement.models import SettlementClaim, SettlementRun
from settlement.runs.claims import queue_ends

#: a line's gross in fen: net accepted quantity × contract price (1/10000 yuan), half up — SQL
#: for ``core.money.line_amount_fen`` over acceptance ``a`` and contract ``c`` (the one definition)
LINE_GROSS = "(CAST(a.quantity - a.returned AS BIGINT) * c.ucp_e4 + 50) / 100"
_IN_RANGE = "a.claim_seq > :lo AND a.claim_seq <= :top"
_DUE = "a.accepted_on < :end"
_LINES = ("FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id"
          " WHERE a.batch_id = :batch AND a.applied_month IS NOT NULL")
#: per hospital × supplier: the gross and count of the confirmed lines in the new range (due by
#: the month's end), how many wait (applied, unconfirmed, payable) and how many confirmed lines
#: in the range were accepted after the month's end (they move up the queue, see below).
#: The two kinds of line are two index range scans of ``(batch_id, claim_seq)`` summed again
#: (``UNION ALL``): one ``OR`` between them makes SQLite scan every line of the batch by
#: ``batch_id``, so a run would slow down month by month as settled lines pile up (issue 18).
_SHARES = text("SELECT h, s, CAST(SUM(g) AS BIGINT) AS g, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(c) AS BIGINT) AS c,"
               " CAST(SUM(w) AS BIGINT) AS w, CAST(SUM(l) AS BIGINT) AS l FROM ("
               "SELECT a.hospital_org_id AS h, a.supplier_org_id AS s,"
               f" SUM({LINE_GROSS}) FILTER (WHERE {_DUE}) AS g,"
               f" COUNT(*) FILTER (WHERE {_DUE} AND {LINE_GROSS} > 0) AS n,"
               f" COUNT(*) FILTER (WHERE {_DUE}) AS c, 0 AS w,"
               f" COUNT(*) FILTER (WHERE NOT {_DUE}) AS l"
               f" {_LINES} AND {_IN_RANGE}"
               " GROUP BY a.hospital_org_id, a.supplier_org_id"
               " UNION ALL "
               "SELECT a.hospital_org_id, a.supplier_org_id, NULL, 0, 0, COUNT(*), 0"
               f" {_LINES} AND a.claim_seq IS NULL AND a.reconcile_status <> 'confirmed'"
               f" AND {_DUE} AND {LINE_GROSS} > 0"
               " GROUP BY a.hospital_org_id, a.supplier_org_id"
               ") AS parts GROUP BY h, s").bindparams(bindparam("end", type_=Date))
_MOVE_UP = text("UPDATE settlement_acceptance SET claim_seq = :top + 1 WHERE batch_id = :batch"
                " AND claim_seq > :lo AND claim_seq <= :top AND accepted_on >= :end").bindparams(
    bindparam("end", type_=Date))


#: the temporary table of a run's open lines per hospital × supplier (h, s, g, n, c, w, l as in
#: ``_SHARES``), for the run's transaction: one ``GROUP BY`` the run then reads in SQL
OPEN = "jicai_run_open"


@dataclass(frozen=True)
class OpenLines:
    """What a run finds open in its batch (summed per hospital × supplier in :data:`OPEN`): the
    queue range ``(lo, top]`` of the confirmed lines it settles, how many lines wait for
    reconciliation, and how many the run claims."""

    lo: int | None
    top: int
    waiting: int
    claimed: int  # confirmed lines in the range, 0-fen ones included


def temp_table(session: Session, name: str, select, params: dict | None = None) -> None:
    """A temporary table ``name`` of this transaction made by ``CREATE … AS select`` (a left-over
    one dropped first). ``CREATE TABLE AS`` — not ``INSERT … SELECT`` — lets PostgreSQL read the
    lines with a parallel plan, as the bare ``GROUP BY`` does."""
    pg = session.get_bind().dialect.name == "postgresql"
    select = select if not isinstance(select, str) else text(select)
    session.execute(text(f"DROP TABLE IF EXISTS {name}"))
    session.execute(text(f"CREATE TEMP TABLE {name}{' ON COMMIT DROP' if pg else ''} AS {select.text}")
                    .bindparams(*select._bindparams.values()), params or {})


#: PostgreSQL memory for the run's sorts and hashes (its transaction only): at the default 4 MB
#: the shares' sort by code spills to disk (measured: 145 ms → 59 ms for 48,500 shares)
RUN_WORK_MEM = "64MB"


def roomy(session: Session) -> None:
    """Give the run's transaction :data:`RUN_WORK_MEM` on PostgreSQL (``SET LOCAL``: back to the
    server's setting at commit or rollback); nothing on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{RUN_WORK_MEM}'"))


def open_lines(session: Session, batch_id: int, month_end) -> OpenLines:
    """Sum the open lines per hospital × supplier in one ``GROUP BY`` into :data:`OPEN`; no
    Python object per line (nor per share).

    The range runs from the batch's last claim to the highest place given. Confirmed lines in
    it accepted after the month's end (a late run of an earlier month) are moved above it
    first, so the range holds exactly the lines this run settles."""
    roomy(session)
    lo, top = queue_ends(session, batch_id)
    params = {"batch": batch_id, "end": month_end, "lo": lo or 0, "top": top}
    temp_table(session, OPEN, _SHARES, params)
    waiting, claimed, late = session.execute(text(f"SELECT COALESCE(SUM(w), 0), COALESCE(SUM(c), 0),"
                                                  f" COALESCE(SUM(l), 0) FROM {OPEN}")).one()
    if late:
        session.execute(_MOVE_UP, params)
    return OpenLines(lo, top, int(waiting), int(claimed))


def open_totals(session: Session) -> list[tuple[int, int, int, int]]:
    """(hospital id, supplier id, gross fen, lines > 0 fen) of the pairs in :data:`OPEN` with a
    payable line (the Python path of a run reads them)."""
    return [(int(h), int(s), int(g), int(n)) for h, s, g, n in session.execute(
        text(f"SELECT h, s, g, n FROM {OPEN} WHERE n > 0 ORDER BY h, s")).all()]


def paid_suppliers(session: Session) -> list[int]:
    """The suppliers with a payable line in :data:`OPEN` (the run needs their payee accounts)."""
    return [int(s) for (s,) in session.execute(text(f"SELECT DISTINCT s FROM {OPEN} WHERE n > 0 ORDER BY s")).all()]


def drop_open(session: Session) -> None:
    """Drop :data:`OPEN` (SQLite keeps a temporary table for the connection's life)."""
    session.execute(text(f"DROP TABLE IF EXISTS {OPEN}"))


def claim_lines(session: Session, run: SettlementRun, found: OpenLines) -> None:
    """Record that ``run`` settled the lines of the range (one row, whatever the line count).

    The database refuses a second claim from the same place, so a racing run cannot settle a
    line again even without the lock (see :class:`SettlementClaim`)."""
    if found.claimed:
        session.add(SettlementClaim(batch_id=run.batch_id, run_id=run.id, lo=found.lo, hi=found.top,
                                    line_count=run.line_count))
        session.flush()


#: what suppliers owe back per hospital × supplier, neither netted nor asked back: returns after
#: settlement (``settlement_return``, their clawbacks) and the price differences of supply
#: takeovers (``settlement_price_difference``, ``settlement.runs.differences``), less the credits of
#: those differences for units returned after settlement (``settlement_difference_credit``, a negative
#: ``fen``) — (kind, id, h, s, fen)
OWED = ("SELECT 'return' AS kind, r.id AS id, a.hospital_org_id AS h, a.supplier_org_id AS s, r.clawback_fen AS fen"
        " FROM settlement_return r JOIN settlement_acceptance a ON a.id = r.acceptance_id"
        " WHERE a.batch_id = :batch AND r.clawback_fen > 0 AND r.clawback_run_id IS NULL AND r.refund_id IS NULL"
        " UNION ALL SELECT 'difference', d.id, d.hospital_org_id, d.supplier_org_id, d.amount_fen"
        " FROM settlement_price_difference d WHERE d.batch_id = :batch AND d.amount_fen > 0"
        " AND d.clawback_run_id IS NULL AND d.refund_id IS NULL"
        " UNION ALL SELECT 'credit', k.id, k.hospital_org_id, k.supplier_org_id, -k.amount_fen"
        " FROM settlement_difference_credit k WHERE k.batch_id = :batch AND k.amount_fen > 0"
        " AND k.clawback_run_id IS NULL AND k.refund_id IS NULL")
_CLAWBACKS = text(f"SELECT h, s, kind, id, fen FROM ({OWED}) AS owed ORDER BY kind DESC, id")
RETURN, DIFFERENCE, CREDIT = "return", "difference", "credit"
#: each kind of :data:`OWED` and its table
OWED_TABLES = ((RETURN, "settlement_return"), (DIFFERENCE, "settlement_price_difference"),
               (CREDIT, "settlement_difference_credit"))


class Owed(NamedTuple):
    """One amount a supplier owes back to a hospital's account: a return's clawback or a price
    difference — or, negative, a difference's credit for returned units."""

    kind: str  # RETURN | DIFFERENCE | CREDIT
    id: int  # the return's, the difference's or the credit's id
    fen: int  # < 0 for a credit


def open_clawbacks(session: Session, batch_id: int) -> dict[tuple[int, int], list[Owed]]:
    """What suppliers owe back neither netted nor asked back, per (hospital id, supplier id):
    returns after settlement, then price differences, then credits, each in id order."""
    out: dict[tuple[int, int], list[Owed]] = {}
    for hospital, supplier, kind, row_id, fen in session.execute(_CLAWBACKS, {"batch": batch_id}).all():
        out.setdefault((int(hospital), int(supplier)), []).append(Owed(kind, int(row_id), int(fen)))
    return out


def mark_owed(session: Session, items: list[Owed], **values) -> None:
    """Set ``values`` (``clawback_run_id`` or ``refund_id``) on the returns and differences named."""
    for kind, table in OWED_TABLES:
        ids = [o.id for o in items if o.kind == kind]
        if ids:
            sets = ", ".join(f"{k} = :{k}" for k in values)
            session.execute(text(f"UPDATE {table} SET {sets} WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)), {**values, "ids": ids})


def net_clawbacks(totals: list[tuple[int, int, int, int]], owed: dict[tuple[int, int], list[Owed]]
                  ) -> tuple[list[tuple[int, int, int, int, int]], list[Owed]]:
    """Take each pair's open clawbacks off its new gross when the gross covers them all (else they
    wait for a later run): (hospital, supplier, net gross, lines, clawback) rows and the return
    amounts netted. A pair's share therefore never goes negative, and never to zero. Credits count
    with the opposite sign: a pair owed more than it owes is paid its gross + the credit (the
    share's clawback is then negative)."""
    rows, netted = [], []
    for hospital, supplier, gross, lines in totals:
        items = owed.get((hospital, supplier), [])
        claw = sum(o.fen for o in items)
        if items and gross > claw:
            rows.append((hospital, supplier, gross - claw, lines, claw))
            netted.extend(items)
        else:
            rows.append((hospital, supplier, gross, lines, 0))
    return rows, netted
