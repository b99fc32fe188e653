"""Recovering an advance no run offset by the cycle's end (预付款清算收回).

After the batch's cycle has ended, a settlement officer records how a hospital's outstanding
advance came back: ``deducted`` from its next payment from the fund, or ``refunded`` by it —
with the bank's reference. The recovery row keeps amount, how, who and why; its ledger entry
(kind ``recovery``, negative, key ``recovery:<batch>:<hospital>:<n>``) brings the balance down, so the cycle's
closing check (``cycles.closing``) sees the advance settled.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from core import audit
from core.db import advisory_xact_lock, lock_for_update
from procurement.models import Batch
from settlement.execution.deliveries import SettlementRefused
from settlement.execution.prepayment import balances
from settlement.models import PrepaymentEntry, PrepaymentRecovery
from settlement.runs.calendar import local_date
from settlement.runs.services import officer_batch


class RecoveryMethod(StrEnum):
    """How an outstanding advance came back."""

    DEDUCTED = "deducted"  # taken off the hospital's next payment from the fund
    REFUNDED = "refunded"  # paid back by the hospital (bank reference)


def record_recovery(session: Session, actor: Actor, batch_code: str, hospital_org_id: int, *, amount_fen: int,
                    method: str, reason: str, bank_ref: str, now: datetime) -> PrepaymentRecovery:
    """Record the recovery of (part of) a hospital's outstanding advance once the cycle ended;
    refusals name the field and write nothing."""
    if actor is None:
        raise Forbidden("settlement officers only")
    batch: Batch = officer_batch(session, actor, batch_code)
    try:
        method = RecoveryMethod(method)
    except ValueError:
        raise SettlementRefused(f"收回方式无效 / method must be deducted or refunded: {method!r}") from None
    reason, bank_ref = (reason or "").strip(), (bank_ref or "").strip()
    if not reason or len(reason) > 200:
        raise SettlementRefused("请填写收回原因（不超过 200 字）/ reason: 1–200 characters are required")
    if len(bank_ref) > 60 or (method == RecoveryMethod.REFUNDED and not bank_ref):
        raise SettlementRefused("退回须填写银行流水号（不超过 60 字）/ bank_ref: a refund needs the bank's reference "
                                "(up to 60 characters)")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise SettlementRefused(f"金额须为正的整数分 / amount_fen must be a positive whole number of fen: {amount_fen!r}")
    if batch.cycle_end is None or local_date(now) <= batch.cycle_end:
        end = batch.cycle_end.isoformat() if batch.cycle_end else "—"
        raise SettlementRefused(f"采购周期结束（{end}）后才能收回预付款 / an advance is recovered only after the "
                                f"cycle's end ({end})")
    advisory_xact_lock(session, f"settlement:{batch.id}")
    batch = lock_for_update(session, Batch, batch.id)
    hospital = session.get(Organisation, hospital_org_id)
    outstanding = balances(session, batch.id).get(hospital_org_id, 0) if hospital else 0
    if amount_fen > outstanding:
        raise SettlementRefused(f"收回金额超过未冲抵的预付款（{outstanding} 分）/ amount_fen exceeds the outstanding "
                                f"advance ({outstanding} fen)")
    n = session.exec(select(func.count()).select_from(PrepaymentEntry).where(
        PrepaymentEntry.batch_id == batch.id, PrepaymentEntry.hospital_org_id == hospital.id,
        PrepaymentEntry.kind == "recovery")).one()
    entry = PrepaymentEntry(entry_key=f"recovery:{batch.id}:{hospital.id}:{n + 1}", batch_id=batch.id,
                            hospital_org_id=hospital.id, kind="recovery", amount_fen=-amount_fen,
                            detail=reason, created_by=actor.user_id, created_at=now)
    session.add(entry)
    session.flush()
    recovery = PrepaymentRecovery(batch_id=batch.id, hospital_org_id=hospital.id, amount_fen=amount_fen,
                                  method=method, bank_ref=bank_ref, reason=reason, entry_id=entry.id,
                                  recorded_by=actor.user_id, recorded_at=now)
    session.add(recovery)
    session.flush()
    audit.record(session, actor.audit(), "prepayment.recover", "batch", batch.code,
                 {"hospital": hospital.code, "amount_fen": amount_fen, "method": str(method), "bank_ref": bank_ref,
                  "reason": reason, "outstanding_fen": outstanding}, at=now)
    session.commit()
    return recovery
