"""Dashboard benchmark: ``python -m bench.bench_dashboard [--lines N]`` prints a table.

A year of Shandong-sized settlement on PostgreSQL (127.0.0.1:5432, a database named
``jicai_bench_dashboard_<random>``, created and dropped here): 2,900 hospitals spread over the
province's 16 cities, 300 suppliers, 20 items (58,000 contracts, bench_settlement's set-up), and
``--lines`` accepted, confirmed lines (default 7,300,000: ~20,000 a day for a year) over the
cycle's twelve months, each month settled in a released run with its claim, its shares per
hospital × supplier and one paid instruction per supplier (one month in four paid late), plus an
advance per hospital. Data is made in SQL (``generate_series``) — the figures measured are the
read model's, not the loading.

The lines come in by SQL, so the dashboard's rollup is then built once by ``rollup.rebuild``
(timed; in the platform the writes keep it). It times what the dashboard page reads
(:func:`page_reads`: ``settlement.monitoring.dashboard.dashboard``, the year's platform figures of
``orders.shares``, and for a hospital its progress per item and its retained-savings estimate) at
the cycle's end for the province bureau, a city bureau and one hospital (best of 3 after a
warm-up; target ≤ 300 ms each), the province computed from the lines as the reference, and first
the seeded demo (``flask seed`` into the same database, then dropped) for the officer and a hospital.
``--hospitals N`` times N hospitals (spread over the cities) and reports the slowest.

Not a test.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as dt_time

from sqlalchemy import text
from sqlmodel import Session

from accounts.actor import Actor
from accounts.roles import Role
from bench.bench_settlement import NOW, PG_ADMIN, _orgs_and_batch
from core import audit, migrate
from core.db import Database, make_engine
from core.keys import Key, KeyRing
from orders.shares import shares
from procurement.queries import find_batch
from savings.queries import own_estimates
from settlement.monitoring import rollup
from settlement.monitoring.dashboard import dashboard
from settlement.monitoring.queries import progress_report

AS_OF = date(2027, 9, 30)
_SPREAD = "UPDATE organisation SET region_code = '37' || lpad(((id % 16) + 1)::text, 2, '0') || '00' WHERE kind = 'hospital'"
_DELIVERY = ("INSERT INTO settlement_delivery (contract_id, batch_id, hospital_org_id, supplier_org_id, quantity, shipped_on,"
             " source, supplier_ref, recorded_by, recorded_at) SELECT id, batch_id, hospital_org_id, supplier_org_id,"
             " 1000000000, DATE '2026-10-01', 'api', '', :user, :now FROM contract WHERE id = 1")
#: lines spread over the contracts and the year's days; claim_seq = the month of the cycle (1–12)
_LINES = ("INSERT INTO settlement_acceptance (delivery_id, contract_id, batch_id, hospital_org_id, supplier_org_id,"
          " quantity, returned, accepted_on, accepted_by, accepted_at, applied_month, reconcile_status, dispute_reason,"
          " claim_seq)"
          " SELECT :delivery, c.id, c.batch_id, c.hospital_org_id, c.supplier_org_id, (1 + (g * 7919) % 500)::int, 0, d, :user,"
          " :now, to_char(d, 'YYYY-MM'), 'confirmed', '',"
          " (EXTRACT(YEAR FROM d)::int - 2026) * 12 + EXTRACT(MONTH FROM d)::int - 9"
          " FROM (SELECT g, DATE '2026-10-01' + (g % 365)::int AS d, (1 + (g * 104729) % :contracts)::int AS cid"
          "       FROM generate_series(0::bigint, :n - 1) AS g) s JOIN contract c ON c.id = s.cid")
_RUNS = ("INSERT INTO settlement_run (batch_id, month, seq, run_ref, status, gross_fen, offset_fen, paid_fen, reissued_fen,"
         " clawback_fen, line_count, carried_count, computed_at)"
         " SELECT :batch, to_char(DATE '2026-10-01' + (m - 1) * INTERVAL '1 month', 'YYYY-MM'), 1, 'BR' || m, 'released',"
         " 0, 0, 0, 0, 0, 0, 0, :now FROM generate_series(1, 12) AS m")
_CLAIMS = ("INSERT INTO settlement_claim (batch_id, run_id, lo, hi, line_count)"
           " SELECT :batch, r.id, NULLIF(m - 1, 0), m, 0 FROM settlement_run r"
           " JOIN generate_series(1, 12) AS m ON r.run_ref = 'BR' || m")
#: one instruction per run × supplier, paid 20 days after the month (every fourth month: 50 days, late)
_INSTRUCTIONS = ("INSERT INTO settlement_instruction (run_id, batch_id, reference, supplier_org_id, payer_account, payer_name,"
                 " payer_cnaps, payer_bank, payee_account, payee_name, payee_cnaps, payee_bank, amount_fen, line_count,"
                 " remittance, status, failure_reason, status_at, bank_ref)"
                 " SELECT cl.run_id, :batch, 'BI' || cl.run_id || '-' || a.supplier_org_id, a.supplier_org_id, '1', 'fund',"
                 " '102100000001', '', '2', 's', '102100099996', '', SUM(a.quantity), COUNT(*), 'bench', 'paid', '',"
                 " (DATE '2026-10-01' + cl.hi * INTERVAL '1 month' + CASE WHEN cl.hi % 4 = 0 THEN INTERVAL '50 days'"
                 "  ELSE INTERVAL '20 days' END), ''"
                 " FROM settlement_acceptance a JOIN settlement_claim cl ON a.claim_seq = cl.hi"
                 " GROUP BY cl.run_id, cl.hi, a.supplier_org_id")
_SHARES = ("INSERT INTO settlement_share (run_id, hospital_org_id, supplier_org_id, gross_fen, offset_fen, paid_fen,"
           " clawback_fen, line_count, instruction_id)"
           " SELECT cl.run_id, a.hospital_org_id, a.supplier_org_id, SUM((a.quantity::bigint * c.ucp_e4 + 50) / 100), 0,"
           " SUM((a.quantity::bigint * c.ucp_e4 + 50) / 100), 0, COUNT(*), MIN(i.id)"
           " FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id"
           " JOIN settlement_claim cl ON a.claim_seq = cl.hi"
           " JOIN settlement_instruction i ON i.run_id = cl.run_id AND i.supplier_org_id = a.supplier_org_id"
           " GROUP BY cl.run_id, a.hospital_org_id, a.supplier_org_id")
_ADVANCES = ("INSERT INTO settlement_prepayment (entry_key, batch_id, hospital_org_id, kind, amount_fen, detail, created_at)"
             " SELECT 'adv-' || id, :batch, id, 'advance', 100000000, '', :now FROM organisation WHERE kind = 'hospital'")


def _load(db: Database, lines: int) -> tuple[dict, float]:
    """Set-up and a year of lines; seconds taken."""
    started = time.perf_counter()
    env = _orgs_and_batch(db)
    params = {"user": env["users"]["settle"], "now": NOW, "batch": env["batch_id"]}
    with db.engine.begin() as conn:
        conn.execute(text(_SPREAD))
        conn.execute(text(_DELIVERY), params)
        delivery = conn.execute(text("SELECT id FROM settlement_delivery")).scalar()
        conn.execute(text(_LINES), {**params, "delivery": delivery, "n": lines, "contracts": len(env["contracts"])})
        for statement in (_RUNS, _CLAIMS, _INSTRUCTIONS, _SHARES, _ADVANCES):
            conn.execute(text(statement), params)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with Session(db.engine) as session:  # the lines came in by SQL: their rollup is built once
        rollup.rebuild(session)
        session.commit()
    env["rebuild"] = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return env, loaded


def _actors(db: Database, env: dict) -> list[tuple[str, Actor]]:
    """The province bureau and a city bureau (Jinan)."""
    fund = env["ids"]["FUND"]
    return [("province bureau (370000)", Actor(env["users"]["settle"], "settle", Role.SETTLEMENT_OFFICER, fund, "fund", "370000")),
            ("city bureau (370100)", Actor(env["users"]["settle"], "settle", Role.SETTLEMENT_OFFICER, fund, "fund", "370100"))]


def _hospitals(db: Database, env: dict, n: int) -> list[tuple[str, Actor]]:
    """``n`` hospitals spread over the cities (the first is Jinan's first)."""
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM (SELECT DISTINCT ON (region_code) id, code, region_code"
                                 " FROM organisation WHERE kind = 'hospital' ORDER BY region_code, id) o"
                                 " ORDER BY region_code <> '370100', region_code LIMIT :n"), {"n": n}).all()
    return [(f"hospital {r.code} ({r.region_code})",
             Actor(env["users"]["settle"], "h", Role.HOSPITAL_BUYER, r.id, "hospital", r.region_code)) for r in rows]


