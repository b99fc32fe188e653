"""What the jobs page and the health check show: the jobs in the job store with their next run,
the heartbeat, recent runs."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from jobs.models import JobRun, SchedulerHeartbeat, apscheduler_jobs


@dataclass(frozen=True)
class ScheduledJob:
    """A job as the job store holds it: id, description, trigger and next run (None: paused)."""

    id: str
    name: str
    trigger: str
    next_run_at: datetime | None


def scheduled_jobs(session: Session) -> list[ScheduledJob]:
    """Every job in APScheduler's job store, soonest first (paused jobs last)."""
    rows = session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time,
                                  apscheduler_jobs.c.job_state)
                           .order_by(apscheduler_jobs.c.next_run_time.is_(None), apscheduler_jobs.c.next_run_time,
                                     apscheduler_jobs.c.id)).all()
    return [_job(job_id, next_run, state) for job_id, next_run, state in rows]


def _job(job_id: str, next_run: float | None, state: bytes) -> ScheduledJob:
    """Read the description and trigger from the stored job state (written by our scheduler)."""
    try:
        data = pickle.loads(state)  # noqa: S301 - the platform's own job store, as APScheduler reads it
        name, trigger = str(data.get("name") or job_id), str(data.get("trigger", ""))
    except Exception:  # noqa: BLE001 - an unreadable job still shows with its id and next run
        name, trigger = job_id, "?"
    when = datetime.fromtimestamp(next_run, UTC) if next_run is not None else None
    return ScheduledJob(job_id, name, trigger, when)


@dataclass(frozen=True)
class SchedulerStatus:
    """The scheduler as seen from outside: alive or not, last beat, next pass."""

    state: str  # ok | stale | absent
    beat: SchedulerHeartbeat | None
    next_pass: datetime | None


def scheduler_status(session: Session, now: datetime) -> SchedulerStatus:
    """``ok`` when the last beat is within three intervals, ``stale`` after, ``absent`` if never."""
    beat = session.get(SchedulerHeartbeat, 1)
    if beat is None:
        return SchedulerStatus("absent", None, None)
    next_pass = beat.beat_at + timedelta(seconds=beat.interval_seconds)
    fresh = now - beat.beat_at <= timedelta(seconds=3 * beat.interval_seconds + 30)
    return SchedulerStatus("ok" if fresh else "stale", beat, next_pass)


def recent_runs(session: Session, limit: int = 100) -> list[JobRun]:
    """The latest step executions, newest first."""
    return list(session.exec(select(JobRun).order_by(JobRun.id.desc()).limit(limit)).all())
