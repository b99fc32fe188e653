"""Notices of payments: a failed payment told to the supplier (every user of it) and to the
fund's settlement officers; a re-issue requested (to the fund) and approved (to the supplier).
Each adds notices (:func:`notices.services.notify`); the caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from accounts.models import Organisation
from accounts.roles import Role
from core.money import format_yuan
from notices.services import notify  # the platform's one notice inbox
from procurement.models import Batch
from settlement.models import PaymentInstruction, ReissueRequest, SettlementRun

FAILED, REISSUE_REQUESTED, REISSUED = "payment_failed", "payment_reissue_requested", "payment_reissued"


def mask(account: str) -> str:
    """An account number as notices show it: its last four digits."""
    return f"****{account[-4:]}" if account else "—"


def _funds(session: Session, batch: Batch) -> list[int]:
    """The active fund agencies of the batch's region."""
    return list(session.exec(select(Organisation.id).where(
        Organisation.kind == "fund", Organisation.active == True,  # noqa: E712
        Organisation.region_code == batch.region_code)).all())


def _add(session: Session, org_id: int, role: Role | None, kind: str, batch: Batch, text: str, now: datetime) -> None:
    """One notice."""
    notify(session, [org_id], role, kind, batch.code, text, now)


def notify_failures(session: Session, run: SettlementRun, failed: Iterable[PaymentInstruction], now: datetime) -> None:
    """Tell each supplier whose payment failed, and the fund's settlement officers."""
    batch = session.get(Batch, run.batch_id)
    for inst in failed:
        money, why = format_yuan(inst.amount_fen), inst.failure_reason or "—"
        _add(session, inst.supplier_org_id, None, FAILED, batch,
             f"支付失败：付款指令 {inst.reference}（{run.month}，{money}，收款账户 {mask(inst.payee_account)}）被银行退回，"
             f"原因：{why}。请核对本单位收款账户，如需变更请联系医保局；账户更正后医保基金将重新支付。"
             f" / Payment failed: instruction {inst.reference} ({run.month}, {money}) was returned by the bank: "
             f"{why}. Please check your receiving account; the fund re-issues the payment once it is corrected.",
             now)
        for fund in _funds(session, batch):
            _add(session, fund, Role.SETTLEMENT_OFFICER, FAILED, batch,
                 f"付款指令 {inst.reference}（{inst.payee_name}，{money}）支付失败：{why}。企业收款账户更正后，"
                 f"请申请重新支付（须另一位结算员复核）。 / Payment {inst.reference} ({inst.payee_name}, {money}) "
                 f"failed: {why}. Once the supplier's account is corrected, request a re-issue (a second officer "
                 "approves it).", now)


def notify_reissue_requested(session: Session, request: ReissueRequest, old: PaymentInstruction,
                             requester: str, now: datetime) -> None:
    """Ask the fund's other settlement officers to approve a re-issue."""
    batch = session.get(Batch, request.batch_id)
    money = format_yuan(old.amount_fen)
    for fund in _funds(session, batch):
        _add(session, fund, Role.SETTLEMENT_OFFICER, REISSUE_REQUESTED, batch,
             f"{requester} 申请重新支付付款指令 {old.reference}（{request.payee_name}，{money}）至账户 "
             f"{mask(request.payee_account)}，待另一位结算员复核。 / {requester} asks to re-issue payment "
             f"{old.reference} ({money}) to account {mask(request.payee_account)}: a second officer approves it.",
             now)


def notify_reissued(session: Session, old: PaymentInstruction, new: PaymentInstruction, now: datetime) -> None:
    """Tell the supplier its failed payment is paid again, to which account, under which reference."""
    batch = session.get(Batch, new.batch_id)
    money = format_yuan(new.amount_fen)
    _add(session, new.supplier_org_id, None, REISSUED, batch,
         f"付款指令 {old.reference} 已重新支付：新指令 {new.reference}，{money}，收款账户 {mask(new.payee_account)}，"
         f"将随下一批银行文件发出。 / Payment {old.reference} is re-issued as {new.reference} ({money}) to account "
         f"{mask(new.payee_account)}, in the next bank file.", now)