def page_reads(session: Session, actor: Actor, as_of: date, *, from_lines: bool = False):
    """What the dashboard page (``settlement.monitoring.views.index``) reads for ``actor`` on
    ``as_of``: the dashboard, the platform figures of the year (``orders.shares``), and for a
    hospital its 序时进度 per batch and its retained-savings estimates (``savings.queries.own_estimates``)."""
    d = dashboard(session, actor, as_of, from_lines=from_lines)
    figures = shares(session, actor, str(as_of.year))
    own = []
    if actor.role == Role.HOSPITAL_BUYER:
        for completion in d.by_batch:
            batch = find_batch(session, actor, completion.key)
            if batch is not None:
                progress_report(session, actor, batch, as_of)
        own = own_estimates(session, actor, datetime.combine(as_of, dt_time(4), tzinfo=UTC))
    return d, figures, own


def _time(db: Database, actor: Actor, as_of: date = AS_OF, *, from_lines: bool = False) -> tuple[float, str]:
    """Best of 3 (after a warm-up) of one dashboard page's reads, and a line of what it found."""
    best = float("inf")
    for n in range(4):
        with Session(db.engine) as session:
            started = time.perf_counter()
            d, _figures, own = page_reads(session, actor, as_of, from_lines=from_lines)
            took = time.perf_counter() - started
        if n:
            best = min(best, took)
    found = (f"saving ¥{d.cumulative_saving_fen // 100:,}, on time {d.payments.rate}, "
             f"{len(d.by_city)} cities, completion {d.by_batch[0].completion if d.by_batch else None}")
    if actor.role == Role.HOSPITAL_BUYER:
        found += "; retained-savings estimate " + (", ".join(f"¥{row.retained_fen / 100:,.2f} (score {row.score})"
                                                            for _b, row, _s in own) or "none")
    return best, found


