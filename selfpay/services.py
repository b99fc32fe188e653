"""Recording a hospital's own payment (自行结算) of accepted order rows: one use case, one
transaction. Refused with every reason (row, field, reason) and nothing written when: a row is
unknown or another hospital's, rejected or settled directly by the fund (inside the
direct-settlement scope, ``directpay``),
already paid, named twice, or for another payee than the others; the amount is not the rows'
total to the fen; the date is in the future or before a row's acceptance; the bank reference is
malformed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from core import audit
from core.db import advisory_xact_lock
from core.i18n import N_
from core.inputs import day as read_day
from core.money import MoneyError, format_yuan, parse_amount_fen
from directpay.queries import direct_ids
from listing.services import local_date
from orders.models import OrderAcceptance
from orders.rules import OrderRefused
from selfpay.models import SelfPayment, SelfPaymentLine
from selfpay.rules import MAX_LINES, bank_ref_problem


def _rows(session: Session, hospital_id: int, ids: Sequence[int], problems: list) -> list[OrderAcceptance]:
    """The accepted rows named, each checked: the hospital's own, self-settled (accepted, outside
    the direct-settlement scope in force on its acceptance day), not yet paid."""
    found = {r.id: r for r in session.exec(select(OrderAcceptance).where(OrderAcceptance.id.in_(list(ids)))).all()}
    direct = direct_ids(session, list(found))
    paid = {acc: pid for acc, pid in session.exec(select(SelfPaymentLine.acceptance_id, SelfPaymentLine.payment_id)
                                                  .where(SelfPaymentLine.acceptance_id.in_(list(ids)))).all()}
    rows, seen = [], set()
    for k, row_id in enumerate(ids):
        row = found.get(row_id)
        if row is None or row.hospital_org_id != hospital_id:
            problems.append((None, f"lines[{k}]", N_("no such accepted line of your hospital: %(id)s", id=row_id)))
        elif row_id in seen:
            problems.append((None, f"lines[{k}]", N_("line %(id)s is named twice", id=row_id)))
        elif row.kind != "accepted" or row.id in direct:
            problems.append((None, f"lines[{k}]", N_("line %(id)s is not self-settled (the fund settles it directly, "
                                                     "or it was rejected)", id=row_id)))
        elif row_id in paid:
            problems.append((None, f"lines[{k}]", N_("line %(id)s is already paid (payment %(payment)s)", id=row_id,
                                                     payment=paid[row_id])))
        else:
            rows.append(row)
        seen.add(row_id)
    return rows


def record_self_payment(session: Session, actor: Actor, acceptance_ids: Sequence[int], paid_on: date | str | None,
                        amount: str, bank_ref: str, now: datetime) -> SelfPayment:
    """The hospital records its own payment to one supplier of the accepted rows ``acceptance_ids``
    (``order_acceptance`` ids): paid on ``paid_on``, ``amount`` yuan (exactly their total) with
    the bank's reference. All or nothing."""
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospital only")
    advisory_xact_lock(session, f"selfpay:{actor.org_id}")  # a row is paid once, even by concurrent requests
    problems: list = []
    ids = list(acceptance_ids)
    if not ids:
        problems.append((None, "lines", N_("choose the accepted lines this payment covers")))
    elif len(ids) > MAX_LINES:
        problems.append((None, "lines", N_("at most %(n)s lines in one payment", n=MAX_LINES)))
        ids = []
    rows = _rows(session, actor.org_id, ids, problems) if ids else []
    suppliers = {r.supplier_org_id for r in rows}
    if len(suppliers) > 1:
        problems.append((None, "lines", N_("one payment pays one supplier: the lines are of %(n)s suppliers",
                                           n=len(suppliers))))
    day, today = read_day(paid_on), local_date(now)
    if day is None:
        problems.append((None, "paid_on", N_("the payment date must be a date (YYYY-MM-DD): %(value)s",
                                             value=str(paid_on or "")[:20])))
    elif day > today:
        problems.append((None, "paid_on", N_("the payment date %(day)s is in the future", day=day.isoformat())))
    elif rows and day < max(r.accepted_on for r in rows):
        problems.append((None, "paid_on", N_("the payment date %(day)s is before the acceptance on %(accepted)s",
                                             day=day.isoformat(), accepted=max(r.accepted_on for r in rows).isoformat())))
    total = sum(r.amount_fen for r in rows)
    try:
        fen = parse_amount_fen(str(amount or "").strip().replace(",", ""))
    except MoneyError as exc:
        problems.append((None, "amount", N_("the amount must be yuan with at most 2 decimals: %(reason)s",
                                            reason=exc.args[0])))
    else:
        if fen <= 0:
            problems.append((None, "amount", N_("the amount must be above zero")))
        elif rows and len(rows) == len(ids) and fen != total:
            problems.append((None, "amount", N_("the amount %(amount)s is not the lines' total %(total)s (partial "
                                                "payments are not recorded: pay whole lines)",
                                                amount=format_yuan(fen), total=format_yuan(total))))
    ref = (bank_ref or "").strip()
    if (why := bank_ref_problem(ref)) is not None:
        problems.append((None, "bank_ref", why))
    if problems:
        raise OrderRefused(problems)
    hospital = session.get(Organisation, actor.org_id)
    payment = SelfPayment(hospital_org_id=actor.org_id, supplier_org_id=suppliers.pop(), region_code=hospital.region_code,
                          paid_on=day, amount_fen=total, bank_ref=ref, recorded_by=actor.user_id, recorded_at=now)
    session.add(payment)
    session.flush()
    session.add_all([SelfPaymentLine(payment_id=payment.id, acceptance_id=r.id, hospital_org_id=actor.org_id,
                                     region_code=hospital.region_code, amount_fen=r.amount_fen) for r in rows])
    session.flush()
    audit.record(session, actor.audit(), "selfpay.recorded", "self_payment", payment.id,
                 {"lines": [r.id for r in rows], "amount_fen": total, "paid_on": day.isoformat(), "bank_ref": ref})
    session.commit()
    return payment
