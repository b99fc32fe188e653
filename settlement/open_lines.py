"""The open lines of a settlement run, in SQL: summed per hospital × supplier, then claimed.

A province's month is 600,000 lines; none of them becomes a Python object. The queries are
plain SQL shared by SQLite and PostgreSQL (integer arithmetic: the quantity is cast to BIGINT
before it meets the price, so a large line cannot overflow 32 bits on PostgreSQL).
"""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from settlement.models import SettlementRun

#: a line's gross in fen: net accepted quantity × contract price (1/10000 yuan), half up — SQL
#: for ``core.money.line_amount_fen`` over acceptance ``a`` and contract ``c`` (the one definition)
LINE_GROSS = "(CAST(a.quantity - a.returned AS BIGINT) * c.ucp_e4 + 50) / 100"
#: applied lines of the batch accepted before the month's end with no payable yet
_OPEN = ("FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id"
         " WHERE a.batch_id = :batch AND a.applied_month IS NOT NULL AND a.accepted_on < :end"
         f" AND {LINE_GROSS} > 0"
         " AND NOT EXISTS (SELECT 1 FROM settlement_payable p WHERE p.acceptance_id = a.id AND p.kind = 'delivery')")
_SHARES = text("SELECT a.hospital_org_id, a.supplier_org_id,"
               f" SUM(CASE WHEN a.reconcile_status = 'confirmed' THEN {LINE_GROSS} ELSE 0 END),"
               " SUM(CASE WHEN a.reconcile_status = 'confirmed' THEN 1 ELSE 0 END),"
               " SUM(CASE WHEN a.reconcile_status = 'confirmed' THEN 0 ELSE 1 END) "
               f"{_OPEN} GROUP BY a.hospital_org_id, a.supplier_org_id"
               ).bindparams(bindparam("end", type_=Date))
_CLAIM = text("INSERT INTO settlement_payable (acceptance_id, kind, run_id, quantity, gross_fen)"
              f" SELECT a.id, 'delivery', :run, a.quantity - a.returned, {LINE_GROSS} {_OPEN}"
              " AND a.reconcile_status = 'confirmed'").bindparams(bindparam("end", type_=Date))


def open_shares(session: Session, batch_id: int, month_end) -> tuple[list[tuple[int, int, int, int]], int]:
    """Open lines summed per hospital × supplier — (hospital id, supplier id, gross fen, lines)
    of the confirmed ones — and how many applied lines wait (pending or disputed): one
    ``GROUP BY`` in the database, no Python object per line."""
    rows = session.execute(_SHARES, {"batch": batch_id, "end": month_end}).all()
    return [(h, s, int(g), int(n)) for h, s, g, n, _w in rows if n], sum(int(w) for *_x, w in rows)


# Why the claim turns nested loops off on PostgreSQL: the statement inserts into the table its
# anti-join reads. On a young table (analysed while empty) the planner picks a nested loop with
# a sequential scan of settlement_payable per line — and that table grows as the statement
# inserts, so the run goes quadratic (measured: > 10 minutes for 600,000 lines instead of about
# one second). A hash or merge anti-join reads settlement_payable once, whatever its statistics.


def claim_lines(session: Session, run: SettlementRun, batch_id: int, month_end) -> int:
    """Write the payable key of every line the run settles (one ``INSERT … SELECT``); the count.

    The same lines as :func:`open_shares` read: the run holds the batch's settlement lock
    exclusively, and every change of an applied line takes it shared first."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:  # see the comment above
        session.execute(text("SET LOCAL enable_nestloop = off"))
    claimed = session.execute(_CLAIM, {"batch": batch_id, "end": month_end, "run": run.id}).rowcount
    if postgres:
        session.execute(text("SET LOCAL enable_nestloop = on"))
    return claimed


_CLAWBACKS = text("SELECT a.hospital_org_id, a.supplier_org_id, r.id, r.clawback_fen FROM settlement_return r"
                  " JOIN settlement_acceptance a ON a.id = r.acceptance_id"
                  " WHERE a.batch_id = :batch AND r.clawback_fen > 0 AND r.clawback_run_id IS NULL ORDER BY r.id")


def open_clawbacks(session: Session, batch_id: int) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Returns after settlement not yet netted, per (hospital id, supplier id): (return id, fen)."""
    out: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for hospital, supplier, return_id, fen in session.execute(_CLAWBACKS, {"batch": batch_id}).all():
        out.setdefault((hospital, supplier), []).append((return_id, int(fen)))
    return out


def net_clawbacks(totals: list[tuple[int, int, int, int]], owed: dict[tuple[int, int], list[tuple[int, int]]]
                  ) -> tuple[list[tuple[int, int, int, int, int]], list[int]]:
    """Take each pair's open clawbacks off its new gross when the gross covers them all (else they
    wait for a later run): (hospital, supplier, net gross, lines, clawback) rows and the return
    ids netted. A pair's share therefore never goes negative, and never to zero."""
    rows, netted = [], []
    for hospital, supplier, gross, lines in totals:
        items = owed.get((hospital, supplier), [])
        claw = sum(fen for _r, fen in items)
        if items and gross > claw:
            rows.append((hospital, supplier, gross - claw, lines, claw))
            netted.extend(r for r, _fen in items)
        else:
            rows.append((hospital, supplier, gross, lines, 0))
    return rows, netted
