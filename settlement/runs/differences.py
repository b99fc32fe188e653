"""Price differences of supply takeovers, collected like clawbacks (差价由原中选企业承担).

Under a takeover whose price rule is ``failed_price`` the taker's contract carries its own price
and the failed winner owes the difference. When a run settles a line of such a contract it
records, in SQL and once per line (the acceptance is unique), a :class:`PriceDifference`: the
line's amount at the taker's price − its amount at the failed winner's price, each rounded as a
line is (``open_lines.LINE_GROSS``), so the hospital's deduction nets to exactly what the failed
winner's price would have cost it.

From then on a difference is one more open clawback of the failed winner towards that hospital
(``open_lines.OWED``, the one list of what suppliers owe back): the same run, or a later one, nets it
against that pair's gross when the gross covers everything owed (``open_lines.OWED``: ``shares.net_clawbacks``,
``open_lines.net_clawbacks``); otherwise it waits and is asked back as a refund
(``settlement.execution.refunds``) — no second mechanism.
"""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from settlement.models import PriceDifference
from settlement.runs.open_lines import OpenLines

T = PriceDifference.__tablename__


def _gross(price: str) -> str:
    """A line's amount in fen at ``price`` (the SQL of ``open_lines.LINE_GROSS``)."""
    return f"(CAST(a.quantity - a.returned AS BIGINT) * {price} + 50) / 100"


_RECORD = text(
    f"INSERT INTO {T} (batch_id, acceptance_id, takeover_line_id, hospital_org_id, supplier_org_id, quantity,"
    " taker_ucp_e4, failed_ucp_e4, amount_fen, created_at)"
    " SELECT a.batch_id, a.id, tl.id, a.hospital_org_id, t.failed_org_id, a.quantity - a.returned, c.ucp_e4,"
    f" tl.failed_ucp_e4, {_gross('c.ucp_e4')} - {_gross('tl.failed_ucp_e4')}, :now"
    " FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id"
    " JOIN supply_takeover_line tl ON tl.new_contract_id = c.id"
    " JOIN supply_takeover t ON t.id = tl.takeover_id"
    " WHERE a.batch_id = :batch AND a.applied_month IS NOT NULL AND a.claim_seq > :lo AND a.claim_seq <= :top"
    " AND a.accepted_on < :end AND t.price_rule = 'failed_price' AND c.ucp_e4 > tl.failed_ucp_e4"
    f" AND a.quantity > a.returned AND NOT EXISTS (SELECT 1 FROM {T} d WHERE d.acceptance_id = a.id)"
    " ORDER BY a.id").bindparams(bindparam("end", type_=Date),
                                 bindparam("now", type_=PriceDifference.__table__.c.created_at.type))

_CHARGING = text("SELECT 1 FROM supply_takeover WHERE batch_id = :batch AND price_rule = 'failed_price'"
                 " AND status IN ('approved', 'restored') LIMIT 1")


def record(session: Session, batch_id: int, found: OpenLines, month_end: date, now: datetime) -> None:
    """Record the price difference of every taker's line this run settles (before netting); a
    batch without a takeover charging differences costs one indexed look-up, not a scan of its lines."""
    if found.claimed and session.execute(_CHARGING, {"batch": batch_id}).first() is not None:
        session.execute(_RECORD, {"batch": batch_id, "lo": found.lo or 0, "top": found.top, "end": month_end,
                                  "now": now})


def stamp(session: Session, batch_id: int, run_id: int) -> None:
    """The differences recorded by this run (in its transaction) name it."""
    session.execute(text(f"UPDATE {T} SET settled_run_id = :run WHERE batch_id = :batch AND settled_run_id IS NULL"),
                    {"batch": batch_id, "run": run_id})
