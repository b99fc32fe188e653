"""The one-scheduler lock, keyed to the database itself, and checked before every job.

* **PostgreSQL**: a session-level ``pg_advisory_lock`` held on one dedicated connection. The
  lock lives as long as that backend: a failover, a DBA's ``pg_terminate_backend``,
  ``idle_session_timeout`` or a network drop ends it silently, and a standby takes it. So the
  holder checks it — ``pg_locks`` for its own backend, on that very connection — before every
  job and every step, and a watchdog checks it every few seconds (which also keeps the session
  from ever being idle).
* **SQLite**: an exclusive ``flock`` on a file beside the database file
  (``<database>.scheduler-lock``, from the resolved database path), so every scheduler on the
  same database meets the same lock whatever its working directory or instance folder. The
  check is that the locked file is still the one at that path (not deleted or replaced).

When the check fails the scheduler stops at once: it logs the loss and the process exits with
:data:`EXIT_LOCK_LOST`, before the job or step it was about to run.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from core.db import Database

log = logging.getLogger("jicai.jobs")
LOCK_KEY = 0x6A6963  # "jic"
EXIT_LOCK_LOST = 3
LOCK_FILE_SUFFIX = ".scheduler-lock"


class LockLost(RuntimeError):
    """The single-scheduler lock is no longer held by this process."""


class PgLock:
    """The advisory lock held on one dedicated connection."""

    def __init__(self, conn: Connection) -> None:
        """Wrap the connection that holds the lock."""
        self.conn = conn
        self._mutex = threading.Lock()  # the connection is shared by the job threads and the watchdog

    def check(self) -> None:
        """Raise :class:`LockLost` unless this connection's backend still holds the lock."""
        with self._mutex:
            try:
                held = self.conn.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                    "AND granted AND classid = :hi AND objid = :lo AND objsubid = 1"),
                    {"hi": LOCK_KEY >> 32, "lo": LOCK_KEY & 0xFFFFFFFF}).scalar()
                self.conn.commit()
            except DBAPIError as exc:
                raise LockLost(f"the lock's database session is gone: {exc.orig}") from exc
        if not held:
            raise LockLost("the advisory lock is no longer held by this scheduler's session")


class FileLock:
    """The exclusive flock on the file beside the SQLite database."""

    def __init__(self, path: Path, handle) -> None:
        """Wrap the open, locked file."""
        self.path, self.handle = path, handle

    def check(self) -> None:
        """Raise :class:`LockLost` when the locked file is no longer the one at the lock path."""
        try:
            current = os.stat(self.path)
        except FileNotFoundError as exc:
            raise LockLost(f"the lock file {self.path} was removed") from exc
        mine = os.fstat(self.handle.fileno())
        if (current.st_dev, current.st_ino) != (mine.st_dev, mine.st_ino):
            raise LockLost(f"the lock file {self.path} was replaced")


def lock_path(db: Database, fallback_dir: Path) -> Path:
    """Where the SQLite lock file lives: beside the database file (resolved, so every working
    directory and symlink names the same file); in ``fallback_dir`` for an in-memory database,
    which no other process can share anyway."""
    name = db.engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return fallback_dir / f"scheduler{LOCK_FILE_SUFFIX}"
    database = Path(name).expanduser().resolve()
    return database.with_name(database.name + LOCK_FILE_SUFFIX)


@contextmanager
def scheduler_lock(db: Database, lock_dir: Path, wait: Callable[[], None] = lambda: time.sleep(5)
                   ) -> Iterator[PgLock | FileLock]:
    """Hold the single-scheduler lock for the life of the block (waits while another holds it);
    the lock object's ``check()`` raises :class:`LockLost` once it is no longer held."""
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
                conn.commit()
                log.info("another scheduler holds the lock; waiting")
                wait()
            conn.commit()
            lock = PgLock(conn)
            try:
                yield lock
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                    conn.commit()
                except DBAPIError:
                    pass  # the session is gone, and the lock with it
        return
    path = lock_path(db, lock_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("another scheduler holds the lock (%s); waiting", path)
                handle.close()
                wait()
                continue
            lock = FileLock(path, handle)
            try:
                lock.check()  # the file may have been replaced between open and flock
            except LockLost:
                continue
            try:
                yield lock
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
            return


def lose(reason: LockLost) -> None:
    """Stop the process at once: another scheduler may be running jobs already."""
    log.critical("scheduler lock lost, stopping now (exit %s): %s", EXIT_LOCK_LOST, reason)
    logging.shutdown()
    os._exit(EXIT_LOCK_LOST)


def guard(lock: PgLock | FileLock, on_lost: Callable[[LockLost], None] = lose) -> Callable[[], None]:
    """A check to call before every job and step: returns while the lock is held, else
    ``on_lost`` (by default :func:`lose`, which never returns)."""
    def check() -> None:
        try:
            lock.check()
        except LockLost as exc:
            on_lost(exc)
            raise
    return check


def watchdog(check: Callable[[], None], every_seconds: float, stop: threading.Event) -> threading.Thread:
    """A daemon thread running ``check`` every ``every_seconds`` until ``stop`` is set."""
    def loop() -> None:
        while not stop.wait(every_seconds):
            try:
                check()
            except LockLost:
                return
    thread = threading.Thread(target=loop, name="scheduler-lock-watchdog", daemon=True)
    thread.start()
    return thread
