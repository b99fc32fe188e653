"""The scheduled jobs, as module-level functions the job store refers to by name
(``jobs.tasks:lifecycle`` …). They take no arguments: the database, keyring and time zone come
from the context that ``jobs.runner.run_scheduler`` sets once per process.

Each job's pass is also callable directly with an explicit ``now`` (``lifecycle_pass`` …), which
is what the tests and a by-hand run use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler

from bidding.keys import KeyRing
from core import audit, held
from core.audit_checkpoints import checkpoint_to_file
from core.clock import utcnow
from core.db import Database
from jobs.alerts import alert_steps
from jobs.bookkeeping import (
    IDLE,
    StepReport,
    attempts,
    backoff_seconds,
    prune_runs,
    record,
    run_step,
    with_write_session,
)
from jobs.steps import run_and_record
from orders import rollup as share_rollup
from pricewatch import schedule as price_schedule
from pricewatch.monitor import run_monitoring
from selfpay.alerts import KIND as SELFPAY_OVERDUE
from selfpay.alerts import send_overdue_alerts
from settlement.runs.calendar import SHANGHAI, batches_in_execution, run_calendar_step

log = logging.getLogger("jicai.jobs")
RETRY_BASE_SECONDS = 60  # first retry of a failed hourly/daily pass after 1 min, then 2, 4 … ≤ 1 h


@dataclass(frozen=True)
class JobContext:
    """What the jobs need, set once by the scheduler process."""

    db: Database
    keyring: KeyRing
    tz: ZoneInfo = SHANGHAI
    interval_seconds: int = 15
    host: str = ""
    pid: int = 0
    scheduler: BaseScheduler | None = None
    guard: Callable[[], None] = lambda: None  # checks the one-scheduler lock (exits when lost)
    evaluation_workers: int = 1  # processes a queued evaluation is solved in
    self_pay_days: int = 30  # the self-settled payment deadline (settings.self_pay_days)


_context: JobContext | None = None
_held_folder: Path | None = None


def set_context(context: JobContext | None) -> None:
    """Install (or clear) the context the job functions read."""
    global _context
    _context = context


def context() -> JobContext:
    """The installed context (a job run outside the scheduler process is a programming error)."""
    if _context is None:
        raise RuntimeError("jobs context not set: start the scheduler with jobs.runner.run_scheduler")
    return _context


# -- the passes, with an explicit time ----------------------------------------------------------


def set_held_folder(folder: Path | None) -> None:
    """Where the web process holds files for users (``core.held``), swept by the hourly pass."""
    global _held_folder
    _held_folder = folder


def _swept(folder: Path, now: datetime) -> str:
    """Remove expired held files; the step's summary (idle when none had expired)."""
    count = held.sweep(folder, now.timestamp())
    return f"{count} expired held files removed" if count else IDLE


def calendar_pass(db: Database, now: datetime, tz: ZoneInfo = SHANGHAI) -> StepReport:
    """The settlement calendar for every batch in execution, one step per batch, then the sweep of
    expired held files; recorded."""
    started = time.monotonic()
    report = StepReport()
    with db.read_session() as s:
        codes = batches_in_execution(s)
    for code in codes:
        run_step(report, f"settlement_calendar {code}", run=lambda c=code: _calendar_step(db, c, now, tz))
    if _held_folder is not None:
        run_step(report, "sweep_held_files", run=lambda: _swept(_held_folder, now))
    record(db, report, now, summary=("settlement_calendar", time.monotonic() - started))
    return report


def _calendar_step(db: Database, code: str, now: datetime, tz: ZoneInfo) -> str:
    """One batch's calendar step in its own write session; its summary, or IDLE."""
    outcome = with_write_session(db, lambda s: run_calendar_step(s, code, now, tz))
    return outcome.summary() if outcome.acted else IDLE


def _share_classes(session) -> str:
    """Move the products whose VBP class changed to it in the share rollup (``orders.rollup``), committed."""
    count = share_rollup.reclassify(session)
    session.commit()
    return f"{count} products moved to their current VBP class in the share rollup" if count else IDLE


def _pruned(count: int) -> str:
    """The prune step's summary (idle when nothing was old enough)."""
    return f"{count} job runs older than 90 days deleted" if count else IDLE


def _checkpointed(db: Database, now: datetime) -> str:
    """Verify the audit chain and append a signed checkpoint to the configured file."""
    with db.read_session() as s:
        checkpoint = checkpoint_to_file(s, audit.signing_ring(), audit.checkpoint_file(), now)
    return f"audit checkpoint at entry {checkpoint.seq}"


