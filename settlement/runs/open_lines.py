"""The open lines of a settlement run, in SQL: summed per hospital × supplier, then claimed.

A province's month is 600,000 lines; none of them becomes a Python object. The queries are
plain SQL shared by SQLite and PostgreSQL (integer arithmetic: the quantity is cast to BIGINT
before it meets the price, so a large line cannot overflow 32 bits on PostgreSQL).
"""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from settlement.models import SettlementClaim, SettlementRun
from settlement.runs.claims import queue_ends

#: a line's gross in fen: net accepted quantity × contract price (1/10000 yuan), half up — SQL
#: for ``core.money.line_amount_fen`` over acceptance ``a`` and contract ``c`` (the one definition)
LINE_GROSS = "(CAST(a.quantity - a.returned AS BIGINT) * c.ucp_e4 + 50) / 100"
_IN_RANGE = "a.claim_seq > :lo AND a.claim_seq <= :top"
_DUE = "a.accepted_on < :end"
_QUEUED = "a.claim_seq IS NOT NULL"  # in the WHERE below: confirmed and in the range
#: per hospital × supplier: the gross and count of the confirmed lines in the new range (due by
#: the month's end), how many wait (applied, unconfirmed, payable) and how many confirmed lines
#: in the range were accepted after the month's end (they move up the queue, see below)
_SHARES = text("SELECT a.hospital_org_id, a.supplier_org_id,"
               f" SUM({LINE_GROSS}) FILTER (WHERE {_QUEUED} AND {_DUE}),"
               f" COUNT(*) FILTER (WHERE {_QUEUED} AND {_DUE} AND {LINE_GROSS} > 0),"
               f" COUNT(*) FILTER (WHERE {_QUEUED} AND {_DUE}),"
               f" COUNT(*) FILTER (WHERE NOT {_QUEUED}),"
               f" COUNT(*) FILTER (WHERE {_QUEUED} AND NOT {_DUE})"
               " FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id"
               " WHERE a.batch_id = :batch AND a.applied_month IS NOT NULL"
               f" AND (({_IN_RANGE}) OR (a.claim_seq IS NULL AND a.reconcile_status <> 'confirmed'"
               f" AND {_DUE} AND {LINE_GROSS} > 0))"
               " GROUP BY a.hospital_org_id, a.supplier_org_id").bindparams(bindparam("end", type_=Date))
_MOVE_UP = text("UPDATE settlement_acceptance SET claim_seq = :top + 1 WHERE batch_id = :batch"
                " AND claim_seq > :lo AND claim_seq <= :top AND accepted_on >= :end").bindparams(
    bindparam("end", type_=Date))


@dataclass(frozen=True)
class OpenLines:
    """What a run finds open in its batch: the shares of the confirmed lines in the queue range
    ``(lo, top]``, how many lines wait for reconciliation, and how many the run claims."""

    lo: int | None
    top: int
    totals: list[tuple[int, int, int, int]]  # (hospital id, supplier id, gross fen, lines > 0 fen)
    waiting: int
    claimed: int  # confirmed lines in the range, 0-fen ones included


def open_lines(session: Session, batch_id: int, month_end) -> OpenLines:
    """Sum the open lines per hospital × supplier in one ``GROUP BY``; no Python object per line.

    The range runs from the batch's last claim to the highest place given. Confirmed lines in
    it accepted after the month's end (a late run of an earlier month) are moved above it
    first, so the range holds exactly the lines this run settles."""
    lo, top = queue_ends(session, batch_id)
    params = {"batch": batch_id, "end": month_end, "lo": lo or 0, "top": top}
    rows = session.execute(_SHARES, params).all()
    if any(late for *_x, late in rows):
        session.execute(_MOVE_UP, params)
    totals = [(h, s, int(g), int(n)) for h, s, g, n, _c, _w, _l in rows if n]  # n > 0: g is not NULL
    return OpenLines(lo, top, totals, sum(int(w) for *_x, w, _l in rows), sum(int(c) for *_x, c, _w, _l in rows))


def claim_lines(session: Session, run: SettlementRun, found: OpenLines) -> None:
    """Record that ``run`` settled the lines of the range (one row, whatever the line count).

    The database refuses a second claim from the same place, so a racing run cannot settle a
    line again even without the lock (see :class:`SettlementClaim`)."""
    if found.claimed:
        session.add(SettlementClaim(batch_id=run.batch_id, run_id=run.id, lo=found.lo, hi=found.top,
                                    line_count=run.line_count))
        session.flush()


_CLAWBACKS = text("SELECT a.hospital_org_id, a.supplier_org_id, r.id, r.clawback_fen FROM settlement_return r"
                  " JOIN settlement_acceptance a ON a.id = r.acceptance_id"
                  " WHERE a.batch_id = :batch AND r.clawback_fen > 0 AND r.clawback_run_id IS NULL"
                  " AND r.refund_id IS NULL ORDER BY r.id")


def open_clawbacks(session: Session, batch_id: int) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Returns after settlement neither netted nor asked back, per (hospital id, supplier id):
    (return id, fen)."""
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
