"""Daily alerts for batches in execution, each sent at most once per period:

* **overdue payments** — accepted lines unpaid past their due date → the fund agency's
  settlement officers of the batch's region (once a day);
* **progress** — from the cycle's 3rd month, hospitals that have not started buying the
  winning products → the bureau (once a month);
* **approval reminder** — runs computed more than a day ago and not yet approved → the
  settlement officers (once a day).

The queries are the settlement read models (``settlement.monitoring.queries``), seen as the batch's
bureau sees its region.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from core.clock import local_text
from core.db import Database
from core.money import format_yuan
from jobs.bookkeeping import IDLE, StepReport, run_step, with_write_session
from notices.services import notify_once
from procurement.demand import context as demand_context
from procurement.lifecycle import BatchStatus
from procurement.models import Batch
from settlement.models import SettlementRun
from settlement.monitoring.progress import cycle_month
from settlement.monitoring.queries import overdue, progress_report
from settlement.runs.calendar import (
    SHANGHAI,
    batches_in_execution,
    fund_org_ids,
    local_date,
    period_start,
)

OVERDUE, NOT_STARTED, APPROVAL = "payment_overdue", "progress_not_started", "settlement_approval_reminder"
DEMAND_DUE = "demand_deadline_reminder"
DEMAND_REMIND_BEFORE = timedelta(hours=48)  # hospitals without demand are reminded in the last two days
PROGRESS_FROM_MONTH = 3  # domain.md §6: flag hospitals not buying the winners from the 3rd month
LISTED = 20  # hospital codes named in a progress notice


def bureau_view(session: Session, batch: Batch) -> Actor:
    """A read-only actor standing for the batch's bureau (to reuse the scoped read models)."""
    org = session.exec(select(Organisation).where(Organisation.kind == "bureau",
                                                  Organisation.region_code == batch.region_code)
                       .order_by(Organisation.id)).first()
    return Actor(user_id=0, username="scheduler", role=Role.PRICE_OFFICER, org_id=org.id if org else 0,
                 org_kind="bureau", region_code=batch.region_code)


def bureau_org_ids(session: Session, batch: Batch) -> list[int]:
    """The active bureaus of the batch's region."""
    return list(session.exec(select(Organisation.id).where(
        Organisation.kind == "bureau", Organisation.active == True,  # noqa: E712
        Organisation.region_code == batch.region_code)).all())


def _overdue(session: Session, batch: Batch, now: datetime, tz: ZoneInfo) -> int:
    """Overdue payment lines of the batch → settlement officers, once a day."""
    late = overdue(session, batch, local_date(now, tz), limit=1)
    if not late.count:
        return 0
    total, worst = late.total_fen, late.max_days_overdue
    text = (f"{late.count} 条验收明细逾期未付，合计 {format_yuan(total)}，最长逾期 {worst} 天 / {late.count} "
            f"accepted lines are past their payment deadline, {format_yuan(total)} in total, the oldest by "
            f"{worst} days")
    return notify_once(session, dict.fromkeys(fund_org_ids(session, batch), text), Role.SETTLEMENT_OFFICER,
                       OVERDUE, batch.code, now, period_start(now, tz, monthly=False))


def _progress(session: Session, batch: Batch, now: datetime, tz: ZoneInfo) -> int:
    """From the 3rd cycle month, hospitals not yet buying the winners → the bureau, once a month."""
    today = local_date(now, tz)
    if batch.cycle_start is None or batch.cycle_end is None:
        return 0
    if cycle_month(batch.cycle_start, today) < PROGRESS_FROM_MONTH or today > batch.cycle_end:
        return 0
    report, _names = progress_report(session, bureau_view(session, batch), batch, today)
    hospitals = report.not_started_hospitals
    if not hospitals:
        return 0
    named = "、".join(hospitals[:LISTED]) + ("…" if len(hospitals) > LISTED else "")
    text = (f"采购周期第{report.cycle_month}个月，{len(hospitals)} 家医疗机构尚未采购中选产品：{named} / cycle month "
            f"{report.cycle_month}: {len(hospitals)} hospitals have not started buying the selected products: {named}")
    return notify_once(session, dict.fromkeys(bureau_org_ids(session, batch), text), None, NOT_STARTED,
                       batch.code, now, period_start(now, tz, monthly=True))


