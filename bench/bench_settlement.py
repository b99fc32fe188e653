"""Settlement benchmark: ``python -m bench.bench_settlement [--lines N] [--sqlite-only]`` prints a table.

A month at the scale of the largest provincial operator (domain.md): 2,900 hospitals,
600,000 accepted, applied and confirmed delivery lines over 20 items (58,000 contracts,
300 suppliers), each with its place in the batch's settlement queue (one place per hospital's
confirmation, as 2,900 reconciliations give them). On SQLite (a temporary file) and PostgreSQL (127.0.0.1:5432, database
``jicai_bench_settlement``, created and dropped here) it times, in the same run:

* inserting the 600,000 acceptance lines at driver level (sqlite3 executemany, PostgreSQL COPY);
* a bare SQL ``GROUP BY`` supplier × hospital of quantity × contract price (the floor);
* the full settlement run: ``run_settlement`` (read, compute with the pure core, persist
  instructions, statements, payable keys and offsets), ``approve_run`` and
  ``release_files`` (pain.001 XML, CSVs, summary) — as a ratio to the GROUP BY (target ≤ 5×);
* recording a day's 20,000 delivery lines through the workbook upload path (read, check
  against the contracts, bulk insert; target ≤ 3 s).

Not a test.
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import insert, text

from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.roles import OrgKind, Role
from core import audit, migrate
from core.db import Database, make_engine
from core.keys import Key, KeyRing
from evaluation.models import Evaluation
from procurement.models import Batch, BatchItem, Item
from procurement.rules import parse_rules
from review.models import Contract
from settlement.execution.uploads import upload_deliveries
from settlement.models import Delivery
from settlement.services import approve_run, grant_prepayment, release_files, run_settlement

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "jicai_bench_settlement"
NOW = datetime(2026, 11, 8, 2, 0, tzinfo=UTC)
HOSPITALS, SUPPLIERS, ITEMS = 2900, 300, 20


def _orgs_and_batch(db: Database) -> dict:
    """Organisations, users, items, a batch in execution and one contract per hospital × item."""
    rnd = random.Random(7)
    with db.engine.begin() as conn:
        orgs = [{"code": f"H{h:05d}", "name": f"医院{h}", "kind": OrgKind.HOSPITAL, "region_code": "370100",
                 "bank_cnaps": None, "bank_account": None, "bank_name": None,
                 "active": True, "created_at": NOW} for h in range(HOSPITALS)]
        orgs += [{"code": f"S{s:04d}", "name": f"企业{s}", "kind": OrgKind.SUPPLIER, "region_code": "370200",
                  "bank_cnaps": "102100099996", "bank_account": f"62220000{s:08d}", "bank_name": "工商银行",
                  "active": True, "created_at": NOW} for s in range(SUPPLIERS)]
        orgs.append({"code": "FUND", "name": "山东省医保基金", "kind": OrgKind.FUND, "region_code": "370000",
                     "bank_cnaps": "102100000001", "bank_account": "3701000000000001", "bank_name": "工商银行",
                     "active": True,
                     "created_at": NOW})
        conn.execute(insert(Organisation), orgs)
        ids = {code: pk for pk, code in conn.execute(text("SELECT id, code FROM organisation"))}
        users = [{"username": name, "display_name": name, "password_hash": "x", "role": role,
                  "org_id": ids[org], "active": True, "created_at": NOW}
                 for name, role, org in (("settle", Role.SETTLEMENT_OFFICER, "FUND"),
                                         ("settle2", Role.SETTLEMENT_OFFICER, "FUND"),
                                         ("supplier", Role.SUPPLIER_REP, "S0000"))]
        conn.execute(insert(User), users)
        uids = {u: pk for pk, u in conn.execute(text("SELECT id, username FROM app_user"))}
        conn.execute(insert(Item), [{"code": f"YP{i:03d}", "kind": "drug", "generic_name": f"药品{i}",
                                     "minimal_unit": "片", "active": True} for i in range(ITEMS)])
        conn.execute(insert(Batch), [{"code": "BENCH", "name": "基准批次", "kind": "drug", "region_code": "370000",
                                      "status": "execution", "rules_json": parse_rules(None).to_json(),
                                      "cycle_start": date(2026, 10, 1), "cycle_end": date(2027, 9, 30),
                                      "revision": 0, "created_at": NOW, "updated_at": NOW}])
        batch_id = conn.execute(text("SELECT id FROM batch")).scalar()
        conn.execute(insert(BatchItem), [{"batch_id": batch_id, "item_id": pk, "max_valid_price_e4": 9000,
                                          "previous_price_e4": 6000, "active": True}
                                         for (pk,) in conn.execute(text("SELECT id FROM item"))])
        conn.execute(insert(Evaluation), [{"batch_id": batch_id, "version": 1, "status": "done", "rules_json": "{}",
                                           "created_at": NOW}])
        ev = conn.execute(text("SELECT id FROM evaluation")).scalar()
        bis = [pk for (pk,) in conn.execute(text("SELECT id FROM batch_item ORDER BY id"))]
        contracts = []
        for n, bi in enumerate(bis):
            for h in range(HOSPITALS):
                supplier = ids[f"S{(h * 7 + n * 13) % SUPPLIERS:04d}"] if h % 10 else ids["S0000"]
                contracts.append({"code": f"HT{n:02d}{h:05d}", "batch_id": batch_id, "evaluation_id": ev,
                                  "batch_item_id": bi, "hospital_org_id": ids[f"H{h:05d}"],
                                  "supplier_org_id": supplier, "ucp_e4": rnd.randint(500, 8000),
                                  "reported_demand": 200_000, "agreed_volume": 100_000,
                                  "period_start": date(2026, 10, 1), "period_end": date(2027, 9, 30),
                                  "status": "signed", "created_at": NOW})
        conn.execute(insert(Contract), contracts)
    return {"batch_id": batch_id, "ids": ids, "users": uids, "contracts": contracts}


def _lines(db: Database, env: dict, count: int) -> float:
    """Insert ``count`` accepted, applied, confirmed lines (and their deliveries); seconds for the lines."""
    rnd = random.Random(11)
    contracts = env["contracts"]
    with db.engine.begin() as conn:
        conn.execute(insert(Delivery), [{"contract_id": 1, "batch_id": env["batch_id"], "hospital_org_id":
                                         contracts[0]["hospital_org_id"], "supplier_org_id": contracts[0]["supplier_org_id"],
                                         "quantity": 10**9, "shipped_on": date(2026, 10, 1), "source": "api",
                                         "supplier_ref": "", "recorded_by": env["users"]["supplier"],
                                         "recorded_at": NOW}])
        delivery = conn.execute(text("SELECT id FROM settlement_delivery")).scalar()
        cid = {c["code"]: pk for pk, c in zip(range(1, len(contracts) + 1), contracts, strict=True)}
        rows = []
        for _ in range(count):
            c = contracts[rnd.randrange(len(contracts))]
            rows.append((delivery, cid[c["code"]], env["batch_id"], c["hospital_org_id"], c["supplier_org_id"],
                         rnd.randint(1, 5000), 0, date(2026, 10, rnd.randint(1, 31)), env["users"]["settle"], NOW,
                         "2026-10", "confirmed", "", 1 + rnd.randrange(2900)))
    columns = ("delivery_id, contract_id, batch_id, hospital_org_id, supplier_org_id, quantity, returned, accepted_on,"
               " accepted_by, accepted_at, applied_month, reconcile_status, dispute_reason, claim_seq")
    raw = db.engine.raw_connection()
    started = time.perf_counter()
    try:  # driver level: sqlite3 executemany of tuples, PostgreSQL COPY
        cur = raw.cursor()
        if db.dialect == "postgresql":
            with cur.copy(f"COPY settlement_acceptance ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO settlement_acceptance ({columns}) VALUES ({', '.join('?' * 14)})",  # noqa: S608
                            [(*r[:7], r[7].isoformat(), r[8], r[9].strftime("%Y-%m-%d %H:%M:%S.%f"), *r[10:])
                             for r in rows])
        raw.commit()
    finally:
        raw.close()
    elapsed = time.perf_counter() - started
    if db.dialect == "postgresql":  # a month of lines arrives over a month: autovacuum has analysed them
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return elapsed


def _group_by(db: Database) -> float:
    """The bare SQL floor: Σ quantity × price per supplier × hospital."""
    started = time.perf_counter()
    with db.engine.connect() as conn:
        conn.execute(text("SELECT a.supplier_org_id, a.hospital_org_id, SUM((a.quantity - a.returned) * c.ucp_e4) "
                          "FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id "
                          "WHERE a.batch_id = (SELECT id FROM batch WHERE code = 'BENCH') "
                          "GROUP BY a.supplier_org_id, a.hospital_org_id")).all()
    return time.perf_counter() - started


def _actor(env: dict, username: str, role: Role, org: str) -> Actor:
    """A service-level actor for a bench user."""
    return Actor(env["users"][username], username, role, env["ids"][org], "fund", "370000")


def _full_run(db: Database, env: dict) -> tuple[float, int, int]:
    """run + approve + release; seconds, instructions written, fen paid."""
    officer, second = _actor(env, "settle", Role.SETTLEMENT_OFFICER, "FUND"), _actor(
        env, "settle2", Role.SETTLEMENT_OFFICER, "FUND")
    with db.write_session() as s:  # prepayment for a few hospitals (offsets are exercised)
        for h in range(0, HOSPITALS, 29):
            grant_prepayment(s, None, "BENCH", f"H{h:05d}", NOW, commit=False)
        s.commit()
    started = time.perf_counter()
    with db.write_session() as s:
        run = run_settlement(s, officer, "BENCH", "2026-10", NOW).run
    with db.write_session() as s:
        approve_run(s, second, run.id, NOW)
    with db.write_session() as s:
        files = release_files(s, officer, run.id, NOW).value
    elapsed = time.perf_counter() - started
    return elapsed, files[0].instruction_count, run.paid_fen


def _upload(db: Database, env: dict, count: int) -> float:
    """Seconds to record ``count`` delivery lines through the workbook upload path."""
    mine = [c["code"] for c in env["contracts"] if c["supplier_org_id"] == env["ids"]["S0000"]]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("发货")
    ws.append(["合同编号", "发货数量", "发货日期", "企业单号"])
    for n in range(count):
        ws.append([mine[n % len(mine)], 100 + n % 50, "2026-11-07", f"PS{n:07d}"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    actor = Actor(env["users"]["supplier"], "supplier", Role.SUPPLIER_REP, env["ids"]["S0000"], "supplier", "370200")
    started = time.perf_counter()
    with db.write_session() as s:
        result = upload_deliveries(s, actor, data, "day.xlsx", NOW)
    elapsed = time.perf_counter() - started
    assert result.recorded == count, result.errors[:3]
    return elapsed


def _measure(name: str, url: str, lines: int, upload: int) -> list[tuple[str, str, str]]:
    """All figures for one database."""
    db = Database(url)
    migrate.upgrade(db.engine)
    env = _orgs_and_batch(db)
    ins = _lines(db, env, lines)
    group = min(_group_by(db) for _ in range(3))
    run, n_inst, paid = _full_run(db, env)
    up = _upload(db, env, upload)
    db.dispose()
    return [(name, f"insert {lines:,} lines (driver executemany / COPY)", f"{ins:.2f} s"),
            (name, "bare SQL GROUP BY (best of 3)", f"{group:.2f} s"),
            (name, f"full settlement run ({n_inst} instructions, ¥{paid // 100:,})", f"{run:.2f} s"),
            (name, "run ÷ GROUP BY (target ≤ 5×)", f"{run / group:.1f}×"),
            (name, f"workbook upload of {upload:,} delivery lines (target ≤ 3 s)", f"{up:.2f} s")]


def main() -> None:
    """Run on SQLite and PostgreSQL and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=600_000)
    parser.add_argument("--upload", type=int, default=20_000)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    audit.configure(KeyRing((Key.generate("bench-1"),)))  # a throwaway audit key for the run
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += _measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.lines, args.upload)
    if not args.sqlite_only:
        admin = make_engine(PG_ADMIN).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_DB}"'))
        try:
            rows += _measure("PostgreSQL", f"postgresql://postgres@127.0.0.1:5432/{PG_DB}", args.lines, args.upload)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)'))
            admin.dispose()
    width = max(len(r[1]) for r in rows)
    print(f"{'database':<11} {'measure':<{width}} figure")
    for db_name, measure, figure in rows:
        print(f"{db_name:<11} {measure:<{width}} {figure}")


if __name__ == "__main__":
    main()
