"""Re-issuing a failed payment (退票重付), four-eyes, after the supplier's account is corrected.

A settlement officer *requests* the re-issue of a failed instruction to the supplier's account
as it is now (the request keeps that account); a second officer of the fund (never the
requester) *approves* it, and only then is the new instruction made: in a re-issue run of the
failed one's batch and month, approved at once (the approval is the second pair of eyes), whose
bank files the officers then release — the next bank file — and whose bank return they import.
The failed instruction becomes ``reissued`` and links to its successor (``reissue_of_id``); its
shares (and so its lines) follow the new one. Either officer may reject a request.

Nothing is paid twice: an instruction has at most one open request and one successor (both
unique in the database), a repeat of a request or an approval is a no-op answering what was
done, and the batch's settlement lock serialises re-issues with runs.
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
from settlement.models import PaymentInstruction, ReissueRequest, SettlementRun, SettlementShare
from settlement.money import instructions
from settlement.money.data import InstructionStatus
from settlement.money.settle import instruction_reference, remittance_text
from settlement.payments.notices import mask, notify_reissue_requested, notify_reissued
from settlement.runs.services import MONTHLY, account_of


class ReissueStatus(StrEnum):
    """Where a re-issue request stands."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


def _officer(actor: Actor) -> None:
    """Settlement officers only."""
    if actor is None or actor.role != Role.SETTLEMENT_OFFICER:
        raise Forbidden("settlement officers only")


def _instruction(session: Session, actor: Actor, instruction_id: int) -> PaymentInstruction:
    """An instruction of the officer's region, locked after the batch's settlement lock (shared;
    the order every re-issue and run takes them in); Forbidden when unknown or foreign."""
    batch_id = session.exec(scope(select(PaymentInstruction.batch_id).where(PaymentInstruction.id == instruction_id),
                                  actor, PaymentInstruction)).first()
    if batch_id is None:
        raise Forbidden("no such instruction")
    advisory_xact_lock(session, f"settlement:{batch_id}", shared=True)
    return lock_for_update(session, PaymentInstruction, instruction_id)


def open_request(session: Session, instruction_id: int) -> ReissueRequest | None:
    """The instruction's requested or approved re-issue, if any."""
    return session.exec(select(ReissueRequest).where(ReissueRequest.instruction_id == instruction_id,
                                                     ReissueRequest.status != ReissueStatus.REJECTED)).first()


def request_reissue(session: Session, actor: Actor, instruction_id: int, note: str,
                    now: datetime) -> Outcome[ReissueRequest]:
    """Ask to re-issue a failed instruction to the supplier's account as it is now; a second
    request for the same instruction answers the open one (a repeat, nothing written)."""
    _officer(actor)
    old = _instruction(session, actor, instruction_id)
    existing = open_request(session, old.id)
    if existing is not None:
        session.commit()
        return Outcome(existing, repeated=True)
    if old.status != InstructionStatus.FAILED:
        raise SettlementRefused(f"只有支付失败的指令可以重新支付 / only a failed instruction can be re-issued "
                                f"({old.reference} is {old.status})")
    supplier = session.get(Organisation, old.supplier_org_id)
    if pending_change(session, supplier.id) is not None:
        raise SettlementRefused("该企业的收款账户变更尚待确认，请确认后再申请 / the supplier's bank account change "
                                "awaits confirmation: request the re-issue once it is confirmed")
    payee = account_of(supplier)
    if payee is None:
        raise SettlementRefused("该企业收款账户不完整 / the supplier's bank account is incomplete")
    request = ReissueRequest(instruction_id=old.id, batch_id=old.batch_id, supplier_org_id=old.supplier_org_id,
                             payee_account=payee.account_no, payee_name=payee.holder_name,
                             payee_cnaps=payee.bank_cnaps, payee_bank=payee.bank_name,
                             note=(note or "").strip()[:200], requested_by=actor.user_id, requested_at=now)
    session.add(request)
    session.flush()
    audit.record(session, actor.audit(), "settlement.reissue.request", "settlement_instruction", str(old.id),
                 {"request": request.id, "reference": old.reference, "amount_fen": old.amount_fen,
                  "old_account": old.payee_account, "account": payee.account_no, "cnaps": payee.bank_cnaps,
                  "note": request.note}, at=now)
    notify_reissue_requested(session, request, old, actor.username, now)
    session.commit()
    return Outcome(request)


def _request(session: Session, actor: Actor, request_id: int, *, exclusive: bool = False) -> ReissueRequest:
    """A request of the officer's region, locked after the batch's settlement lock (exclusive
    to approve: it writes a run); Forbidden when unknown or foreign."""
    _officer(actor)
    batch_id = session.exec(scope(select(ReissueRequest.batch_id).where(ReissueRequest.id == request_id),
                                  actor, ReissueRequest)).first()
    if batch_id is None:
        raise Forbidden("no such request")
    advisory_xact_lock(session, f"settlement:{batch_id}", shared=not exclusive)
    return lock_for_update(session, ReissueRequest, request_id)


