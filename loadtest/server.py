"""The system under test: a throwaway PostgreSQL database and gunicorn serving the app on it.

Both are created by the run and removed at its end, whatever happens in between.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import text

from core.db import make_engine

ROOT = Path(__file__).resolve().parent.parent


class ThrowawayDatabase:
    """``CREATE DATABASE`` on enter, ``DROP DATABASE … WITH (FORCE)`` on exit."""

    def __init__(self, server_url: str, name: str) -> None:
        """``server_url`` like ``postgresql://postgres@127.0.0.1:5432`` (no database part)."""
        self.server_url, self.name = server_url.rstrip("/"), name
        self.url = f"{self.server_url}/{name}"
        self.admin = make_engine(f"{self.server_url}/postgres").execution_options(isolation_level="AUTOCOMMIT")

    def __enter__(self) -> ThrowawayDatabase:
        """Create the (empty) database."""
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self

    def __exit__(self, *_exc) -> None:
        """Drop it, closing whatever connections are left."""
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn --workers N 'app:create_app()'`` on a free loopback port, as ``make prod`` runs it."""

    def __init__(self, database_url: str, seal_kek: str, workers: int, instance: Path, log: Path,
                 extra_args: tuple[str, ...] = (), audit_key: str = "") -> None:
        """Nothing starts before :meth:`start`."""
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {**os.environ, "JICAI_DATABASE_URL": database_url, "JICAI_SEAL_KEK": seal_kek,
                    "JICAI_AUDIT_KEY": audit_key,
                    "JICAI_SECRET_KEY": secrets.token_hex(32), "JICAI_INSTANCE_PATH": str(instance),
                    "JICAI_SECURE_COOKIES": "false"}
        self.args = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
                     "--bind", f"127.0.0.1:{self.port}", *extra_args, "app:create_app()"]
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> None:
        """Start the master and wait until ``/healthz`` answers 200."""
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out,  # noqa: S603
                                            stderr=subprocess.STDOUT, start_new_session=True)
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                if requests.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM the master (it stops its workers), SIGKILL after 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this run created
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of gunicorn's output (tracebacks of 5xx end up there)."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
