"""Fund payments outside the monthly run (预付款拨付, 结余留用资金拨付), four-eyes.

The API (one transaction each; ``actor`` a settlement officer of the batch's region):

* :func:`propose_fund_payment` ``(session, actor, *, batch_id, kind, payee_org_id, amount_fen,
  remittance, source_ref, now, note="") -> Outcome[FundPayment]`` — one officer proposes paying
  ``amount_fen`` (integer fen, > 0) of ``kind`` (:class:`FundPaymentKind`) to an organisation
  (a hospital or a supplier) for a source (``source_ref``: what is paid, e.g. the ledger key
  ``advance:<batch>:<hospital>``); the payee's bank account as it is now is kept. Proposing
  the same kind and source again answers the open payment (``repeated``) when the payee and
  amount are the same, and is refused otherwise.
* :func:`approve_fund_payment` ``(session, actor, payment_id, now) -> Outcome[PaymentInstruction]``
  — a second officer (never the proposer) approves: a run of ``kind`` (status approved, its
  ``month`` the local month of ``now``) holding one :class:`PaymentInstruction` to the kept
  account. From there it is an ordinary payment: ``release_files`` writes its pain.001/CSV,
  ``import_bank_return`` marks it paid or failed, a failed one is re-issued four-eyes
  (:mod:`settlement.payments.reissue`, its run of the same kind), the payments pages list it.
* :func:`reject_fund_payment` ``(session, actor, payment_id, note, now) -> FundPayment`` — either
  officer rejects a proposed payment; the source may be proposed again.
* :func:`open_fund_payment` ``(session, kind, source_ref) -> FundPayment | None`` — the proposed
  or approved payment of a source; :func:`paid_at` ``(session, payment) -> datetime | None`` —
  when the bank confirmed it (its instruction, or the re-issue of a failed one, paid).

Nothing is paid twice: one open payment per kind × source (unique in the database), one
instruction per approved payment, and the batch's settlement lock serialises approvals with runs.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.bank import pending_change
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.db import advisory_xact_lock, lock_for_update
from core.outcome import Outcome
from procurement.models import Batch
from settlement.execution.deliveries import SettlementRefused
from settlement.models import FundPayment, PaymentInstruction, SettlementRun
from settlement.money.data import InstructionStatus
from settlement.money.settle import instruction_reference
from settlement.runs.calendar import local_date
from settlement.runs.services import account_of, fund_of

MAX_FEN = 10**15  # ten trillion yuan: far above any one payment, well inside BIGINT


class FundPaymentKind(StrEnum):
    """What a fund payment pays (its run's ``kind``)."""

    PREPAYMENT = "prepayment"  # 预付款: the advance of the prepayment ledger, to the hospital
    SAVINGS = "savings"  # 结余留用: retained savings paid to a hospital


class FundPaymentStatus(StrEnum):
    """Where a fund payment stands."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


#: the run reference's first letter per kind (a monthly run's is S)
RUN_PREFIX = {FundPaymentKind.PREPAYMENT: "P", FundPaymentKind.SAVINGS: "R"}
PAYEE_KINDS = frozenset({"hospital", "supplier"})


def _officer_batch(session: Session, actor: Actor, batch_id: int) -> Batch:
    """A batch of the settlement officer's region; Forbidden when not an officer, unknown or foreign."""
    if actor is None or actor.role != Role.SETTLEMENT_OFFICER:
        raise Forbidden("settlement officers only")
    batch = session.exec(scope(select(Batch).where(Batch.id == batch_id), actor, Batch)).first()
    if batch is None:
        raise Forbidden("no such batch")
    return batch


def _checked(kind: str, amount_fen: int, remittance: str, source_ref: str) -> tuple[FundPaymentKind, str, str]:
    """The kind, remittance and source reference, checked (refusals name the field)."""
    try:
        kind = FundPaymentKind(kind)
    except ValueError:
        raise SettlementRefused(f"付款类型无效 / unknown fund payment kind: {kind!r}") from None
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or not 0 < amount_fen <= MAX_FEN:
        raise SettlementRefused(f"金额须为正的整数分 / amount_fen must be a positive whole number of fen: {amount_fen!r}")
    text, ref = (remittance or "").strip(), (source_ref or "").strip()
    if not text or len(text) > 140 or any(ord(c) < 32 for c in text):
        raise SettlementRefused("附言须为 1–140 个字符且不含控制字符 / remittance must be 1–140 characters, "
                                "no control characters")
    if not ref or len(ref) > 80:
        raise SettlementRefused("来源编号须为 1–80 个字符 / source_ref must be 1–80 characters")
    return kind, text, ref


def open_fund_payment(session: Session, kind: str, source_ref: str) -> FundPayment | None:
    """The proposed or approved fund payment of a kind × source, if any."""
    return session.exec(select(FundPayment).where(FundPayment.kind == kind, FundPayment.source_ref == source_ref,
                                                  FundPayment.status != FundPaymentStatus.REJECTED)).first()


def propose_fund_payment(session: Session, actor: Actor, *, batch_id: int, kind: str, payee_org_id: int,
                         amount_fen: int, remittance: str, source_ref: str, now: datetime,
                         note: str = "") -> Outcome[FundPayment]:
    """Propose paying ``amount_fen`` of ``kind`` to ``payee_org_id`` for ``source_ref`` (see the
    module docstring); a second officer approves it."""
    batch = _officer_batch(session, actor, batch_id)
    kind, text, ref = _checked(kind, amount_fen, remittance, source_ref)
    advisory_xact_lock(session, f"settlement:{batch.id}", shared=True)
    advisory_xact_lock(session, f"fund_payment:{kind}:{ref}")
    payee = session.get(Organisation, payee_org_id)
    if payee is None or payee.kind not in PAYEE_KINDS or not payee.active:
        raise SettlementRefused(f"收款单位须为在用的医疗机构或企业 / the payee must be an active hospital or "
                                f"supplier: {payee_org_id}")
    existing = open_fund_payment(session, kind, ref)
    if existing is not None:
        if (existing.payee_org_id, existing.amount_fen, existing.batch_id) != (payee.id, amount_fen, batch.id):
            raise SettlementRefused(f"该款项已有待处理或已批准的付款（{existing.amount_fen} 分）/ this source already "
                                    f"has an open fund payment ({ref}): reject it before proposing other figures")
        session.commit()
        return Outcome(existing, repeated=True)
    if pending_change(session, payee.id) is not None:
        raise SettlementRefused("收款单位的账户变更尚待确认，请确认后再提出 / the payee's bank account change awaits "
                                "confirmation: propose the payment once it is confirmed")
    account = account_of(payee)
    if account is None:
        raise SettlementRefused(f"收款单位账户不完整 / the payee's bank account is incomplete: {payee.code}")
    payment = FundPayment(batch_id=batch.id, kind=kind, payee_org_id=payee.id, amount_fen=amount_fen,
                          remittance=text, source_ref=ref, payee_account=account.account_no,
                          payee_name=account.holder_name, payee_cnaps=account.bank_cnaps,
                          payee_bank=account.bank_name, note=(note or "").strip()[:200],
                          proposed_by=actor.user_id, proposed_at=now)
    session.add(payment)
    session.flush()
    audit.record(session, actor.audit(), "settlement.fund_payment.propose", "settlement_fund_payment",
                 str(payment.id), {"batch": batch.code, "kind": str(kind), "payee": payee.code,
                                   "amount_fen": amount_fen, "source": ref, "account": account.account_no}, at=now)
    session.commit()
    return Outcome(payment)


def _payment(session: Session, actor: Actor, payment_id: int, *, exclusive: bool = False) -> FundPayment:
    """A fund payment of the officer's region, locked after the batch's settlement lock
    (exclusive to approve: it writes a run); Forbidden when unknown or foreign."""
    if actor is None or actor.role != Role.SETTLEMENT_OFFICER:
        raise Forbidden("settlement officers only")
    batch_id = session.exec(scope(select(FundPayment.batch_id).where(FundPayment.id == payment_id),
                                  actor, FundPayment)).first()
    if batch_id is None:
        raise Forbidden("no such fund payment")
    advisory_xact_lock(session, f"settlement:{batch_id}", shared=not exclusive)
    return lock_for_update(session, FundPayment, payment_id)


def approve_fund_payment(session: Session, actor: Actor, payment_id: int, now: datetime) -> Outcome[PaymentInstruction]:
    """A second officer approves: the run of the payment's kind with its one instruction, ready
    for its bank files. Approving again answers the instruction made (a repeat, nothing written)."""
    payment = _payment(session, actor, payment_id, exclusive=True)
    if payment.status == FundPaymentStatus.APPROVED:
        made = session.get(PaymentInstruction, payment.instruction_id)
        session.commit()
        return Outcome(made, repeated=True)
    if payment.status != FundPaymentStatus.PROPOSED:
        raise SettlementRefused("该付款已驳回 / this fund payment was rejected")
    if payment.proposed_by == actor.user_id:
        raise SettlementRefused("双人复核：提出人不能审核自己提出的付款 / four-eyes: the officer who proposed the "
                                "payment cannot approve it")
    payee = session.get(Organisation, payment.payee_org_id)
    account = account_of(payee)
    if account is None or (account.account_no, account.bank_cnaps) != (payment.payee_account, payment.payee_cnaps):
        raise SettlementRefused("提出后收款单位账户已变更，请驳回后重新提出 / the payee's account changed since the "
                                "proposal: reject it and propose again")
    batch = lock_for_update(session, Batch, payment.batch_id)
    fund = fund_of(session, actor, batch)
    payer = account_of(fund) if fund else None
    if payer is None:
        raise SettlementRefused("医保基金账户未设置 / the fund's bank account is not set")
    run = _fund_run(session, batch, payment, actor, now)
    ref = instruction_reference(run.run_ref, 1)
    inst = PaymentInstruction(run_id=run.id, batch_id=batch.id, reference=ref, supplier_org_id=payee.id,
                              payer_account=payer.account_no, payer_name=payer.holder_name,
                              payer_cnaps=payer.bank_cnaps, payer_bank=payer.bank_name,
                              payee_account=payment.payee_account, payee_name=payment.payee_name,
                              payee_cnaps=payment.payee_cnaps, payee_bank=payment.payee_bank,
                              amount_fen=payment.amount_fen, line_count=0, remittance=payment.remittance[:140],
                              status=InstructionStatus.ISSUED, status_at=now)
    session.add(inst)
    session.flush()
    payment.status, payment.decided_by, payment.decided_at = FundPaymentStatus.APPROVED, actor.user_id, now
    payment.run_id, payment.instruction_id = run.id, inst.id
    session.add(payment)
    audit.record(session, actor.audit(), "settlement.fund_payment.approve", "settlement_fund_payment",
                 str(payment.id), {"proposed_by": payment.proposed_by, "kind": payment.kind,
                                   "source": payment.source_ref, "run": run.run_ref, "reference": ref,
                                   "amount_fen": payment.amount_fen, "account": payment.payee_account}, at=now)
    session.commit()
    return Outcome(inst)


def _fund_run(session: Session, batch: Batch, payment: FundPayment, actor: Actor, now: datetime) -> SettlementRun:
    """The run holding the payment's one instruction: of its kind, in the local month of ``now``
    (numbered after every run of that month, whatever its kind), proposed by one officer and
    approved by the other."""
    month = local_date(now).strftime("%Y-%m")
    seq = (session.exec(select(func.max(SettlementRun.seq)).where(
        SettlementRun.batch_id == batch.id, SettlementRun.month == month)).one() or 0) + 1
    run = SettlementRun(batch_id=batch.id, month=month, seq=seq, kind=payment.kind,
                        run_ref=f"{RUN_PREFIX[FundPaymentKind(payment.kind)]}{batch.id}-{month.replace('-', '')}-{seq}",
                        status="approved", paid_fen=payment.amount_fen, computed_by=payment.proposed_by,
                        computed_at=now, approved_by=actor.user_id, approved_at=now)
    session.add(run)
    session.flush()
    return run


def reject_fund_payment(session: Session, actor: Actor, payment_id: int, note: str, now: datetime) -> FundPayment:
    """Either officer (the proposer too, to withdraw it) rejects a proposed payment: nothing is
    paid, the source may be proposed again."""
    payment = _payment(session, actor, payment_id)
    if payment.status != FundPaymentStatus.PROPOSED:
        raise SettlementRefused(f"该付款已处理 / this fund payment was already decided ({payment.status})")
    payment.status, payment.decided_by, payment.decided_at = FundPaymentStatus.REJECTED, actor.user_id, now
    payment.decision_note = (note or "").strip()[:200]
    session.add(payment)
    audit.record(session, actor.audit(), "settlement.fund_payment.reject", "settlement_fund_payment",
                 str(payment.id), {"source": payment.source_ref, "note": payment.decision_note}, at=now)
    session.commit()
    return payment


def paid_at(session: Session, payment: FundPayment) -> datetime | None:
    """When the bank confirmed the payment: its instruction paid, or — failed and re-issued —
    the paid re-issue (followed along the chain); None while not paid."""
    inst_id = payment.instruction_id
    while inst_id is not None:
        inst = session.get(PaymentInstruction, inst_id)
        if inst.status == InstructionStatus.PAID:
            return inst.status_at
        if inst.status != InstructionStatus.REISSUED:
            return None
        inst_id = session.exec(select(PaymentInstruction.id).where(PaymentInstruction.reissue_of_id == inst.id)).first()
    return None
