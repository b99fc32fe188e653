"""The daily overdue alert of self-settled payments (the scheduler's ``alerts`` pass): each
hospital with unpaid rows past the deadline is told, and so is every bureau whose region holds
such a hospital — once a day each (``notices.services.notify_once``), so a pass repeated the same
day sends nothing twice."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core.i18n import N_
from core.money import format_yuan
from core.regions import NATIONAL, region_prefix
from listing.services import SHANGHAI, local_date
from notices.services import notify_once
from selfpay.queries import figures, ledger
from selfpay.rules import DEFAULT_DEADLINE_DAYS

KIND = "selfpay_overdue"
SYSTEM = Actor(user_id=0, username="scheduler", role=Role.PRICE_OFFICER, org_id=0, org_kind="bureau",
               region_code=NATIONAL)  # sees every region: the alert then tells each bureau its own


def send_overdue_alerts(session: Session, now: datetime, days: int = DEFAULT_DEADLINE_DAYS) -> int:
    """Notify hospitals with overdue self-settled rows and their bureaus, once a day (commits);
    the number of notices added."""
    today = local_date(now)
    since = datetime.combine(today, time(0), SHANGHAI)
    late = [f for f in figures(ledger(session, SYSTEM, today, days, unpaid_only=True), today) if f.overdue]
    if not late:
        return 0
    regions = dict(session.exec(select(Organisation.id, Organisation.region_code)
                                .where(Organisation.id.in_([f.hospital_org_id for f in late]))).all())
    to_hospitals = {f.hospital_org_id: N_(
        "%(n)s accepted lines you settle yourself are past the %(days)s-day payment deadline, %(amount)s in total, "
        "the oldest by %(oldest)s days", n=f.overdue, days=days, amount=format_yuan(f.overdue_fen),
        oldest=f.oldest_days) for f in late}
    sent = notify_once(session, to_hospitals, Role.HOSPITAL_BUYER, KIND, "", now, since)
    to_bureaus = {}
    for bureau_id, region in session.exec(select(Organisation.id, Organisation.region_code).where(
            Organisation.kind == OrgKind.BUREAU, Organisation.active == True)).all():  # noqa: E712
        prefix = region_prefix(region)
        mine = [f for f in late if regions.get(f.hospital_org_id, "").startswith(prefix)]
        if mine:
            to_bureaus[bureau_id] = N_(
                "%(h)s hospitals have self-settled lines past the payment deadline: %(n)s lines, %(amount)s",
                h=len(mine), n=sum(f.overdue for f in mine), amount=format_yuan(sum(f.overdue_fen for f in mine)))
    sent += notify_once(session, to_bureaus, None, KIND, "", now, since)
    session.commit()
    return sent
