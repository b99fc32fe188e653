"""The settlement calendar and daily alerts as scheduled jobs: recorded runs, failures reported
and retried with backoff, and alerts sent once per period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from jobs.alerts import APPROVAL, NOT_STARTED, OVERDUE
from jobs.models import JobRun
from jobs.queries import scheduled_jobs
from jobs.runner import build_scheduler
from jobs.tasks import alerts_pass, calendar_pass, schedule_retry
from notices.models import Notification
from settlement import services
from settlement.models import SettlementRun
from tests.jobs.helpers import StoreOnly
from tests.settlement.fixtures_db import setup  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
OCT_END = datetime(2026, 10, 31, 4, 0, tzinfo=UTC)


def sh(month: int, day: int, hour: int = 10) -> datetime:
    """A Shanghai wall-clock time in 2026."""
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


def settle_ready(session, world, setup, day: int = 3):  # noqa: F811
    """One October line of province A, accepted, applied and confirmed."""
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    d = services.record_delivery(session, supplier, services.DeliveryInput(
        setup.contracts["YP001"].code, 100, date(2026, 10, day)), OCT_END)
    acc = services.accept_delivery(session, hospital, d.id, 100, date(2026, 10, day), OCT_END)
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", sh(11, 1))
    services.reconcile(session, hospital, [acc.id], True, "", sh(11, 4))
    return acc


def _kinds(db, kind) -> list[Notification]:
    with db.read_session() as s:
        return list(s.exec(select(Notification).where(Notification.kind == kind)).all())


def _runs(db, prefix: str) -> list[JobRun]:
    with db.read_session() as s:
        return list(s.exec(select(JobRun).where(JobRun.name.startswith(prefix)).order_by(JobRun.id)).all())


def test_calendar_pass_runs_the_month_on_the_pay_day_and_records_it(db, session, world, setup):  # noqa: F811
    settle_ready(session, world, setup)
    session.close()
    assert calendar_pass(db, sh(11, 6)).done == []  # the 6th: waiting
    report = calendar_pass(db, sh(11, 7, 1))
    assert report.done == [f"settlement_calendar {setup.code}"] and report.failed == []
    assert "JSFOREIGN2" in " ".join(report.idle)  # nothing to settle there: idle, not failed
    again = calendar_pass(db, sh(11, 7, 2))
    assert again.done == [] and again.failed == []  # a second pass is a no-op
    with db.read_session() as s:
        assert len(s.exec(select(SettlementRun)).all()) == 1
    step = _runs(db, f"settlement_calendar {setup.code}")
    assert len(step) == 1 and step[0].ok and "run S" in step[0].detail
    passes = _runs(db, "settlement_calendar")
    assert [r.name for r in passes].count("settlement_calendar") == 3  # one summary row per pass
    assert all(r.seconds >= 0 for r in passes)


def test_a_failing_calendar_step_is_reported_and_retried_with_backoff(db, session, world, setup):  # noqa: F811
    settle_ready(session, world, setup)
    fund = session.get(Organisation, world.orgs[("A", OrgKind.FUND)].id)
    fund.bank_account = None  # the run cannot be paid from nowhere
    session.add(fund)
    session.commit()
    session.close()
    scheduler = build_scheduler(db, StoreOnly)
    scheduler.start(paused=True)
    try:
        now = sh(11, 7)
        first = calendar_pass(db, now)
        assert first.failed and "bank account" in first.failed[0][1]
        assert schedule_retry(scheduler, db, "settlement_calendar", first, now) == now + timedelta(seconds=60)
        second = calendar_pass(db, now + timedelta(minutes=1))
        assert schedule_retry(scheduler, db, "settlement_calendar", second, now) == now + timedelta(seconds=120)
        with db.read_session() as s:
            retry = next(j for j in scheduled_jobs(s) if j.id == "settlement_calendar-retry")
        assert retry.next_run_at == now + timedelta(seconds=120)  # one retry job, replaced
    finally:
        scheduler.shutdown(wait=False)
    failed = _runs(db, f"settlement_calendar {setup.code}")
    assert [(r.ok, r.attempt) for r in failed] == [(False, 1), (False, 2)]
    notices = _kinds(db, "job_failed")  # bureau and fund of the batch's region, once per streak
    assert {n.org_id for n in notices} == {world.orgs[("A", OrgKind.BUREAU)].id, world.orgs[("A", OrgKind.FUND)].id}
    assert len(notices) == 2
    # repaired: the next pass settles
    with db.write_session() as s:
        fund = s.get(Organisation, world.orgs[("A", OrgKind.FUND)].id)
        fund.bank_account = "6222000011112222"
        s.add(fund)
        s.commit()
    assert calendar_pass(db, sh(11, 7, 12)).done == [f"settlement_calendar {setup.code}"]
    assert schedule_retry(scheduler, db, "settlement_calendar", calendar_pass(db, sh(11, 7, 13)), now) is None


def test_overdue_payments_alert_the_fund_once_a_day(db, session, world, setup):  # noqa: F811
    settle_ready(session, world, setup, day=3)  # due on 2 November, unpaid
    session.close()
    report = alerts_pass(db, sh(11, 10, 8))
    assert report.done == [f"alerts {setup.code}"]
    (notice,) = _kinds(db, OVERDUE)
    assert notice.org_id == world.orgs[("A", OrgKind.FUND)].id and notice.role == "settlement_officer"
    assert "¥12.34" in notice.text and "8" in notice.text  # 100 × ¥0.1234, 8 days overdue
    assert alerts_pass(db, sh(11, 10, 20)).done == []  # same day: nothing new
    alerts_pass(db, sh(11, 11, 8))
    assert len(_kinds(db, OVERDUE)) == 2  # the next day: again
    summary = _runs(db, "alerts")[-1]
    assert summary.name == "alerts" and summary.ok


def test_hospitals_not_buying_alert_the_bureau_from_the_third_month(db, session, world, setup):  # noqa: F811
    session.close()
    alerts_pass(db, sh(11, 30))  # cycle month 2
    assert _kinds(db, NOT_STARTED) == []
    alerts_pass(db, sh(12, 1))  # month 3: hospital A has bought nothing
    by_batch = {n.batch_code: n for n in _kinds(db, NOT_STARTED)}
    assert set(by_batch) == {setup.code, "JSFOREIGN2"}  # each province's bureau hears of its own
    notice = by_batch[setup.code]
    assert notice.org_id == world.orgs[("A", OrgKind.BUREAU)].id and "A-hospital" in notice.text
    assert "B-hospital" not in notice.text
    alerts_pass(db, sh(12, 15))
    assert len(_kinds(db, NOT_STARTED)) == 2  # once a month


def test_runs_awaiting_approval_are_reminded_daily(db, session, world, setup):  # noqa: F811
    settle_ready(session, world, setup)
    services.run_settlement(session, None, setup.code, "2026-10", sh(11, 7))
    session.close()
    alerts_pass(db, sh(11, 7, 20))
    assert _kinds(db, APPROVAL) == []  # computed today: not yet a reminder
    alerts_pass(db, sh(11, 9))
    (notice,) = _kinds(db, APPROVAL)
    assert notice.org_id == world.orgs[("A", OrgKind.FUND)].id and "S" in notice.text
