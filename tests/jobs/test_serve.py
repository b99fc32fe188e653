"""`flask serve` (what `make run` starts): the web server with the scheduler beside it — the
health check reports the scheduler alive, and stopping the server stops the scheduler too."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:  # noqa: S310 - loopback
            return json.loads(answer.read())
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) counts as gone
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_serve_runs_the_scheduler_beside_the_web_server_and_stops_both(tmp_path):
    env = dict(os.environ, JICAI_INSTANCE_PATH=str(tmp_path / "instance"), PYTHONPATH=str(ROOT))
    env.pop("JICAI_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([*flask, "serve", "--port", str(port), "--interval", "2"], cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        seen = None
        for _ in range(600):  # wait for the first heartbeat (a bound of 5 min for a loaded machine, not a timed assertion)
            seen = _health(port)
            if seen and seen.get("scheduler") == "ok":
                break
            time.sleep(0.5)
        assert seen == {"status": "ok", "database": "ok", "scheduler": "ok"}, log.read_text()
        child = int(re.search(r"scheduler started beside the web server \(pid (\d+)\)", log.read_text()).group(1))
        assert _alive(child)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert "web server and scheduler stopped" in log.read_text()
    assert not _alive(child)
    assert _health(port) is None
