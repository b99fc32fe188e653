"""Bureau platform figures benchmark: ``python -m bench.bench_shares [--lines N] [--months M]`` prints a table.

On a fresh PostgreSQL database (127.0.0.1:5432, named for this run, created and dropped here):
bench_orders' 400 listed products (one in four VBP-selected, generics in pairs so the others of a
selected generic are non-selected), 2,900 hospitals over Shandong's 16 cities, each reporting its
months' drug spend, and ``--lines`` accepted order rows a month (default 610,000: ~20,000 lines a
day) for ``--months`` months ending 2026-12 (default 12: a year present, ≈ 7.3 M rows), made in SQL
(``generate_series``; they all hang off one order line — the read model reads only the
acceptance rows), then summed into the monthly rollup by ``orders.rollup.rebuild`` (what
migration 0032 does; the service keeps it in step at each acceptance, tests/orders/test_share_rollup).

Times ``orders.shares.shares`` for 2026-12 (from the rollup) for the province bureau, a city
bureau and one hospital, and the reference: the same figures' sums by the raw GROUP BY over
``order_acceptance`` (``orders.shares.raw_bought``), best of 3 after a warm-up, with the ratio.
Target (issue 17): the bureau's share figures for a month ≤ 1 s from precomputed monthly
aggregates. Checks that the rollup's sums equal the raw ones. Not a test.
"""

from __future__ import annotations

import argparse
import secrets
import time
from datetime import UTC, date, datetime

from sqlalchemy import create_engine, text

from bench.bench_orders import PG_ADMIN, _setup

HOSPITALS, CITIES = 2_900, 16


