"""What the jobs page and the health check show: the schedule, the heartbeat, recent runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from jobs.models import JobRun, SchedulerHeartbeat

#: every kind of scheduled step, and when it runs (each pass checks what is due)
SCHEDULE = (
    ("close_demand", "报量截止时关闭报量 / close demand collection at its deadline"),
    ("open_bids", "开标时间到时开标 / open the bids at the opening time"),
    ("evaluation", "运行排队中的评审 / run queued evaluations"),
    ("publish", "公示期满且异议均已答复时发布 / publish when publicity is over and objections answered"),
)


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