def approve_reissue(session: Session, actor: Actor, request_id: int, now: datetime) -> Outcome[PaymentInstruction]:
    """A second officer approves: the new instruction, in a re-issue run ready for its bank
    files. Approving again answers the instruction made (a repeat: nothing written)."""
    request = _request(session, actor, request_id, exclusive=True)
    batch = lock_for_update(session, Batch, request.batch_id)
    if request.status == ReissueStatus.APPROVED:
        made = session.get(PaymentInstruction, request.new_instruction_id)
        session.commit()
        return Outcome(made, repeated=True)
    if request.status != ReissueStatus.REQUESTED:
        raise SettlementRefused("该申请已驳回 / this request was rejected")
    if request.requested_by == actor.user_id:
        raise SettlementRefused("双人复核：申请人不能审核自己的重新支付申请 / four-eyes: the officer who requested "
                                "the re-issue cannot approve it")
    old = lock_for_update(session, PaymentInstruction, request.instruction_id)
    if old.status != InstructionStatus.FAILED:
        raise SettlementRefused(f"指令 {old.reference} 不是支付失败状态 / instruction {old.reference} is {old.status}, "
                                "not failed")
    instructions.transition(InstructionStatus(old.status), InstructionStatus.REISSUED)
    payee = account_of(session.get(Organisation, request.supplier_org_id))
    if payee is None or (payee.account_no, payee.bank_cnaps) != (request.payee_account, request.payee_cnaps):
        raise SettlementRefused("申请后企业收款账户已变更，请驳回后重新申请 / the supplier's account changed since the "
                                "request: reject it and request again")
    old_run = session.get(SettlementRun, old.run_id)
    run = _reissue_run(session, batch, old_run, request, actor, old.amount_fen, now)
    ref = instruction_reference(run.run_ref, 1)
    remittance = remittance_text(ref, old.line_count) if old_run.kind == MONTHLY else old.remittance
    new = PaymentInstruction(run_id=run.id, batch_id=old.batch_id, reference=ref, supplier_org_id=old.supplier_org_id,
                             payer_account=old.payer_account, payer_name=old.payer_name, payer_cnaps=old.payer_cnaps,
                             payer_bank=old.payer_bank, payee_account=request.payee_account,
                             payee_name=request.payee_name, payee_cnaps=request.payee_cnaps,
                             payee_bank=request.payee_bank, amount_fen=old.amount_fen, line_count=old.line_count,
                             remittance=remittance[:140], reissue_of_id=old.id,
                             status=InstructionStatus.ISSUED, status_at=now)
    session.add(new)
    session.flush()
    old.status, old.status_at = InstructionStatus.REISSUED, now
    for share in session.exec(select(SettlementShare).where(SettlementShare.instruction_id == old.id)).all():
        share.instruction_id = new.id
        session.add(share)
    request.status, request.decided_by, request.decided_at = ReissueStatus.APPROVED, actor.user_id, now
    request.new_instruction_id = new.id
    session.add_all([old, request])
    audit.record(session, actor.audit(), "settlement.reissue.approve", "settlement_instruction", str(old.id),
                 {"request": request.id, "requested_by": request.requested_by, "reference": old.reference,
                  "new_reference": ref, "run": run.run_ref, "amount_fen": new.amount_fen,
                  "account": mask(new.payee_account)}, at=now)
    notify_reissued(session, old, new, now)
    session.commit()
    return Outcome(new)


def _reissue_run(session: Session, batch: Batch, old_run: SettlementRun, request: ReissueRequest, actor: Actor,
                 amount_fen: int, now: datetime) -> SettlementRun:
    """A run of the failed one's month and kind (and reference letter) holding only the re-issued
    instruction: requested by one officer, approved by the other, ready for its bank files."""
    month = old_run.month
    seq = (session.exec(select(func.max(SettlementRun.seq)).where(
        SettlementRun.batch_id == batch.id, SettlementRun.month == month)).one() or 0) + 1
    run = SettlementRun(batch_id=batch.id, month=month, seq=seq, kind=old_run.kind,
                        run_ref=f"{old_run.run_ref[0]}{batch.id}-{month.replace('-', '')}-{seq}",
                        status="approved", reissued_fen=amount_fen, computed_by=request.requested_by,
                        computed_at=now, approved_by=actor.user_id, approved_at=now)
    session.add(run)
    session.flush()
    return run


def reject_reissue(session: Session, actor: Actor, request_id: int, note: str, now: datetime) -> ReissueRequest:
    """Any officer of the fund (the requester too, to withdraw it) rejects a pending request:
    nothing is paid; the instruction stays failed and may be requested again."""
    request = _request(session, actor, request_id)
    if request.status != ReissueStatus.REQUESTED:
        raise SettlementRefused(f"该申请已处理 / this request was already decided ({request.status})")
    request.status, request.decided_by, request.decided_at = ReissueStatus.REJECTED, actor.user_id, now
    request.decision_note = (note or "").strip()[:200]
    session.add(request)
    audit.record(session, actor.audit(), "settlement.reissue.reject", "settlement_instruction",
                 str(request.instruction_id), {"request": request.id, "note": request.decision_note}, at=now)
    session.commit()
    return request
