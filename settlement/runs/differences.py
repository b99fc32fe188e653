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

**Returns after settlement** (issue 19): the taker's return claws back the returned units at the
taker's price from the taker; :func:`credit_return`, in the return's transaction, gives the failed
winner back what it was charged for those units — a :class:`DifferenceCredit`, the line's difference
before − after the return (each rounded as a line is, so a line's difference minus its credits is
exactly the difference of the units the hospital kept). A credit is an open amount of the failed
winner towards that hospital with the opposite sign (``open_lines.OWED``): with charges still open
it lowers what is netted or asked back; otherwise — the charge already deducted or refunded — it
is added to the failed winner's next payment for that hospital (the share's ``clawback_fen`` is
then negative). A credit is never asked back (a refund is asked only of a pair owing more than it
is owed) and waits while the failed winner has no later line at that hospital.
"""

# ruff: noqa: S608 - the SQL is built from the constants below only; values are bound parameters

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session, select

from core.money import line_amount_fen
from settlement.models import Acceptance, DeliveryReturn, DifferenceCredit, PriceDifference
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


def credit_return(session: Session, acc: Acceptance, ret: DeliveryReturn, now: datetime) -> DifferenceCredit | None:
    """The failed winner's credit for ``ret`` — a return on the settled taker's line ``acc``, which
    already counts the return in ``acc.returned`` — or None when the line carries no difference.
    Flushed in the caller's (the return's) transaction; the return is unique to it."""
    diff = session.exec(select(PriceDifference).where(PriceDifference.acceptance_id == acc.id)).first()
    if diff is None or diff.amount_fen <= 0:
        return None
    after = acc.quantity - acc.returned
    before = after + ret.quantity

    def owed(units: int) -> int:
        return line_amount_fen(units, diff.taker_ucp_e4) - line_amount_fen(units, diff.failed_ucp_e4)

    amount = owed(before) - owed(after)
    if amount <= 0:
        return None
    credit = DifferenceCredit(batch_id=diff.batch_id, difference_id=diff.id, return_id=ret.id,
                              hospital_org_id=diff.hospital_org_id, supplier_org_id=diff.supplier_org_id,
                              quantity=ret.quantity, amount_fen=amount, created_at=now)
    session.add(credit)
    session.flush()
    return credit
