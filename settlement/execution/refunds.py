"""Asking back clawbacks no later run could net (退货款追回) — returns after settlement, and the
price differences of supply takeovers a failed winner owes (``settlement.runs.differences``).

A return after settlement records its clawback, which a later run nets against the same
hospital × supplier when that pair's new gross covers it (``open_lines.net_clawbacks``). When
the pair has no new gross — the cycle has ended, or the supplier no longer delivers to that
hospital — the clawback would wait for ever. A settlement officer (or the calendar, after the
cycle's last month has been settled) then asks it back: one refund per hospital × supplier with
its open clawbacks summed, which takes them out of netting for good. When the money arrives the
officer records the bank's reference; the fund then owes the hospital what it had deducted.

Requesting takes the batch's settlement lock exclusively, like a run, so a clawback is either
netted by a run or asked back, never both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.db import advisory_xact_lock, lock_for_update
from core.money import fen_to_decimal
from notices.services import notify
from settlement.execution.deliveries import SettlementRefused
from settlement.models import ClawbackRefund
from settlement.runs.open_lines import RETURN, Owed, mark_owed, open_clawbacks
from settlement.runs.services import officer_batch, who

REQUESTED, RECEIVED = "requested", "received"
REFUND_REQUESTED = "settlement_refund_requested"


class NothingToAskBack(SettlementRefused):
    """No clawback of the batch is waiting (the calendar treats it as idle)."""


@dataclass(frozen=True)
class WaitingClawback:
    """One hospital × supplier's clawbacks waiting for new gross to net them against."""

    hospital_code: str
    supplier_code: str
    supplier_name: str
    amount_fen: int
    return_count: int  # returns after settlement
    difference_count: int = 0  # takeover price differences and their credits for returned units


def _counts(items: list[Owed]) -> tuple[int, int]:
    """(returns, price differences and credits) among ``items``."""
    returns = sum(1 for o in items if o.kind == RETURN)
    return returns, len(items) - returns


def _askable(session: Session, batch_id: int) -> dict[tuple[int, int], list[Owed]]:
    """The open clawbacks of the pairs that owe more than they are owed (a pair whose credits —
    price differences given back for returned units — outweigh its charges is not asked anything:
    the credit waits for the supplier's next payment for that hospital)."""
    return {pair: items for pair, items in open_clawbacks(session, batch_id).items() if sum(o.fen for o in items) > 0}


def waiting_clawbacks(session: Session, batch_id: int) -> list[WaitingClawback]:
    """The batch's open clawbacks summed per hospital × supplier (codes order), of the pairs owing."""
    owed = _askable(session, batch_id)
    orgs = {o.id: o for o in session.exec(select(Organisation).where(
        Organisation.id.in_({pk for pair in owed for pk in pair}))).all()} if owed else {}
    rows = [WaitingClawback(orgs[h].code, orgs[s].code, orgs[s].name, sum(o.fen for o in items), *_counts(items))
            for (h, s), items in owed.items()]
    return sorted(rows, key=lambda w: (w.hospital_code, w.supplier_code))


def _refund_text(hospital_name: str, refund: ClawbackRefund, items: list[Owed]) -> str:
    """The supplier's notice of a refund: returns after settlement and/or takeover price differences."""
    amount = fen_to_decimal(refund.amount_fen)
    differences = _counts(items)[1]
    if not differences:
        return (f"请退还 {hospital_name} 已结算后退货的货款 ¥{amount}（{refund.reference}，{len(items)} 笔退货）/ please "
                f"refund ¥{amount} paid for goods {hospital_name} returned after settlement ({refund.reference}, "
                f"{len(items)} returns)")
    return (f"请退还 {hospital_name} 的款项 ¥{amount}（{refund.reference}：{differences} 笔备供价差，"
            f"{len(items) - differences} 笔退货）/ please refund ¥{amount} owed to {hospital_name} "
            f"({refund.reference}: {differences} supply-takeover price differences, {len(items) - differences} returns)")


def request_refunds(session: Session, actor: Actor | None, batch_code: str, now: datetime) -> list[ClawbackRefund]:
    """Ask every open clawback of the batch back from its supplier: one refund per hospital ×
    supplier (commits; :class:`NothingToAskBack` when none waits). ``actor`` None: the system
    (the calendar)."""
    batch = officer_batch(session, actor, batch_code)
    advisory_xact_lock(session, f"settlement:{batch.id}")
    owed = _askable(session, batch.id)
    if not owed:
        raise NothingToAskBack("没有待追回的退货款 / no clawback is waiting")
    taken = session.exec(select(func.count()).select_from(ClawbackRefund)
                         .where(ClawbackRefund.batch_id == batch.id)).one()
    refunds = []
    for n, ((hospital, supplier), items) in enumerate(sorted(owed.items()), start=taken + 1):
        refund = ClawbackRefund(reference=f"RF{batch.id}-{n:06d}", batch_id=batch.id, hospital_org_id=hospital,
                                supplier_org_id=supplier, amount_fen=sum(o.fen for o in items),
                                return_count=_counts(items)[0], difference_count=_counts(items)[1], requested_by=actor.user_id if actor else None,
                                requested_at=now)
        session.add(refund)
        session.flush()
        mark_owed(session, items, refund_id=refund.id)
        hospital_name = session.get(Organisation, hospital).name
        notify(session, [supplier], Role.SUPPLIER_REP, REFUND_REQUESTED, batch.code,
               _refund_text(hospital_name, refund, items), now)
        refunds.append(refund)
    audit.record(session, who(actor), "settlement.refund_request", "batch", str(batch.id),
                 {"refunds": [r.reference for r in refunds], "fen": sum(r.amount_fen for r in refunds)}, at=now)
    session.commit()
    return refunds


def record_refund(session: Session, actor: Actor, refund_id: int, bank_ref: str, received_on: date,
                  now: datetime) -> ClawbackRefund:
    """The settlement officer records that a requested refund has arrived (bank reference, date)."""
    if actor.role != Role.SETTLEMENT_OFFICER:
        raise Forbidden("settlement officers only")
    visible = session.exec(scope(select(ClawbackRefund.id).where(ClawbackRefund.id == refund_id),
                                 actor, ClawbackRefund)).first()
    if visible is None:
        raise Forbidden("no such refund")
    refund = lock_for_update(session, ClawbackRefund, refund_id)
    if refund.status != REQUESTED:
        raise SettlementRefused(f"退款 {refund.reference} 已登记到账 / refund {refund.reference} is already recorded")
    bank_ref = bank_ref.strip()
    if not bank_ref:
        raise SettlementRefused("请填写银行流水号 / the bank's reference is required")
    if not refund.requested_at.date() <= received_on <= now.date():
        raise SettlementRefused("到账日期须在通知日期与今天之间 / the date received must lie between the request "
                                "and today")
    refund.status, refund.bank_ref, refund.received_on = RECEIVED, bank_ref[:60], received_on
    refund.received_by, refund.received_at = actor.user_id, now
    session.add(refund)
    audit.record(session, actor.audit(), "settlement.refund_received", "settlement_refund", str(refund.id),
                 {"reference": refund.reference, "fen": refund.amount_fen, "bank_ref": refund.bank_ref,
                  "received_on": received_on.isoformat()}, at=now)
    session.commit()
    return refund
