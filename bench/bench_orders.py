"""A day's order lines through the API: ``python -m bench.bench_orders`` (PostgreSQL).

Shandong's day is ~1,800 orders and ~20,000 order lines (domain.md). On a fresh PostgreSQL
database (127.0.0.1:5432, named for this run, created and dropped here) the bench lists 400
products of 20 suppliers with one confirmed distributor each (setup rows written directly), then
posts a day of 1,800 sent orders × 11–12 lines = 20,000 lines from one hospital system to
``POST /api/v1/orders/bulk`` through the app's WSGI test client (bearer token, JSON parsing and
the input guard, set-wise checks of every line, order numbers, a bulk INSERT of the orders and a
``COPY`` of the lines, audit, notices, one transaction). The reference, in the same run and on the
same connection type: a bare ``COPY`` of the same order and line rows (rolled back). Target
(issue 17): API ≤ 2× the bare COPY. Prints a table; best of ``--repeat`` runs each (each API run
writes a new day: the numbers follow on).

``--year`` first preloads a year of orders (``--days`` days, default 365: 657,000 orders and
7.3 M lines over 2,900 hospitals) by ``COPY``, then ANALYZE — the target is with a year present:
the API's checks, its order numbers (max per hospital) and every index of ``order_line`` then work
on a full table, and so does the bare COPY it is compared with.
"""

from __future__ import annotations

import argparse
import secrets
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, insert, text

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SUPPLIERS, PRODUCTS, ORDERS, LINES = 20, 400, 1_800, 20_000


def _setup(url: str) -> tuple[str, list[str]]:
    """Migrate and load the province, a hospital and its user, suppliers, a distributor, the
    listed products with approved prices and confirmed relations. Returns (token, product codes)."""
    from accounts import services as accounts
    from accounts.models import Organisation
    from accounts.roles import OrgKind, Role
    from api import services as api
    from core import migrate
    from core.db import Database
    from listing.models import DistributionRelation, ListedPrice, ListedProduct
    from procurement.models import Region
    from procurement.regions import ensure_default_regions

    db = Database(url)
    migrate.upgrade(db.engine)
    now = datetime.now(UTC)
    with db.write_session() as s:
        ensure_default_regions(s)
        if s.get(Region, "370100") is None:
            s.execute(insert(Region), [{"code": "370100", "name": "济南市", "parent_code": "370000", "level": "city"}])
        s.commit()
        hospital = accounts.create_organisation(s, None, code="H00001", name="第一人民医院", kind=OrgKind.HOSPITAL,
                                                region_code="370100")
        distributor = accounts.create_organisation(s, None, code="D0001", name="配送企业", kind=OrgKind.DISTRIBUTOR,
                                                   region_code="370100")
        user = accounts.create_user(s, None, username="his", display_name="HIS", password=secrets.token_urlsafe(16),
                                    role=Role.HOSPITAL_BUYER, org_id=hospital.id)
        s.execute(insert(Organisation), [{"code": f"S{k:03d}", "name": f"企业{k}", "kind": "supplier",
                                          "region_code": "370100", "active": True, "created_at": now}
                                         for k in range(SUPPLIERS)])
        suppliers = s.execute(text("SELECT id FROM organisation WHERE kind = 'supplier' ORDER BY id")).scalars().all()
        codes = [f"XC10AAA001A00101{n:07d}" for n in range(PRODUCTS)]
        s.execute(insert(ListedProduct), [
            {"code": c, "kind": "drug", "supplier_org_id": suppliers[n % SUPPLIERS], "region_code": "370000",
             "generic_name": f"药品{n}", "dosage_form": "片剂", "spec": "10mg", "pack": "28片/盒", "mah": "示例",
             "price_e4": 123456 + n, "vbp_status": "not_vbp", "status": "listed", "submitted_by": user.id,
             "submitted_at": now, "decision_note": ""} for n, c in enumerate(codes)])
        ids = s.execute(text("SELECT id FROM listed_product ORDER BY id")).scalars().all()
        s.execute(insert(ListedPrice), [{"product_id": pid, "price_e4": 123456 + n, "effective_on": date(2026, 1, 1),
                                         "reason": "", "status": "approved", "requested_by": user.id,
                                         "requested_at": now, "decision_note": ""} for n, pid in enumerate(ids)])
        s.execute(insert(DistributionRelation), [
            {"supplier_org_id": sid, "distributor_org_id": distributor.id, "region_code": "370100",
             "status": "confirmed", "named_by": user.id, "named_at": now, "decision_note": ""} for sid in suppliers])
        s.commit()
        token, _row = api.create_token(s, accounts.actor_for(s, user), "HIS", now)
    db.dispose()
    return token, codes