def _approvals(session: Session, batch: Batch, now: datetime, tz: ZoneInfo) -> int:
    """Runs computed over a day ago and still unapproved → settlement officers, once a day."""
    refs = session.exec(select(SettlementRun.run_ref).where(
        SettlementRun.batch_id == batch.id, SettlementRun.status == "computed",
        SettlementRun.computed_at <= now - timedelta(days=1)).order_by(SettlementRun.id)).all()
    if not refs:
        return 0
    text = (f"结算 {'、'.join(refs)} 仍待另一名结算员审核 / settlement runs {', '.join(refs)} still await "
            f"approval by a second settlement officer")
    return notify_once(session, dict.fromkeys(fund_org_ids(session, batch), text), Role.SETTLEMENT_OFFICER,
                       APPROVAL, batch.code, now, period_start(now, tz, monthly=False))


def alerts_for_batch(session: Session, batch_code: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> str:
    """Send the batch's due alerts (commits); a summary, or ``IDLE`` when nothing new was sent."""
    batch = session.exec(select(Batch).where(Batch.code == batch_code)).one()
    sent = {kind: check(session, batch, now, tz)
            for kind, check in ((OVERDUE, _overdue), (NOT_STARTED, _progress), (APPROVAL, _approvals))}
    session.commit()
    if not any(sent.values()):
        return IDLE
    return ", ".join(f"{kind} → {n}" for kind, n in sent.items() if n)


def demand_reminders_for_batch(session: Session, batch_code: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> str:
    """In the last two days before the demand deadline, remind each hospital of the batch that
    has not submitted its demand — once (commits); a summary, or ``IDLE``."""
    batch = session.exec(select(Batch).where(Batch.code == batch_code)).one()
    deadline = batch.demand_deadline
    if batch.status != BatchStatus.DEMAND or deadline is None or not deadline - DEMAND_REMIND_BEFORE <= now < deadline:
        return IDLE
    catalog = demand_context.batch_catalog(session, batch)
    done = demand_context.submitted_hospital_ids(session, batch.id)
    zh, en = local_text(deadline, tz.key)
    text = (f"{batch.name}（{batch.code}）报量将于 {zh} 截止，贵院尚未提交 / demand collection for {batch.code} "
            f"closes {en}; your hospital has not submitted yet")
    missing = {org.id: text for org, _region in demand_context.batch_hospitals(session, catalog.regions)
               if org.id not in done}
    sent = notify_once(session, missing, Role.HOSPITAL_BUYER, DEMAND_DUE, batch.code, now,
                       deadline - DEMAND_REMIND_BEFORE)
    session.commit()
    return f"{DEMAND_DUE} → {sent}" if sent else IDLE


def alert_steps(db: Database, now: datetime, tz: ZoneInfo = SHANGHAI) -> StepReport:
    """One alerts step per batch in execution, and a reminder step per batch collecting demand,
    each in its own transaction."""
    report = StepReport()
    with db.read_session() as s:
        codes = batches_in_execution(s)
        collecting = list(s.exec(select(Batch.code).where(Batch.status == BatchStatus.DEMAND)
                                 .order_by(Batch.code)).all())
    for code in codes:
        run_step(report, f"alerts {code}", run=lambda c=code: with_write_session(
            db, lambda s: alerts_for_batch(s, c, now, tz)))
    for code in collecting:
        run_step(report, f"demand_reminders {code}", run=lambda c=code: with_write_session(
            db, lambda s: demand_reminders_for_batch(s, c, now, tz)))
    return report
