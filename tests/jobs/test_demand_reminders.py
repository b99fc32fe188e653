"""The daily alerts remind hospitals without demand in the last two days before the deadline, once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from accounts.roles import Role
from jobs.alerts import DEMAND_DUE, alert_steps
from notices.models import Notification
from procurement.demand.services import submit_demand
from tests.procurement.demand_fixtures import BEFORE, DEADLINE, GOOD, make_demand_batch


def _reminded(db) -> list[tuple[int, str]]:
    """(hospital org id, text) of the demand reminders sent so far."""
    with db.read_session() as s:
        return [(n.org_id, n.text) for n in s.exec(select(Notification).where(Notification.kind == DEMAND_DUE)
                                                  .order_by(Notification.org_id)).all()]


def test_reminders_in_the_last_two_days_once_and_only_to_hospitals_without_demand(db, session, world):
    setup = make_demand_batch(session, world)
    submit_demand(session, world.actors[("A", Role.HOSPITAL_BUYER)], "DB1", "A-hospital", GOOD, "a.xlsx", BEFORE)
    session.close()
    assert alert_steps(db, DEADLINE - timedelta(hours=49)).idle == ["demand_reminders DB1"]
    assert _reminded(db) == []  # too early
    report = alert_steps(db, DEADLINE - timedelta(hours=20))
    assert (report.failed, report.done) == ([], ["demand_reminders DB1"])
    sent = _reminded(db)
    names = {o.id: key for key, o in setup.hospitals.items()}
    assert sorted(names[org] for org, _t in sent) == ["A2", "A3"]  # A-hospital has submitted
    assert all("2099-01-10 17:00 (北京时间)" in text for _o, text in sent)
    alert_steps(db, DEADLINE - timedelta(hours=2))
    assert _reminded(db) == sent  # once
    alert_steps(db, DEADLINE + timedelta(hours=1))
    assert _reminded(db) == sent  # none after the deadline


def test_the_daily_pass_prunes_job_runs_older_than_ninety_days(db):
    from datetime import UTC, datetime

    from jobs.models import JobRun
    from jobs.tasks import alerts_pass

    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    with db.write_session() as s:
        s.add_all([JobRun(name="lifecycle", started_at=now - timedelta(days=d), seconds=0.1) for d in (1, 89, 91, 400)])
        s.commit()
    report = alerts_pass(db, now)
    assert "prune_job_runs" in report.done
    with db.read_session() as s:
        ages = sorted((now - r.started_at).days for r in s.exec(select(JobRun).where(JobRun.name == "lifecycle")))
    assert ages == [1, 89]