def _demo(url: str, tmp: str) -> list[tuple[str, str, str]]:
    """The seeded demo (`flask seed`) in its own database: the officer's and a hospital's dashboard."""
    from sqlmodel import select

    from accounts.models import User
    from accounts.services import actor_for
    from app import create_app

    app = create_app({"database_url": url, "instance_path": tmp, "audit_key": KeyRing((Key.generate("demo-1"),)).to_text()})
    db = app.extensions["jicai.db"]
    migrate.upgrade(db.engine)
    result = app.test_cli_runner().invoke(args=["seed"])
    if result.exit_code != 0:
        raise RuntimeError(f"flask seed failed: {result.output}") from result.exception
    rows = []
    for username in ("settle", "hospital"):
        with Session(db.engine) as session:
            actor = actor_for(session, session.exec(select(User).where(User.username == username)).one())
        took, found = _time(db, actor, date.today())
        rows.append((f"demo dashboard: {username} (target ≤ 300 ms)", f"{took * 1000:.0f} ms", found))
        if actor.is_bureau:
            took, found = _time(db, actor, date.today(), from_lines=True)
            rows.append((f"demo dashboard: {username} from the lines (the reference)", f"{took * 1000:.0f} ms", found))
    db.dispose()
    return rows


def main() -> None:
    """Load, time each dashboard, print the table, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=7_300_000)
    parser.add_argument("--demo-only", action="store_true", help="time the seeded demo only")
    parser.add_argument("--hospitals", type=int, default=5, help="hospitals timed (the slowest reported)")
    args = parser.parse_args()
    audit.configure(KeyRing((Key.generate("bench-1"),)))  # a throwaway audit key for the run
    name = f"jicai_bench_dashboard_{secrets.token_hex(4)}"
    admin = make_engine(PG_ADMIN).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows += _demo(f"postgresql://postgres@127.0.0.1:5432/{name}", tmp)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        if args.demo_only:
            return _print(rows)
        db = Database(f"postgresql://postgres@127.0.0.1:5432/{name}")
        migrate.upgrade(db.engine)
        env, loaded = _load(db, args.lines)
        rows.append((f"load {args.lines:,} lines, 12 runs (SQL generate_series)", f"{loaded:.1f} s", ""))
        rows.append(("rebuild the dashboard rollup from those lines (rollup.rebuild)", f"{env['rebuild']:.1f} s", ""))
        for label, actor in _actors(db, env):
            took, found = _time(db, actor)
            rows.append((f"dashboard: {label} (target ≤ 300 ms)", f"{took * 1000:.0f} ms", found))
        timed = [(*_time(db, actor), label) for label, actor in _hospitals(db, env, args.hospitals)]
        rows.append((f"dashboard: {timed[0][2]} (target ≤ 300 ms)", f"{timed[0][0] * 1000:.0f} ms", timed[0][1]))
        if len(timed) > 1:
            slowest = max(timed)
            median = sorted(t[0] for t in timed)[len(timed) // 2]
            rows.append((f"dashboard: slowest of {len(timed)} hospitals (median {median * 1000:.0f} ms)",
                         f"{slowest[0] * 1000:.0f} ms", f"{slowest[2]}: {slowest[1]}"))
        province = _actors(db, env)[0][1]
        took, found = _time(db, province, from_lines=True)
        rows.append(("dashboard: province bureau from the lines (no rollup, the reference)", f"{took * 1000:.0f} ms", found))
        db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    _print(rows)


def _print(rows: list[tuple[str, str, str]]) -> None:
    """The table of figures."""
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':>9}  found")
    for measure, figure, found in rows:
        print(f"{measure:<{width}}  {figure:>9}  {found}")


if __name__ == "__main__":
    main()
