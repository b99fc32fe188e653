"""Price-monitoring benchmark: ``python -m bench.bench_pricewatch [--lines N]`` prints a table.

A month of all-product order lines in Shandong on PostgreSQL (127.0.0.1:5432, a database named
``jicai_bench_pricewatch_<random>``, created and dropped here): 2,900 hospitals, 3,000 products
and ``--lines`` observation lines (default 600,000) of source ``order`` in November 2026 — what a
run holds once it has collected the month's accepted order lines (``pricewatch.sources.order_lines``;
made here in SQL with ``generate_series``, so the collection itself is not measured). About one hospital in 97 pays double for every product it buys.

It times, best of 3 after a warm-up:

* the bare ``GROUP BY`` product × hospital over the month's lines (``pricewatch.peers.bare_group_by``);
* the peer-median rule (``pricewatch.peers.peer_outliers``: averages per product × hospital, the
  median by window functions, the outliers) — the issue's goal is ≤ 5× the bare ``GROUP BY``;
* a whole monitoring run (``pricewatch.monitor.run_monitoring``: collection from every source,
  all five rules, the alerts and their notices — the fingerprints looked up in one query, alerts
  and notices each one multi-row ``INSERT``) the first time, and again (same evidence: no alert
  raised twice). Measured 2026-12-03 at the default: bare 2.70 s, peer rule 1.64×, first run
  2.38× (900 alerts; 6.1× when each alert was checked and notified one by one), again 2.27×.

Not a test.
"""

from __future__ import annotations

import argparse
import secrets
import time
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text

from accounts.actor import Actor
from accounts.roles import OrgKind, Role
from core import audit, migrate
from core.db import Database, make_engine
from core.keys import Key, KeyRing
from pricewatch.monitor import run_monitoring
from pricewatch.peers import bare_group_by, peer_outliers

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
START, END = date(2026, 11, 1), date(2026, 11, 30)
HOSPITALS, PRODUCTS = 2900, 3000


def _load(db: Database, lines: int) -> Actor:
    """The bureau, its officer, the hospitals and the month's lines; the officer as an actor."""
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (code, name, kind, region_code, active, created_at) VALUES "
                          "('BUREAU', '山东省医保局', :bureau, '370000', true, :now)"), {"bureau": OrgKind.BUREAU,
                                                                                         "now": NOW})
        conn.execute(text("INSERT INTO organisation (code, name, kind, region_code, active, created_at) "
                          "SELECT 'H' || lpad(g::text, 5, '0'), '医院' || g, :kind, '370100', true, :now "
                          "FROM generate_series(1, :n) AS g"), {"kind": OrgKind.HOSPITAL, "now": NOW, "n": HOSPITALS})
        bureau = conn.execute(text("SELECT id FROM organisation WHERE code = 'BUREAU'")).scalar()
        conn.execute(text("INSERT INTO app_user (username, display_name, password_hash, role, org_id, active, locale, "
                          "created_at) VALUES ('officer', 'officer', 'x', :role, :org, true, 'zh_Hans_CN', :now)"),
                     {"role": Role.PRICE_OFFICER, "org": bureau, "now": NOW})
        user = conn.execute(text("SELECT id FROM app_user")).scalar()
        low = conn.execute(text("SELECT min(id) FROM organisation WHERE kind = :k"), {"k": OrgKind.HOSPITAL}).scalar()
        conn.execute(text(
            "INSERT INTO pricewatch_observation (region_code, source, ref, product_key, item_id, hospital_org_id,"
            " supplier_org_id, observed_on, price_e4, quantity)"
            " SELECT '370000', 'order', 'OL' || g, 'L' || (g % :products), NULL, :low + (g * 7919) % :hospitals, NULL,"
            " DATE '2026-11-01' + (g % 30)::int,"
            " (10000 + (g % :products) * 37 + (g * 31) % 900) * CASE WHEN ((g * 7919) % :hospitals) % 97 = 0 THEN 2 ELSE 1 END,"
            " 1 + (g * 104729) % 50 FROM generate_series(0::bigint, :n - 1) AS g"),
            {"products": PRODUCTS, "hospitals": HOSPITALS, "low": low, "n": lines})
        conn.execute(text("ANALYZE pricewatch_observation"))
    return Actor(user, "officer", Role.PRICE_OFFICER, bureau, OrgKind.BUREAU, "370000")


def _best(work, times: int = 3) -> tuple[float, object]:
    work()
    best, result = float("inf"), None
    for _n in range(times):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    """Build, measure, print, drop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=600_000)
    args = parser.parse_args()
    audit.configure(KeyRing((Key.generate("bench-1"),)))  # a throwaway audit key for the run
    name = f"jicai_bench_pricewatch_{secrets.token_hex(4)}"
    admin = make_engine(PG_ADMIN).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}")
    try:
        migrate.upgrade(db.engine)
        started = time.perf_counter()
        officer = _load(db, args.lines)
        loaded = time.perf_counter() - started
        with db.read_session() as s:
            bare, groups = _best(lambda: bare_group_by(s, "370000", START, END))
            rule, outliers = _best(lambda: peer_outliers(s, "370000", START, END, Decimal("0.3"), 3))
        with db.write_session() as s:
            started = time.perf_counter()
            first = run_monitoring(s, officer, "2026-11", START, END, NOW)
            whole = time.perf_counter() - started
        with db.write_session() as s:
            started = time.perf_counter()
            again = run_monitoring(s, officer, "2026-11", START, END, NOW)
            repeat = time.perf_counter() - started
        print(f"price monitoring, {args.lines:,} order lines of {PRODUCTS:,} products × {HOSPITALS:,} hospitals "
              f"(loaded in {loaded:.1f} s)")
        print(f"{'measure':<44}{'seconds':>10}{'× bare':>10}  result")
        print(f"{'bare GROUP BY product × hospital':<44}{bare:>10.3f}{1:>10.2f}  {groups:,} groups")
        print(f"{'peer-median rule (SQL aggregates)':<44}{rule:>10.3f}{rule / bare:>10.2f}  {len(outliers):,} outliers")
        print(f"{'whole run, first (all rules, alerts, notices)':<44}{whole:>10.3f}{whole / bare:>10.2f}  "
              f"{first.raised:,} alerts")
        print(f"{'whole run, again (same evidence)':<44}{repeat:>10.3f}{repeat / bare:>10.2f}  {again.raised:,} alerts")
        print(f"goal: peer-median rule ≤ 5× the bare GROUP BY — {'met' if rule / bare <= 5 else 'NOT met'}")
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
