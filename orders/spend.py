"""Hospital-reported monthly total spend (医院采购总金额): the denominator of the platform
purchase share. A hospital buyer reports, per month and kind (drugs, high-value consumables), what
it spent in total — on and off the platform — by the dashboard's form. A second report of the same
month and kind is a correction: it needs a reason, and the earlier row stays, marked superseded
with who and when. The figure in force is the one row not superseded."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from core import audit
from core.db import advisory_xact_lock
from core.i18n import N_
from core.inputs import text_problem
from core.money import MoneyError, format_yuan, parse_amount_fen
from listing.codes import ProductKind
from listing.services import local_date
from orders.models import HospitalSpend
from orders.rules import OrderRefused

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_SPEND_FEN = 10**15  # ¥10 trillion: anything above is a typing error


def report_spend(session: Session, actor: Actor, month: str, kind: str, amount: str, reason: str,
                 now: datetime) -> HospitalSpend:
    """The actor's hospital reports its total spend of ``month`` (YYYY-MM, not after this month)
    on ``kind`` in yuan. Refused, writing nothing: a month badly written or still to come, an
    unknown kind, an amount not in yuan with at most 2 decimals or negative, a correction
    without a reason."""
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospital only")
    month, kind, reason = (month or "").strip(), (kind or "").strip(), (reason or "").strip()
    if not MONTH.match(month):
        raise OrderRefused.one(N_("the month must look like 2026-12: %(value)s", value=month[:20]), "month")
    if month > local_date(now).isoformat()[:7]:
        raise OrderRefused.one(N_("the month %(month)s has not begun", month=month), "month")
    if kind not in set(ProductKind):
        raise OrderRefused.one(N_("choose drugs or high-value consumables"), "kind")
    try:
        amount_fen = parse_amount_fen(str(amount or "").strip().replace(",", ""))
    except (MoneyError, ArithmeticError, ValueError):
        raise OrderRefused.one(N_("not an amount in yuan with at most 2 decimals: %(value)s",
                                  value=str(amount)[:40]), "amount") from None
    if not 0 <= amount_fen < MAX_SPEND_FEN:
        raise OrderRefused.one(N_("the amount must be 0 or more and below ¥10,000,000,000,000"), "amount")
    if text_problem(reason, 200):
        raise OrderRefused.one(N_("at most %(n)s characters, no control characters", n=200), "reason")
    hospital = session.get(Organisation, actor.org_id)
    advisory_xact_lock(session, f"spend:{hospital.id}:{month}:{kind}")
    current = session.exec(select(HospitalSpend).where(
        HospitalSpend.hospital_org_id == hospital.id, HospitalSpend.month == month, HospitalSpend.kind == kind,
        HospitalSpend.superseded_at.is_(None)).with_for_update()).first()
    if current is not None and not reason:
        raise OrderRefused.one(N_("%(month)s is already reported (%(amount)s): say why you correct it",
                                  month=month, amount=format_yuan(current.amount_fen)), "reason")
    if current is not None:
        current.superseded_by, current.superseded_at = actor.user_id, now
        session.add(current)
    row = HospitalSpend(hospital_org_id=hospital.id, region_code=hospital.region_code, month=month, kind=kind,
                        amount_fen=amount_fen, reason=reason, reported_by=actor.user_id, reported_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor.audit(), "spend.report", "hospital_spend", row.id,
                 {"month": month, "kind": kind, "amount_fen": amount_fen, "reason": reason,
                  "replaces": current.id if current is not None else None})
    session.commit()
    return row
