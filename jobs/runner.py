"""The one scheduler process (``flask --app app jobs``).

A lock guarantees a single active scheduler even if it is started twice: a PostgreSQL
session-level advisory lock, or an exclusive file lock next to the SQLite database. A second
scheduler waits for the lock instead of running jobs twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import text

from bidding.keys import KeyRing
from core.clock import utcnow
from core.db import Database
from jobs.steps import run_and_record

log = logging.getLogger("jicai.jobs")
LOCK_KEY = 0x6A6963  # "jic"


@contextmanager
def scheduler_lock(db: Database, lock_dir: Path, wait: Callable[[], None] = lambda: time.sleep(5)):
    """Hold the single-scheduler lock for the life of the block (waits while another holds it)."""
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                conn.commit()
                log.info("another scheduler holds the lock; waiting")
                wait()
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.commit()
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / "scheduler.lock", "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                log.info("another scheduler holds the lock; waiting")
                wait()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_scheduler(db: Database, keyring: KeyRing, lock_dir: Path, interval_seconds: int = 15) -> None:
    """Take the lock, then run the due steps every ``interval_seconds`` until stopped."""
    with scheduler_lock(db, lock_dir):
        scheduler = BlockingScheduler(timezone="UTC")
        host, pid = socket.gethostname(), os.getpid()
        scheduler.add_job(lambda: run_and_record(db, keyring, utcnow(), host=host, pid=pid,
                                                 interval_seconds=interval_seconds), "interval",
                          seconds=interval_seconds, id="due_steps", max_instances=1, coalesce=True,
                          next_run_time=utcnow())
        log.info("scheduler started")
        scheduler.start()
