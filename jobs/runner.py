"""The one scheduler process (``flask --app app jobs``): APScheduler 3 with its job store in the
platform's database (table ``apscheduler_jobs``, created by migration 0009).

A lock guarantees a single active scheduler even if it is started twice (``jobs.lock``): a
PostgreSQL advisory lock on a dedicated connection, or an exclusive file lock beside the SQLite
database file. A second scheduler waits for the lock instead of running jobs twice; the active
one checks the lock before every job and step (and a watchdog every few seconds) and exits at
once with status 3 when it has lost it.

Jobs are registered on every start under stable ids with ``replace_existing=True``, as textual
references to the module-level functions of :mod:`jobs.tasks`; a job whose run was missed while
no scheduler was running runs once at start (coalesced).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.util import utc_timestamp_to_datetime
from sqlalchemy import select

from bidding.keys import KeyRing
from core.clock import utcnow
from core.db import WRITE_OPTION, Database
from jobs import bookkeeping, tasks
from jobs.bookkeeping import StepReport, backing_off, record
from jobs.lock import LOCK_KEY, guard, scheduler_lock, watchdog
from jobs.models import apscheduler_jobs
from jobs.steps import run_due_steps
from settlement.runs.calendar import SHANGHAI

log = logging.getLogger("jicai.jobs")
__all__ = ["LOCK_KEY", "build_scheduler", "register_jobs", "run_once", "run_scheduler", "scheduler_lock"]


class PlatformJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy store on the platform's engine and its migrated table."""

    def __init__(self, db: Database) -> None:
        """Use ``db``'s engine (write transactions on SQLite, so the store never waits mid-way)."""
        engine = db.engine.execution_options(**{WRITE_OPTION: True}) if db.dialect == "sqlite" else db.engine
        super().__init__(engine=engine)
        self.jobs_t = apscheduler_jobs

    def shutdown(self) -> None:
        """Leave the engine alone: it belongs to the platform's ``Database``."""


@dataclass(frozen=True)
class JobSpec:
    """A job of the schedule: its stable id, description and trigger."""

    id: str
    name: str
    trigger: str
    trigger_args: dict
    run_at_start: bool = False


def job_specs(interval_seconds: int, tz: ZoneInfo) -> tuple[JobSpec, ...]:
    """Every job the scheduler runs (the /jobs page reads them back from the store)."""
    return (
        JobSpec("lifecycle", "批次时间线：报量截止、开标、评审、公示期满发布 / batch timeline: close demand, "
                "open bids, run evaluations, publish", "interval", {"seconds": interval_seconds}, run_at_start=True),
        JobSpec("settlement_calendar", "月度结算日历：申请与对账提醒、付款日系统结算 / monthly settlement calendar: "
                "apply and reconcile reminders, the system run on the pay day", "cron",
                {"minute": 5, "timezone": tz}, run_at_start=True),
        JobSpec("alerts", "每日提醒：逾期付款、采购进度、待审核结算、报量截止前未提交的医院 / daily alerts: overdue "
                "payments, purchase progress, runs awaiting approval, hospitals without demand before the deadline", "cron", {"hour": 8, "minute": 30, "timezone": tz}),
        JobSpec("price_monitoring", "价格监测：每月 1 日普遍监测上月、每周一深度监测上周 / price monitoring: the month "
                "before on the 1st, the deep list's week before on Mondays", "cron",
                {"hour": 6, "minute": 15, "timezone": tz}),
    )


def _stored_next_run(db: Database, job_id: str) -> datetime | None:
    """When the job store last planned to run ``job_id`` (None if unknown or paused)."""
    with db.engine.connect() as conn:
        value = conn.execute(select(apscheduler_jobs.c.next_run_time).where(apscheduler_jobs.c.id == job_id)).scalar()
    return utc_timestamp_to_datetime(value) if value is not None else None


def register_jobs(scheduler: BaseScheduler, db: Database, interval_seconds: int, tz: ZoneInfo,
                  now: datetime) -> None:
    """Add (or replace) every job under its stable id; a run missed while stopped happens now."""
    for spec in job_specs(interval_seconds, tz):
        missed = (stored := _stored_next_run(db, spec.id)) is not None and stored <= now
        extra = {"next_run_time": now} if spec.run_at_start or missed else {}
        scheduler.add_job(f"jobs.tasks:{spec.id}", spec.trigger, id=spec.id, name=spec.name,
                          replace_existing=True, **spec.trigger_args, **extra)


def build_scheduler(db: Database, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    """A scheduler keeping its jobs in the database: one instance per job at a time, missed
    runs coalesced into one and never dropped for being late."""
    return scheduler_class(jobstores={"default": PlatformJobStore(db)},
                           executors={"default": ThreadPoolExecutor(4)},
                           job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
                           timezone="UTC")


def run_scheduler(db: Database, keyring: KeyRing, lock_dir: Path, interval_seconds: int = 15,
                  tz: ZoneInfo = SHANGHAI, evaluation_workers: int = 1,
                  self_pay_days: int = 30) -> None:
    """Take the lock, register the jobs, then run them until stopped — checking the lock before
    every job and step, and every few seconds in between (lost: exit 3 at once)."""
    every = min(5, max(1, interval_seconds))
    with scheduler_lock(db, lock_dir, wait=lambda: time.sleep(every)) as lock:
        check = guard(lock)
        stop = threading.Event()
        scheduler = build_scheduler(db)
        tasks.set_context(tasks.JobContext(db=db, keyring=keyring, tz=tz, interval_seconds=interval_seconds,
                                           host=socket.gethostname(), pid=os.getpid(), scheduler=scheduler,
                                           guard=check, evaluation_workers=evaluation_workers,
                                           self_pay_days=self_pay_days))
        bookkeeping.set_guard(check)
        watchdog(check, every, stop)
        register_jobs(scheduler, db, interval_seconds, tz, utcnow())
        log.info("scheduler started (pid %s)", os.getpid())
        try:
            scheduler.start()
        finally:
            stop.set()
            bookkeeping.set_guard(None)
            tasks.set_context(None)


def run_once(db: Database, keyring: KeyRing, job_id: str, interval_seconds: int = 15,
             tz: ZoneInfo = SHANGHAI) -> StepReport:
    """One pass of a job now, by hand (``flask jobs --once …``), recorded like a scheduled pass
    (without the heartbeat, which stands for the scheduler process)."""
    now = utcnow()
    if job_id == "lifecycle":
        report = run_due_steps(db, keyring, now, skip=backing_off(db, now, interval_seconds))
        record(db, report, now)
        return report
    passes = {"settlement_calendar": tasks.calendar_pass, "alerts": tasks.alerts_pass,
              "price_monitoring": tasks.price_monitoring_pass}
    return passes[job_id](db, now, tz)
