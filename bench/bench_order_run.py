"""Monthly run over listed products' order lines: ``python -m bench.bench_order_run [--lines N]``.

On a fresh PostgreSQL database (127.0.0.1:5432, named for this run, created and dropped here):
bench_shares' province — 2,900 hospitals over 16 cities, 400 listed products of 40 suppliers —
and ``--lines`` accepted order rows in 2026-12 (default 600,000: a month of ~20,000 lines a day),
all outside VBP contracts, made in SQL. The scope of Shandong is set to ``all`` from 2026-12-01
(``directpay.services.set_scope``), then the month is run once as a settlement officer
(``settlement.services.run_settlement`` on the container ``DS-370000``: spans, one aggregate,
instructions, shares, statements, the claim, the rollup, commit) and compared with a bare
``GROUP BY`` over the same rows (best of 3). Target (issue 17): run ≤ 3 × the bare ``GROUP BY``.
Not a test.
"""

from __future__ import annotations

import argparse
import secrets
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from bench.bench_orders import PG_ADMIN, _setup
from bench.bench_shares import _load

BARE = ("SELECT hospital_org_id, supplier_org_id, SUM(amount_fen), COUNT(*) FROM order_acceptance"
        " WHERE month = '2026-12' AND kind = 'accepted' GROUP BY hospital_org_id, supplier_org_id")


def main() -> None:
    """Create the database, load it, time the bare aggregate and the run, print, drop it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=600_000)
    args = parser.parse_args()
    from accounts import services as accounts
    from accounts.roles import OrgKind, Role
    from core import audit
    from core.db import Database
    from core.keys import Key, KeyRing
    from directpay.services import set_scope
    from settlement import services

    name = f"jicai_bench_order_run_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    audit.configure(KeyRing((Key.generate("bench-1"),)))
    try:
        _setup(url)
        start = time.perf_counter()
        _load(url, args.lines)
        load = time.perf_counter() - start
        db = Database(url)
        with db.write_session() as s:
            s.execute(text("UPDATE organisation SET bank_account = '6222000011112222', bank_cnaps = '102100099996'"
                           " WHERE kind IN ('supplier', 'distributor')"))
            s.execute(text("UPDATE listed_product SET vbp_status = 'not_vbp', vbp_batch_code = NULL"))
            s.commit()
            fund = accounts.create_organisation(s, None, code="F370000", name="山东省医保基金", kind=OrgKind.FUND,
                                                region_code="370000", bank_account="6222000099998888",
                                                bank_cnaps="102100099996")
            user = accounts.create_user(s, None, username="fund1", display_name="结算员", role=Role.SETTLEMENT_OFFICER,
                                        password=secrets.token_urlsafe(16), org_id=fund.id)
            officer = accounts.actor_for(s, user)
            set_scope(s, officer, region_code="370000", phase="all", effective_from="2026-12-01",
                      reason="全部挂网产品直接结算", now=datetime(2026, 11, 20, 2, tzinfo=UTC))
        bare = []
        with db.engine.connect() as c:
            c.execute(text(BARE)).all()
            for _ in range(3):
                t = time.perf_counter()
                groups = len(c.execute(text(BARE)).all())
                bare.append(time.perf_counter() - t)
        with db.write_session() as s:
            t = time.perf_counter()
            run = services.run_settlement(s, officer, "DS-370000", "2026-12", datetime(2027, 1, 5, 2, tzinfo=UTC)).run
            seconds = time.perf_counter() - t
            paid, lines, ref = run.paid_fen, run.line_count, run.run_ref
        with db.engine.connect() as c:
            total = c.execute(text("SELECT SUM(amount_fen) FROM order_acceptance WHERE month = '2026-12'"
                                   " AND kind = 'accepted'")).scalar_one()
            shares = c.execute(text("SELECT COUNT(*) FROM settlement_share")).scalar_one()
            instructions = c.execute(text("SELECT COUNT(*) FROM settlement_instruction")).scalar_one()
        print(f"{'measure':<58}{'value':>14}")
        print(f"{f'load {args.lines:,} accepted rows (SQL)':<58}{load:>14.3f}")
        print(f"{f'bare GROUP BY hospital x supplier ({groups:,} groups), best of 3 s':<58}{min(bare):>14.3f}")
        print(f"{f'run {ref}: {lines:,} lines, {shares:,} shares, {instructions} instructions, s':<58}{seconds:>14.3f}")
        print(f"{'ratio run / bare GROUP BY (goal <= 3)':<58}{seconds / min(bare):>14.2f}")
        print(f"{'paid = accepted in scope, fen':<58}{f'{paid} = {total}':>14} {'OK' if paid == total else 'MISMATCH'}")
        db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