def _load(url: str, lines: int, months: int) -> None:
    """Hospitals, their reports and the accepted rows of ``months`` months ending 2026-12, in SQL."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    now = datetime.now(UTC)
    with engine.begin() as c:
        user = c.execute(text("SELECT id FROM app_user ORDER BY id LIMIT 1")).scalar_one()
        first = c.execute(text("SELECT id FROM organisation WHERE code = 'H00001'")).scalar_one()
        distributor = c.execute(text("SELECT id FROM organisation WHERE code = 'D0001'")).scalar_one()
        c.execute(text("UPDATE listed_product SET vbp_status = CASE WHEN id % 4 = 0 THEN 'selected' ELSE 'not_vbp' END,"
                       " vbp_batch_code = CASE WHEN id % 4 = 0 THEN 'SD-VBP' END, generic_name = '药品' || (id / 2)"))
        c.execute(text("INSERT INTO organisation (code, name, kind, region_code, active, created_at)"
                       " SELECT 'H' || lpad(n::text, 5, '0'), '医院' || n, 'hospital',"
                       " '37' || lpad((1 + n % :cities)::text, 2, '0') || '00', true, :now"
                       " FROM generate_series(2, :h) n"), {"cities": CITIES, "h": HOSPITALS, "now": now})
        product, supplier, price_id = c.execute(text(
            "SELECT p.id, p.supplier_org_id, lp.id FROM listed_product p JOIN listed_price lp ON lp.product_id = p.id"
            " ORDER BY p.id LIMIT 1")).one()
        order = c.execute(text(
            "INSERT INTO purchase_order (hospital_org_id, number, distributor_org_id, region_code, order_date, status,"
            " note, created_by, created_at, withdrawn_reason) VALUES (:h, 1, :d, '370100', :day, 'sent', '', :u, :now, '')"
            " RETURNING id"), {"h": first, "d": distributor, "day": date(2026, 12, 1), "u": user, "now": now}).scalar_one()
        line = c.execute(text(
            "INSERT INTO order_line (order_id, line_no, product_id, hospital_org_id, supplier_org_id, distributor_org_id,"
            " region_code, quantity, price_e4, price_id, amount_fen, status, decision_note, shipped, accepted)"
            " VALUES (:o, 1, :p, :h, :s, :d, '370100', 1, 10000, :pr, 1, 'confirmed', '', 1, 1) RETURNING id"),
            {"o": order, "p": product, "h": first, "s": supplier, "d": distributor, "pr": price_id}).scalar_one()
        shipment = c.execute(text(
            "INSERT INTO shipment (order_id, number, hospital_org_id, distributor_org_id, region_code, shipped_on,"
            " shipped_by, shipped_at) VALUES (:o, 1, :h, :d, '370100', :day, :u, :now) RETURNING id"),
            {"o": order, "h": first, "d": distributor, "day": date(2026, 12, 1), "u": user, "now": now}).scalar_one()
        sline = c.execute(text(
            "INSERT INTO shipment_line (shipment_id, order_line_id, product_id, hospital_org_id, supplier_org_id,"
            " distributor_org_id, region_code, quantity, lot_no, expiry_on, accepted, rejected)"
            " VALUES (:sh, :l, :p, :h, :s, :d, '370100', 1, 'L', :exp, 1, 0) RETURNING id"),
            {"sh": shipment, "l": line, "p": product, "h": first, "s": supplier, "d": distributor,
             "exp": date(2099, 1, 1)}).scalar_one()
        # the load only (the reads are the same): no foreign-key triggers for the generated rows
        c.execute(text("SET LOCAL session_replication_role = replica"))
        for back in range(months):
            year, month = divmod(2026 * 12 + 11 - back, 12)
            first_day, label = date(year, month + 1, 1), f"{year:04d}-{month + 1:02d}"
            c.execute(text(
                "WITH h AS (SELECT id, region_code, row_number() OVER (ORDER BY id) - 1 AS k FROM organisation"
                " WHERE kind = 'hospital'), p AS (SELECT id, supplier_org_id, row_number() OVER (ORDER BY id) - 1 AS k"
                " FROM listed_product)"
                " INSERT INTO order_acceptance (shipment_line_id, order_line_id, product_id, hospital_org_id,"
                " supplier_org_id, distributor_org_id, region_code, vbp_batch_code, lot_no, kind, quantity, price_e4,"
                " amount_fen, accepted_on, month, reason, by_user, at)"
                " SELECT :sl, :l, p.id, h.id, p.supplier_org_id, :d, h.region_code, NULL, 'L', 'accepted', 1 + n % 7,"
                " 10000, 100 + n % 9973, CAST(:first AS DATE) + (n % 28), :month, '', :u, :now"
                " FROM generate_series(0, :n - 1) n JOIN h ON h.k = n % :hs JOIN p ON p.k = (n / :hs + :back) % 400"),
                {"sl": sline, "l": line, "d": distributor, "u": user, "now": now, "n": lines, "hs": HOSPITALS,
                 "first": first_day, "month": label, "back": back})
            c.execute(text(
                "INSERT INTO hospital_spend (hospital_org_id, region_code, month, kind, amount_fen, reason, reported_by,"
                " reported_at) SELECT id, region_code, :month, 'drug', 30000000, '', :u, :now FROM organisation"
                " WHERE kind = 'hospital'"), {"u": user, "now": now, "month": label})
        c.execute(text("ANALYZE"))
    engine.dispose()


def _best(run, repeat: int = 3) -> float:
    run()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    """Create the database, load it, time the figures and the raw reference, print them, drop it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=610_000, help="accepted rows a month")
    parser.add_argument("--months", type=int, default=12, help="months present, ending 2026-12")
    args = parser.parse_args()
    from sqlmodel import Session, select

    from accounts.actor import Actor
    from accounts.models import Organisation
    from accounts.roles import Role
    from core import audit
    from core.db import Database
    from core.keys import Key, KeyRing
    from orders import rollup
    from orders.shares import raw_bought, rolled_up, shares

    name = f"jicai_bench_shares_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    audit.configure(KeyRing((Key.generate("bench-1"),)))
    try:
        _setup(url)
        start = time.perf_counter()
        _load(url, args.lines, args.months)
        load = time.perf_counter() - start
        db = Database(url)
        with Session(db.engine) as s:
            start = time.perf_counter()
            rollup.rebuild(s)
            s.commit()
            built = time.perf_counter() - start
            s.execute(text("ANALYZE order_share_month"))
            s.commit()
            rows = s.execute(text("SELECT count(*), count(*) FILTER (WHERE month = '2026-12') FROM order_share_month")).one()
            hospital = s.exec(select(Organisation).where(Organisation.code == "H00017")).one()
            actors = (("province bureau (370000)", Actor(0, "bench", Role.SETTLEMENT_OFFICER, 0, "bureau", "370000")),
                      ("city bureau (370100)", Actor(0, "bench", Role.SETTLEMENT_OFFICER, 0, "bureau", "370100")),
                      ("one hospital", Actor(0, "bench", Role.HOSPITAL_BUYER, hospital.id, "hospital",
                                             hospital.region_code)))
            total = args.lines * args.months
            print(f"{'measure':<60}{'seconds':>10}")
            print(f"{f'load {total:,} accepted rows ({args.months} months) + reports (SQL)':<60}{load:>10.3f}")
            print(f"{f'rollup rebuild: {rows[0]:,} rows ({rows[1]:,} in 2026-12)':<60}{built:>10.3f}")
            for label, actor in actors:
                seconds = _best(lambda actor=actor: shares(s, actor, "2026-12"))
                raw = _best(lambda actor=actor: raw_bought(s, actor, "2026-12"))
                assert sorted(rolled_up(s, actor, "2026-12")) == sorted(raw_bought(s, actor, "2026-12"))
                print(f"{f'shares 2026-12 from the rollup, {label} (target <= 1 s)':<60}{seconds:>10.3f}")
                print(f"{'  reference: raw GROUP BY over order_acceptance':<60}{raw:>10.3f}")
                print(f"{'  ratio rollup figures / raw GROUP BY':<60}{seconds / raw:>10.3f}")
            year = _best(lambda: shares(s, actors[0][1], "2026"), repeat=1)
            print(f"{'shares 2026 (the year) from the rollup, province bureau':<60}{year:>10.3f}")
            province = shares(s, actors[0][1], "2026-12")
            print(f"{'province: hospitals / cities':<60}{len(province.hospitals):>5} / {len(province.cities)}")
            print(f"{'province: drug platform share, VBP, non-selected':<60}"
                  f"  {province.total.platform_share('drug')} {province.total.vbp_share} "
                  f"{province.total.non_selected_share}")
        db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