def _selfpay_summary(sent: int) -> str:
    return f"{SELFPAY_OVERDUE} → {sent}" if sent else IDLE


def alerts_pass(db: Database, now: datetime, tz: ZoneInfo = SHANGHAI, self_pay_days: int = 30) -> StepReport:
    """The daily alerts (and the self-settled payments' overdue step, ``selfpay.alerts``), recorded; and the audit checkpoint when a checkpoint file is configured
    (a broken chain fails the step, so it shows on the jobs page and is retried)."""
    started = time.monotonic()
    report = alert_steps(db, now, tz)
    run_step(report, "selfpay_overdue", run=lambda: with_write_session(
        db, lambda s: _selfpay_summary(send_overdue_alerts(s, now, self_pay_days))))
    run_step(report, "share_classes", run=lambda: with_write_session(db, _share_classes))
    run_step(report, "prune_job_runs", run=lambda: _pruned(prune_runs(db, now)))
    if audit.checkpoint_file() is not None:
        run_step(report, "audit_checkpoint", run=lambda: _checkpointed(db, now))
    record(db, report, now, summary=("alerts", time.monotonic() - started))
    return report


def price_monitoring_pass(db: Database, now: datetime, tz: ZoneInfo = SHANGHAI) -> StepReport:
    """The price monitoring due today (``pricewatch.schedule``): one step per region and run, each
    its own transaction; recorded."""
    started = time.monotonic()
    report = StepReport()
    runs = price_schedule.due_runs(now.astimezone(tz).date())
    if runs:
        with db.read_session() as s:
            regions = price_schedule.regions(s)
        for region in regions:
            for period, start, end, deep in runs:
                run_step(report, f"price_monitoring {region} {period}", run=lambda r=region, p=period, a=start, b=end,
                         d=deep: _monitored(db, r, p, a, b, d, now))
    record(db, report, now, summary=("price_monitoring", time.monotonic() - started))
    return report


def _monitored(db: Database, region: str, period: str, start, end, deep: bool, now: datetime) -> str:
    done = with_write_session(db, lambda s: run_monitoring(s, None, period, start, end, now, deep=deep,
                                                           region_code=region))
    return f"{done.collected} observations, {done.raised} alerts" if done.collected or done.raised else IDLE


def schedule_retry(scheduler: BaseScheduler | None, db: Database, job_id: str, report: StepReport,
                   now: datetime) -> datetime | None:
    """After a pass with failed steps, run the job again once, backing off exponentially with
    the failures in a row (a one-off job ``<job_id>-retry`` in the job store); when it runs."""
    if scheduler is None or not report.failed:
        return None
    with db.read_session() as s:
        streak = max(attempts(s, name) for name, _error in report.failed)
    at = now + timedelta(seconds=backoff_seconds(RETRY_BASE_SECONDS, max(streak - 1, 0)))
    scheduler.add_job(f"jobs.tasks:{job_id}", "date", run_date=at, id=f"{job_id}-retry", replace_existing=True,
                      name=f"重试 / retry: {job_id}")
    log.info("job %s will be retried at %s", job_id, at.isoformat())
    return at


# -- the jobs the store refers to ---------------------------------------------------------------


def lifecycle() -> None:
    """Due lifecycle steps: close demand, open bids, run queued evaluations, publish."""
    ctx = context()
    ctx.guard()
    run_and_record(ctx.db, ctx.keyring, utcnow(), host=ctx.host, pid=ctx.pid, interval_seconds=ctx.interval_seconds,
                   evaluation_workers=ctx.evaluation_workers)


def settlement_calendar() -> None:
    """The monthly settlement calendar: reminders, then the system run from the pay day."""
    ctx = context()
    ctx.guard()
    now = utcnow()
    schedule_retry(ctx.scheduler, ctx.db, "settlement_calendar", calendar_pass(ctx.db, now, ctx.tz), now)


def alerts() -> None:
    """Overdue payments, progress and approval reminders."""
    ctx = context()
    ctx.guard()
    now = utcnow()
    schedule_retry(ctx.scheduler, ctx.db, "alerts", alerts_pass(ctx.db, now, ctx.tz, ctx.self_pay_days), now)


def price_monitoring() -> None:
    """The monthly general and weekly deep price monitoring, when due."""
    ctx = context()
    ctx.guard()
    now = utcnow()
    schedule_retry(ctx.scheduler, ctx.db, "price_monitoring", price_monitoring_pass(ctx.db, now, ctx.tz), now)
