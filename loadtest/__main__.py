"""``python -m loadtest`` (``make loadtest``): the platform under the last minute before a bid
deadline, on gunicorn + PostgreSQL over loopback.

1. a fresh PostgreSQL database, migrated and seeded (500 hospitals, 200 suppliers, a batch in
   demand collection and one in bidding);
2. gunicorn with several workers serving ``app:create_app()`` on it;
3. hospitals uploading demand workbooks throughout while every supplier submits and amends
   its sealed bids in the last minute before the deadline; the bids are opened at the
   opening time;
4. the database checked against what the clients sent, and p50/p95/p99 per endpoint printed;
5. gunicorn stopped and the database dropped. Exit status 1 when a check failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bidding import services as bidding
from bidding.keys import Kek, KeyRing
from core import audit, migrate
from core.clock import utcnow
from core.db import Database
from loadtest import checks, runner, seed
from loadtest.server import Gunicorn, ThrowawayDatabase
from loadtest.stats import format_table, summarise


def _args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options (defaults: the size issue 8 asks for)."""
    p = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__.splitlines()[0])
    p.add_argument("--hospitals", type=int, default=500)
    p.add_argument("--suppliers", type=int, default=200)
    p.add_argument("--threads", type=int, default=60, help="hospital client threads (each supplier has its own)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    p.add_argument("--gunicorn-threads", type=int, default=1, help="threads per worker (>1: gthread workers)")
    p.add_argument("--window", type=float, default=60.0, help="seconds of bidding before the deadline")
    p.add_argument("--spread", type=float, default=180.0, help="hospitals arrive over this many seconds")
    p.add_argument("--opening-delay", type=float, default=0.0, help="opening time minus bid deadline (s)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--pg", default=os.environ.get("LOADTEST_PG", "postgresql://postgres@127.0.0.1:5432"),
                   help="PostgreSQL server URL without database (trust auth)")
    return p.parse_args(argv)


def _stamp(epoch: float) -> datetime:
    """Wall-clock seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(epoch, UTC)


def main(argv: list[str] | None = None) -> int:
    """Run the load test; 0 when every check passed."""
    args = _args(argv)
    ring = KeyRing((Kek.generate("loadtest-1"),))
    audit_ring = KeyRing((Kek.generate("loadtest-audit-1"),))
    audit.configure(audit_ring)  # this process seeds and checks; the workers get the same key
    work = Path(tempfile.mkdtemp(prefix="jicai-loadtest-"))
    name = f"jicai_loadtest_{os.getpid()}"
    with ThrowawayDatabase(args.pg, name) as pgdb:
        db = Database(pgdb.url)
        server = Gunicorn(pgdb.url, ring.to_text().strip(), args.workers, work / "instance", work / "gunicorn.log",
                          ("--threads", str(args.gunicorn_threads)) if args.gunicorn_threads > 1 else (),
                          audit_key=audit_ring.to_text().strip())
        status = 1
        try:
            status = _run(args, db, server, ring, name)
        finally:
            server.stop()
            db.dispose()
    if status == 0:
        shutil.rmtree(work, ignore_errors=True)
    print(f"gunicorn stopped, database {name} dropped" + (f"; log kept in {server.log}" if status else ""))
    return status


def _run(args: argparse.Namespace, db: Database, server: Gunicorn, ring: KeyRing, name: str) -> int:
    """Everything between creating the database and dropping it."""
    began = time.monotonic()
    migrate.upgrade(db.engine)
    with db.write_session() as session:
        plan = seed.seed(session, args.hospitals, args.suppliers)
    print(f"database {name}: migrated and seeded in {time.monotonic() - began:.0f} s "
          f"({len(plan.hospitals)} hospitals, {len(plan.suppliers)} suppliers)")
    server.start()
    print(f"gunicorn: {args.workers} workers × {args.gunicorn_threads} thread(s) at {server.base_url}; "
          f"host: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    def set_deadline(deadline: float, opening: float) -> None:
        with db.write_session() as session:
            seed.set_bid_deadline(session, plan.bid_batch, _stamp(deadline), _stamp(opening))
        print(f"all suppliers signed in after {time.time() - started:.0f} s: bid deadline "
              f"{_stamp(deadline):%H:%M:%S} UTC, {args.window:.0f} s from the window's start")

    def open_bids() -> None:
        with db.write_session() as session:
            record = bidding.open_bids(session, None, plan.bid_batch, ring, utcnow())
        print(f"bids opened at the opening time: {record.bids} bids, {record.valid_bids} valid")

    opts = runner.Options(threads=args.threads, window=args.window, spread=args.spread,
                          opening_delay=args.opening_delay, seed=args.seed)
    started = time.time()
    outcome, recorder = runner.run(server.base_url, plan, opts, set_deadline, open_bids)
    print(f"clients finished in {outcome.elapsed:.0f} s (load average {os.getloadavg()[0]:.1f})\n")
    report = checks.Report()
    checks.check_http(recorder, report)
    with db.read_session() as session:
        checks.check_demand(session, plan.demand_batch, outcome, report)
        checks.check_bids(session, plan.bid_batch, outcome, report)
        checks.check_audit(session, report)
    print(format_table(summarise(recorder)))
    print()
    for key, value in report.counts.items():
        print(f"  {key:<42} {value:>8}")
    print()
    if report.failures:
        print(f"FAILED: {len(report.failures)} check(s)")
        for failure in report.failures[:30]:
            print(f"  - {failure}")
        if recorder.total("server_errors"):
            print("\nlast lines of the gunicorn log:\n" + server.log_tail())
        return 1
    print("OK: no lost or duplicated writes, no 5xx, audit chain intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
