"""Paying approved retained savings by payment instruction and bank file (mode ``instruction``),
through the fund payments outside the monthly run (``settlement.payments.fund``, four-eyes):

* ``request_payments`` — a settlement officer proposes one fund payment of kind ``savings`` per
  payable version with an amount (source ``savings:<batch>:<hospital>:v<version>``: a version is
  paid at most once; a repeat answers the open payment);
* ``approve_payments`` — a second officer approves them: each becomes one instruction in a run
  of kind ``savings``, released to the bank and answered like any payment (bank file, bank
  return, re-issue) from the run's page.

Each fund payment call commits on its own (the fund module's transaction); a step interrupted
half-way is finished by running it again, as a proposed or approved source is never paid twice.
The mode "credited in the next fund settlement" is ``decisions.credit``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from accounts.actor import Actor
from core.i18n import N_
from procurement.models import Batch
from savings.decisions import payable, source_ref
from savings.errors import SavingsError
from savings.store import officer_batch
from settlement.models import FundPayment
from settlement.payments.fund import (
    FundPaymentKind,
    FundPaymentStatus,
    approve_fund_payment,
    paid_at,
    propose_fund_payment,
)


def payments_of(session: Session, batch: Batch) -> dict[str, FundPayment]:
    """The batch's open (proposed or approved) savings payments by source."""
    rows = session.exec(select(FundPayment).where(FundPayment.batch_id == batch.id,
                                                  FundPayment.kind == FundPaymentKind.SAVINGS,
                                                  FundPayment.status != FundPaymentStatus.REJECTED)).all()
    return {p.source_ref: p for p in rows}


def payment_state(session: Session, payment: FundPayment | None) -> str | None:
    """payment_proposed, instructed or paid (None: no payment)."""
    if payment is None:
        return None
    if payment.status == FundPaymentStatus.PROPOSED:
        return "payment_proposed"
    return "paid" if paid_at(session, payment) is not None else "instructed"


def request_payments(session: Session, actor: Actor, code: str, now: datetime) -> int:
    """Propose a fund payment for every payable version with an amount; the number proposed."""
    batch = officer_batch(session, actor, code)
    rows = [a for a in payable(session, batch, now) if a.retained_fen > 0 and a.payment_mode == "instruction"]
    session.commit()
    if not rows:
        raise SavingsError(N_("No approved retained savings are payable yet: each becomes payable after its "
                              "objection period, with every objection answered."))
    for a in rows:
        propose_fund_payment(session, actor, batch_id=batch.id, kind=FundPaymentKind.SAVINGS,
                             payee_org_id=a.hospital_org_id, amount_fen=a.retained_fen,
                             remittance=f"结余留用 {batch.code} 第{a.version}版", source_ref=source_ref(a), now=now)
    return len(rows)


def approve_payments(session: Session, actor: Actor, code: str, now: datetime) -> int:
    """The second officer approves the batch's proposed savings payments; the number approved."""
    batch = officer_batch(session, actor, code)
    waiting = [p.id for p in payments_of(session, batch).values() if p.status == FundPaymentStatus.PROPOSED]
    session.commit()
    if not waiting:
        raise SavingsError(N_("No retained-savings payment awaits approval."))
    for payment_id in waiting:
        approve_fund_payment(session, actor, payment_id, now)
    return len(waiting)
