"""What every scheduled job leaves behind: a ``JobRun`` row per step (and per pass of the
hourly and daily jobs), the scheduler heartbeat, the backoff of failing steps, and a notice to
the officers of the batch concerned when a step starts failing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from accounts.models import Organisation
from core.db import Database, retrying
from jobs.models import JobRun, SchedulerHeartbeat
from notices.services import notify
from procurement.models import Batch

log = logging.getLogger("jicai.jobs")
MAX_BACKOFF_SECONDS = 3600


@dataclass
class StepReport:
    """What one pass of a job did: steps done, failed (with the error), waiting (backing off),
    idle (nothing to do), and each step's duration and summary."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    idle: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)


#: what a step returns when it found nothing to do (not recorded as a run)
IDLE = "idle"

#: the scheduler process's check of its one-scheduler lock (``jobs.lock.guard``), run before
#: every step and heartbeat; None outside the scheduler (tests, ``flask jobs --once``)
_guard: Callable[[], None] | None = None


def set_guard(check: Callable[[], None] | None) -> None:
    """Install (or clear) the lock check run before every step and heartbeat."""
    global _guard
    _guard = check


def checkpoint() -> None:
    """Check the scheduler's lock, if this process is the scheduler (never returns when lost)."""
    if _guard is not None:
        _guard()


def run_step(report: StepReport, name: str, run: Callable[[], str | None], skip: set[str] = frozenset()) -> None:
    """Run one step, recording its outcome and duration (never raising); skipped while backing off.

    ``run`` returns a one-line summary for the log, None, or :data:`IDLE`.
    """
    if name in skip:
        report.waiting.append(name)
        return
    checkpoint()
    started = time.monotonic()
    try:
        detail = run()
    except Exception as exc:  # noqa: BLE001 - one failed step must not stop the others
        log.exception("job step failed: %s", name)
        report.failed.append((name, str(exc) or type(exc).__name__))
    else:
        if detail == IDLE:
            report.idle.append(name)
            return
        log.info("job step done: %s %s", name, detail or "")
        report.done.append(name)
        report.details[name] = detail or ""
    finally:
        report.seconds[name] = time.monotonic() - started


def with_write_session(db: Database, work: Callable[[Session], object]):
    """Run ``work`` in a fresh write session, retrying serialization failures; its result."""
    def unit():
        with db.write_session() as session:
            return work(session)
    return retrying(unit)


def record(db: Database, report: StepReport, now: datetime, *, summary: tuple[str, float] | None = None) -> None:
    """Write a JobRun per done or failed step (and the pass ``summary`` (name, seconds) if given),
    and notify officers of steps that have just started failing."""
    with db.write_session() as s:
        for name in report.done:
            s.add(JobRun(name=name[:80], started_at=now, seconds=report.seconds.get(name, 0.0), ok=True,
                         detail=report.details.get(name, "")[:4000]))
        for name, error in report.failed:
            attempt = attempts(s, name) + 1
            s.add(JobRun(name=name[:80], started_at=now, seconds=report.seconds.get(name, 0.0), ok=False,
                         detail=error[:4000], attempt=attempt))
            if attempt == 1:  # once per streak of failures: the page shows the retries
                notify_failure(s, name, error, now)
        if summary is not None:
            name, seconds = summary
            s.add(JobRun(name=name[:80], started_at=now, seconds=seconds, ok=not report.failed,
                         detail=pass_detail(report)[:4000], attempt=1))
        s.commit()


KEEP_RUNS = timedelta(days=90)  # the lifecycle job alone writes a row per step every 15 s when busy


def prune_runs(db: Database, now: datetime, keep: timedelta = KEEP_RUNS) -> int:
    """Delete job-run rows older than ``keep`` (the page shows the latest; the audit log, not
    this table, is the record of what the platform did); the number deleted."""
    with db.write_session() as s:
        deleted = s.execute(delete(JobRun).where(JobRun.started_at < now - keep)).rowcount
        s.commit()
    return deleted


def pass_detail(report: StepReport) -> str:
    """A one-line account of a pass of an hourly or daily job."""
    parts = [f"{len(report.done)} done, {len(report.idle)} idle, {len(report.failed)} failed"]
    parts += [f"{n}: {d}" for n, d in report.details.items() if d]
    parts += [f"{n}: {e[:200]}" for n, e in report.failed]
    return "; ".join(parts)


def beat(db: Database, now: datetime, *, host: str, pid: int, interval_seconds: int) -> None:
    """Record the scheduler's heartbeat (one row)."""
    checkpoint()
    with db.write_session() as s:
        row = s.get(SchedulerHeartbeat, 1)
        if row is None:
            s.add(SchedulerHeartbeat(id=1, host=host[:100], pid=pid, interval_seconds=interval_seconds, beat_at=now))
        else:
            row.host, row.pid, row.interval_seconds, row.beat_at = host[:100], pid, interval_seconds, now
            s.add(row)
        s.commit()


def attempts(session: Session, name: str) -> int:
    """How many times in a row this step has failed."""
    runs = session.exec(select(JobRun).where(JobRun.name == name[:80]).order_by(JobRun.id.desc()).limit(20)).all()
    count = 0
    for run in runs:
        if run.ok:
            break
        count += 1
    return count


def backoff_seconds(base_seconds: int, attempt: int) -> int:
    """Wait base × 2^(failures so far) before the next attempt, at most an hour."""
    return min(MAX_BACKOFF_SECONDS, base_seconds * 2 ** attempt)


def backing_off(db: Database, now: datetime, interval_seconds: int) -> set[str]:
    """Steps whose last failure is too recent to try again yet."""
    waiting: set[str] = set()
    seen: set[str] = set()
    with db.read_session() as s:
        recent = s.exec(select(JobRun).where(JobRun.started_at > now - timedelta(hours=1))
                        .order_by(JobRun.id.desc())).all()
        for run in recent:
            if run.name in seen:
                continue
            seen.add(run.name)  # only the latest outcome of each step counts
            if not run.ok and now < run.started_at + timedelta(seconds=backoff_seconds(interval_seconds, run.attempt)):
                waiting.add(run.name)
    return waiting


def notify_failure(session: Session, name: str, error: str, now: datetime) -> None:
    """Tell the bureau of the batch concerned (and its fund agency, for settlement steps) that a
    scheduled step failed and will be retried."""
    kind, _sep, code = name.partition(" ")
    batch = session.exec(select(Batch).where(Batch.code == code)).first() if code else None
    if batch is None:
        return
    kinds = ("bureau", "fund") if kind.startswith(("settlement", "alerts")) else ("bureau",)
    for org in session.exec(select(Organisation).where(Organisation.kind.in_(kinds),
                                                       Organisation.region_code == batch.region_code)).all():
        notify(session, [org.id], None, "job_failed", code,
               f"定时任务失败，将自动重试 / scheduled step failed, will retry: {name}: {error[:300]}", now)