def _day(codes: list[str]) -> dict:
    """1,800 orders of 11–12 distinct products each: 20,000 lines."""
    orders, n = [], 0
    for k in range(ORDERS):
        size = LINES // ORDERS + (1 if k < LINES % ORDERS else 0)
        orders.append({"distributor": "D0001", "lines": [
            {"product": codes[(k * 7 + j) % PRODUCTS], "quantity": 1 + (k + j) % 50} for j in range(size)]})
        n += size
    assert n == LINES
    return {"send": True, "orders": orders}


def _products(conn) -> list:
    return conn.execute(text("SELECT p.id, p.supplier_org_id, c.id, c.price_e4 FROM listed_product p "
                             "JOIN listed_price c ON c.product_id = p.id ORDER BY p.id")).all()


def _day_rows(products, hospital: int, distributor: int, user: int, day: date, now: datetime, first_id: int,
              first_number: int, hospitals: list[tuple[int, str]] | None = None) -> tuple[list, list]:
    """The order and line rows of one day (1,800 orders, 20,000 lines) as COPY tuples: order ids
    from ``first_id``, numbers from ``first_number`` (per hospital when ``hospitals`` spreads them)."""
    heads, rows = [], []
    for k in range(ORDERS):
        h, region = hospitals[k % len(hospitals)] if hospitals else (hospital, "370100")
        number = first_number + (k // len(hospitals) if hospitals else k)
        heads.append((first_id + k, h, number, distributor, region, day, "sent", "", user, now, user, now, ""))
        for j in range(LINES // ORDERS + (1 if k < LINES % ORDERS else 0)):
            pid, sid, price_id, e4 = products[(k * 7 + j) % PRODUCTS]
            q = 1 + (k + j) % 50
            rows.append((first_id + k, j + 1, pid, h, sid, distributor, region, q, e4, price_id,
                         (q * e4 + 50) // 100, "pending", "", 0, 0))
    return heads, rows


def _copy(raw, heads: list, rows: list) -> None:
    """COPY order and line rows on the psycopg connection ``raw``."""
    with raw.cursor() as cur:
        with cur.copy('COPY purchase_order (id, hospital_org_id, number, distributor_org_id, region_code, '
                      'order_date, status, note, created_by, created_at, sent_by, sent_at, withdrawn_reason) '
                      'FROM STDIN') as copy:
            for row in heads:
                copy.write_row(row)
        with cur.copy('COPY order_line (order_id, line_no, product_id, hospital_org_id, supplier_org_id, '
                      'distributor_org_id, region_code, quantity, price_e4, price_id, amount_fen, status, '
                      'decision_note, shipped, accepted) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def _ids(conn) -> tuple[int, int, int]:
    return conn.execute(text("SELECT (SELECT id FROM organisation WHERE code='H00001'), "
                             "(SELECT id FROM organisation WHERE code='D0001'), (SELECT min(id) FROM app_user)")).one()


def _preload(url: str, days: int) -> tuple[float, int]:
    """A year (``days`` days) of orders before today: 2,900 hospitals (H00001 the API's), each day's
    1,800 orders and 20,000 lines spread over them, by COPY (a commit per day), then ANALYZE.
    Returns (seconds, line rows present)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    start = time.perf_counter()
    with engine.connect() as conn:
        hospital, distributor, user = _ids(conn)
        conn.execute(text("INSERT INTO organisation (code, name, kind, region_code, active, created_at)"
                          " SELECT 'H' || lpad(n::text, 5, '0'), '医院' || n, 'hospital',"
                          " '37' || lpad((1 + n % 16)::text, 2, '0') || '00', true, now()"
                          " FROM generate_series(2, 2900) n"))
        conn.commit()
        hospitals = [tuple(r) for r in conn.execute(text(
            "SELECT id, region_code FROM organisation WHERE kind = 'hospital' ORDER BY id")).all()]
        products, now, raw = _products(conn), datetime.now(UTC), conn.connection.driver_connection
        today = date.today()
        per_hospital = -(-ORDERS // len(hospitals))
        for d in range(days):
            heads, rows = _day_rows(products, hospital, distributor, user, today - timedelta(days=days - d), now,
                                    1 + d * ORDERS, 1 + d * per_hospital, hospitals)
            _copy(raw, heads, rows)
            raw.commit()
        conn.execute(text("SELECT setval(pg_get_serial_sequence('purchase_order', 'id'), "
                          "(SELECT max(id) FROM purchase_order))"))
        conn.commit()
        conn.execute(text("ANALYZE"))
        conn.commit()
        present = conn.execute(text("SELECT count(*) FROM order_line")).scalar_one()
    engine.dispose()
    return time.perf_counter() - start, present


def _bare_copy(url: str, repeat: int) -> float:
    """Seconds of a bare COPY of 1,800 order rows and 20,000 line rows (rolled back), best of ``repeat``."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    best = float("inf")
    with engine.connect() as conn:
        hospital, distributor, user = _ids(conn)
        heads, rows = _day_rows(_products(conn), hospital, distributor, user, date.today(), datetime.now(UTC),
                                10**8, 10**8)
        for _ in range(repeat):
            raw = conn.connection.driver_connection
            start = time.perf_counter()
            _copy(raw, heads, rows)
            best = min(best, time.perf_counter() - start)
            raw.rollback()
    engine.dispose()
    return best


def main() -> None:
    """Create the database, run the API import and the bare COPY, print the figures, drop it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", action="store_true",
                        help="preload a year of orders (365 days x 20,000 lines = 7.3 M) by COPY first")
    parser.add_argument("--days", type=int, default=365, help="with --year: how many days to preload")
    args = parser.parse_args()
    from app import create_app
    from core import audit
    from core.keys import Key, KeyRing

    name = f"jicai_bench_orders_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    ring = KeyRing((Key.generate("bench-1"),))
    audit.configure(ring)
    try:
        token, codes = _setup(url)
        preload = _preload(url, args.days) if args.year else None
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"database_url": url, "instance_path": folder, "audit_key": ring.to_text()})
            client = app.test_client()
            body = _day(codes)
            timings = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.post("/api/v1/orders/bulk", json=body, headers={"Authorization": f"Bearer {token}"})
                timings.append(time.perf_counter() - start)
                assert response.status_code == 201, response.get_json()
                assert response.get_json()["lines"] == LINES
            app.extensions["jicai.db"].dispose()
        bare = _bare_copy(url, args.repeat)
        api_best = min(timings)
        print(f"{'measure':<48}{'seconds':>10}")
        if preload is not None:
            print(f"{f'preload {args.days} days by COPY: {preload[1]:,} lines':<48}{preload[0]:>10.3f}")
        print(f"{'API POST /orders/bulk, 1,800 orders, 20,000 lines':<48}{api_best:>10.3f}")
        print(f"{'bare COPY of the same order and line rows':<48}{bare:>10.3f}")
        print(f"{'ratio API / bare COPY (target <= 2.0)':<48}{api_best / bare:>10.2f}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
