"""The one-scheduler lock with real ``flask jobs`` processes.

* PostgreSQL: the lock holder's backend is killed (``pg_terminate_backend``, as a failover or
  ``idle_session_timeout`` would): the holder stops at once (exit 3, logged) and the standby
  takes over — exactly one scheduler runs afterwards.
* SQLite: two schedulers started with different instance folders (and working directories)
  on the same database file meet the same lock, beside the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bidding.keys import Kek, KeyRing
from jobs.lock import EXIT_LOCK_LOST, LOCK_KEY, FileLock, LockLost, lock_path, scheduler_lock
from jobs.models import SchedulerHeartbeat

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
PATIENCE = 90  # seconds any one wait may take on a loaded machine before the test gives up


def _start(database_url: str, workdir: Path) -> tuple[subprocess.Popen, Path]:
    """``flask jobs --interval 1`` in ``workdir`` with its own instance folder; (process, log file)."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JICAI_DATABASE_URL": database_url,
           "JICAI_INSTANCE_PATH": str(workdir / "instance"), "JICAI_SECRET_KEY": "x" * 32,
           "JICAI_SEAL_KEK": KeyRing((Kek.generate("lock-test"),)).to_text()}
    env.pop("JICAI_TEST_DATABASE_URL", None)
    logfile = workdir / "jobs.log"
    with open(logfile, "wb") as out:
        proc = subprocess.Popen([str(FLASK), "--app", str(ROOT / "app.py"), "jobs", "--interval", "1"], cwd=workdir,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, logfile


def _until(condition, what: str):
    """Poll ``condition`` until it returns something truthy (or fail after PATIENCE seconds)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _beating_pid(db) -> int | None:
    """The pid of the scheduler that beat last."""
    with db.read_session() as s:
        row = s.get(SchedulerHeartbeat, 1)
        return row.pid if row else None


def _stop(*procs: subprocess.Popen) -> None:
    """Terminate what is still running."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _waiting(logfile: Path) -> bool:
    """The scheduler logged that another one holds the lock."""
    return "another scheduler holds the lock" in logfile.read_text(errors="replace")


def _lock_backend(db) -> int | None:
    """The backend pid holding the scheduler's advisory lock in this database."""
    with db.engine.connect() as conn:
        return conn.execute(text(
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.granted "
            "AND l.classid = 0 AND l.objid = :k AND l.objsubid = 1"), {"k": LOCK_KEY}).scalar()


def test_a_scheduler_whose_lock_session_dies_stops_and_the_standby_takes_over(db, database_url, tmp_path):
    if db.dialect != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; the SQLite lock is tested below")
    first, first_log = _start(database_url, tmp_path / "a")
    second = None
    try:
        _until(lambda: _beating_pid(db) == first.pid, "the first scheduler's heartbeat")
        second, second_log = _start(database_url, tmp_path / "b")
        _until(lambda: _waiting(second_log), "the standby to wait for the lock")
        backend = _lock_backend(db)
        assert backend is not None
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend}).scalar()
        # the holder notices before its next job or step (or by its watchdog) and exits at once
        assert first.wait(PATIENCE) == EXIT_LOCK_LOST
        assert "scheduler lock lost" in first_log.read_text(errors="replace")
        _until(lambda: _beating_pid(db) == second.pid, "the standby's heartbeat")
        assert second.poll() is None  # exactly one scheduler runs: the standby
        assert _lock_backend(db) not in (None, backend)
    finally:
        _stop(first, *([second] if second else []))


def test_two_instance_folders_on_one_sqlite_database_meet_one_lock(db, database_url, tmp_path):
    if db.dialect != "sqlite":
        pytest.skip("the file lock beside the database is SQLite's")
    first, _first_log = _start(database_url, tmp_path / "one")
    second = None
    try:
        _until(lambda: _beating_pid(db) == first.pid, "the first scheduler's heartbeat")
        second, second_log = _start(database_url, tmp_path / "two")
        _until(lambda: _waiting(second_log), "the second scheduler to wait for the lock")
        assert _beating_pid(db) == first.pid and first.poll() is None
        first.send_signal(signal.SIGTERM)
        first.wait(PATIENCE)
        _until(lambda: _beating_pid(db) == second.pid, "the second scheduler to take over")
    finally:
        _stop(first, *([second] if second else []))
    database = Path(db.engine.url.database).resolve()
    assert lock_path(db, tmp_path) == database.with_name(database.name + ".scheduler-lock")
    assert not (tmp_path / "one" / "instance" / "scheduler.lock").exists()


def test_a_replaced_lock_file_is_a_lost_lock(db, tmp_path):
    if db.dialect != "sqlite":
        pytest.skip("the file lock is SQLite's")
    with scheduler_lock(db, tmp_path) as lock:
        assert isinstance(lock, FileLock)
        lock.check()
        lock.path.unlink()
        with pytest.raises(LockLost, match="removed"):
            lock.check()
        lock.path.write_text("")
        with pytest.raises(LockLost, match="replaced"):
            lock.check()
