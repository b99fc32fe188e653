"""Prepayment paid, not only booked (预付款拨付): the ledger's advance of a hospital is paid to it by
a fund payment of kind ``prepayment`` (:mod:`settlement.payments.fund`, four-eyes), whose source
is the advance's ledger key.

The ledger entry stays what runs offset (the hospital's entitlement, granted when its contracts
are signed); it **counts as paid** only when the bank confirmed the instruction of that payment
(its bank return, or the re-issue of a failed one): :func:`advance_states` says per advance
whether it is unpaid, proposed, instructed, failed or paid, and when. Nothing is stored twice:
the state is read from the fund payment and its instructions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from core.outcome import Outcome
from procurement.models import Batch
from settlement.execution.deliveries import SettlementRefused
from settlement.execution.prepayment import advance_key
from settlement.models import FundPayment, PaymentInstruction, PrepaymentEntry, SettlementRun
from settlement.money.data import InstructionStatus
from settlement.payments.fund import (
    FundPaymentKind,
    FundPaymentStatus,
    propose_fund_payment,
)
from settlement.runs.services import officer_batch


@dataclass(frozen=True)
class AdvanceState:
    """One hospital's advance of a batch and how far its payment has come."""

    entry: PrepaymentEntry
    hospital: Organisation
    payment: FundPayment | None  # the open (proposed or approved) prepayment fund payment
    instruction: PaymentInstruction | None  # its latest instruction (a re-issue follows a failed one)
    balance_fen: int  # what is still outstanding: advance − offsets − recoveries

    @property
    def status(self) -> str:
        """unpaid (no payment proposed) | proposed | instructed | failed | paid."""
        if self.payment is None:
            return "unpaid"
        if self.payment.status == FundPaymentStatus.PROPOSED:
            return "proposed"
        status = self.instruction.status if self.instruction else ""
        return {InstructionStatus.PAID: "paid", InstructionStatus.FAILED: "failed"}.get(status, "instructed")

    @property
    def paid_at(self) -> datetime | None:
        """When the bank confirmed the payment (None while not paid)."""
        return self.instruction.status_at if self.status == "paid" else None


def _latest(by_id: dict[int, PaymentInstruction], successor: dict[int, PaymentInstruction],
            instruction_id: int | None) -> PaymentInstruction | None:
    """An instruction, or its re-issue when it was re-issued (followed to the end)."""
    inst = by_id.get(instruction_id) if instruction_id else None
    while inst is not None and inst.status == InstructionStatus.REISSUED:
        inst = successor.get(inst.id)
    return inst


def advance_states(session: Session, batch_id: int) -> list[AdvanceState]:
    """Every advance of a batch with its payment state and outstanding balance, by hospital name
    (the caller has checked the batch is in the reader's scope) — five queries whatever the number
    of hospitals: the closing check reads it for a province's batch."""
    balances = dict(session.exec(select(PrepaymentEntry.hospital_org_id, func.sum(PrepaymentEntry.amount_fen))
                                 .where(PrepaymentEntry.batch_id == batch_id)
                                 .group_by(PrepaymentEntry.hospital_org_id)).all())
    rows = session.exec(select(PrepaymentEntry, Organisation)
                        .join(Organisation, Organisation.id == PrepaymentEntry.hospital_org_id)
                        .where(PrepaymentEntry.batch_id == batch_id, PrepaymentEntry.kind == "advance")
                        .order_by(Organisation.name, Organisation.id)).all()
    payments = {p.source_ref: p for p in session.exec(select(FundPayment).where(
        FundPayment.batch_id == batch_id, FundPayment.kind == FundPaymentKind.PREPAYMENT,
        FundPayment.status != FundPaymentStatus.REJECTED)).all()}
    kinds = select(SettlementRun.id).where(SettlementRun.batch_id == batch_id,
                                           SettlementRun.kind == FundPaymentKind.PREPAYMENT)
    instructions = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id.in_(kinds))).all()
    by_id = {i.id: i for i in instructions}
    successor = {i.reissue_of_id: i for i in instructions if i.reissue_of_id}
    out = []
    for entry, hospital in rows:
        payment = payments.get(entry.entry_key)
        out.append(AdvanceState(entry, hospital, payment,
                                _latest(by_id, successor, payment.instruction_id if payment else None),
                                int(balances.get(hospital.id, 0))))
    return out


def propose_advance_payment(session: Session, actor: Actor, batch_code: str, hospital_org_id: int,
                            now: datetime) -> Outcome[FundPayment]:
    """A settlement officer proposes paying a hospital its granted advance (a second officer
    approves it through :func:`settlement.payments.fund.approve_fund_payment`); a repeat answers
    the open payment."""
    batch: Batch = officer_batch(session, actor, batch_code)
    if actor is None:
        raise Forbidden("settlement officers only")
    entry = session.exec(select(PrepaymentEntry).where(
        PrepaymentEntry.entry_key == advance_key(batch.id, hospital_org_id))).first()
    if entry is None:
        raise SettlementRefused("该医疗机构尚无预付款（合同全部签订后核定）/ the hospital has no advance yet "
                                "(granted once all its contracts are signed)")
    return propose_fund_payment(session, actor, batch_id=batch.id, kind=FundPaymentKind.PREPAYMENT,
                                payee_org_id=hospital_org_id, amount_fen=entry.amount_fen,
                                remittance=f"集采医保基金预付款 {batch.code}", source_ref=entry.entry_key, now=now)
