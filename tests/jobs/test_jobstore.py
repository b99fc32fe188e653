"""APScheduler keeps its jobs in the platform's database: registered under stable ids on every
start (never duplicated), missed runs caught up, run by textual reference, shown on /jobs."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select, update
from sqlmodel import select as sm_select

from accounts.roles import Role
from jobs import tasks
from jobs.models import JobRun, SchedulerHeartbeat, apscheduler_jobs
from jobs.queries import scheduled_jobs
from jobs.runner import build_scheduler, register_jobs
from settlement.runs.calendar import SHANGHAI
from tests.conftest import login
from tests.jobs.helpers import StoreOnly

JOB_IDS = {"lifecycle", "settlement_calendar", "alerts", "price_monitoring"}


def _started(db, interval: int = 15):
    """A scheduler on the database job store, started with the jobs registered (none runs)."""
    scheduler = build_scheduler(db, StoreOnly)
    register_jobs(scheduler, db, interval, SHANGHAI, datetime.now(UTC))
    scheduler.start(paused=True)
    return scheduler


def _rows(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(apscheduler_jobs)).scalar()


def test_jobs_live_in_the_database_with_their_next_run(db):
    first = _started(db)
    first.shutdown(wait=False)
    with db.read_session() as s:
        jobs = {j.id: j for j in scheduled_jobs(s)}
    assert set(jobs) == JOB_IDS
    assert all(j.next_run_at is not None for j in jobs.values())
    assert jobs["lifecycle"].trigger.startswith("interval") and "cron" in jobs["alerts"].trigger
    assert "结算" in jobs["settlement_calendar"].name
    # the daily alerts run at 08:30 Shanghai time
    assert jobs["alerts"].next_run_at.astimezone(SHANGHAI).strftime("%H:%M") == "08:30"
    # a second start replaces the jobs under the same ids: still one row per job
    second = _started(db)
    second.shutdown(wait=False)
    assert _rows(db) == len(JOB_IDS)


def test_a_run_missed_while_stopped_happens_at_start(db):
    _started(db).shutdown(wait=False)
    past = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    with db.engine.begin() as conn:
        conn.execute(update(apscheduler_jobs).where(apscheduler_jobs.c.id == "alerts").values(next_run_time=past))
    before = datetime.now(UTC)
    _started(db).shutdown(wait=False)
    with db.read_session() as s:
        alerts = next(j for j in scheduled_jobs(s) if j.id == "alerts")
    assert alerts.next_run_at <= before + timedelta(seconds=30)  # due now, not tomorrow


def test_the_scheduler_runs_the_stored_jobs(db, ring):
    scheduler = build_scheduler(db, BackgroundScheduler)
    tasks.set_context(tasks.JobContext(db=db, keyring=ring, interval_seconds=1, host="test", pid=1,
                                       scheduler=scheduler))
    try:
        register_jobs(scheduler, db, 1, SHANGHAI, datetime.now(UTC))
        scheduler.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.read_session() as s:
                beat = s.get(SchedulerHeartbeat, 1)
                calendar = s.exec(sm_select(JobRun).where(JobRun.name == "settlement_calendar")).first()
            if beat is not None and calendar is not None:
                break
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
        tasks.set_context(None)
    assert beat is not None and beat.host == "test"  # the lifecycle job ran (it beats)
    assert calendar is not None and calendar.ok  # the calendar ran at start, by textual reference


def test_jobs_without_a_scheduler_refuse_to_run():
    import pytest

    tasks.set_context(None)
    with pytest.raises(RuntimeError, match="context"):
        tasks.lifecycle()


def test_jobs_page_lists_the_store_and_recent_runs(client, db, world):
    _started(db).shutdown(wait=False)
    now = datetime.now(UTC)
    with db.write_session() as s:
        s.add(JobRun(name="settlement_calendar", started_at=now, seconds=0.25, ok=True, detail="1 done"))
        s.add(JobRun(name="alerts X1", started_at=now, seconds=1.5, ok=False, detail="boom", attempt=2))
        s.commit()
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = client.get("/jobs").get_data(as_text=True)
    for job_id in JOB_IDS:
        assert f"<code>{job_id}</code>" in page
    assert "08:30:00" in page  # the alerts' next run, in Shanghai time
    assert "0.25" in page and "1.50" in page and "boom" in page and "✗" in page
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    assert client.get("/jobs").status_code in (403, 404)


def test_one_pass_by_hand_from_the_cli(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "--once", "alerts"])
    assert result.exit_code == 0, result.output
    # the prune, self-payment and share-class steps: nothing yet
    assert "alerts: 0 done, 3 idle, 0 failed" in result.output
    assert runner.invoke(args=["jobs", "--once", "lifecycle"]).exit_code == 0
    with db.read_session() as s:
        assert [r.name for r in s.exec(sm_select(JobRun)).all()] == ["alerts"]
        assert s.get(SchedulerHeartbeat, 1) is None  # a pass by hand is not a scheduler
    assert runner.invoke(args=["jobs", "--once", "nope"]).exit_code == 2
