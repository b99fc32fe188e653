"""Migrations 0010 (shares) and 0011 (claims) move the settled money and lines exactly, both ways."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from core import migrate
from settlement import services
from tests.settlement.fixtures_db import NOW, settled_lines, setup  # noqa: F401
from tests.settlement.test_services import actors, deliver_and_accept

SHARES = "SELECT hospital_org_id, supplier_org_id, gross_fen, offset_fen, paid_fen, line_count, instruction_id " \
         "FROM settlement_share ORDER BY hospital_org_id, supplier_org_id"
OLD_SUMS = ("SELECT hospital_org_id, supplier_org_id, SUM(gross_fen), SUM(offset_fen), SUM(paid_fen), COUNT(*), "
            "MAX(instruction_id) FROM settlement_payable GROUP BY hospital_org_id, supplier_org_id "
            "ORDER BY hospital_org_id, supplier_org_id")
PAYABLES = "SELECT acceptance_id, run_id, quantity, gross_fen FROM settlement_payable ORDER BY acceptance_id"


def _rows(db, sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def _migrate(db, revision: str, down: bool) -> None:
    (migrate.downgrade if down else migrate.upgrade)(db.engine, revision)


def test_settled_lines_survive_a_downgrade_and_upgrade_to_the_fen(db, session, world, setup):  # noqa: F811
    supplier, hospital, officer = actors(world)
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    accs = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 3), ("YP001", 777, 700, 9),
                                                      ("YP003", 333, 333, 20), ("YP003", 50, 50, 21)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a.id for a in accs[:3]], True, "", NOW)
    services.reconcile(session, hospital, [accs[3].id], False, "数量不符", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    assert run.offset_fen > 0
    # after the run: goods returned from a settled line (clawed back), the disputed line confirmed
    services.return_goods(session, hospital, accs[1].id, 70, date(2026, 10, 25), "召回", NOW)
    services.reconcile(session, hospital, [accs[3].id], True, "", NOW)
    settled = settled_lines(session)
    session.close()
    shares = _rows(db, SHARES)
    assert len(shares) == 1 and sorted(settled) == sorted(a.id for a in accs[:3])
    try:
        _migrate(db, "0010", down=True)  # per-line payables, at what each line was settled for
        assert _rows(db, PAYABLES) == [(a.id, run.id, q, settled[a.id][1])
                                       for a, q in zip(accs[:3], (1000, 700, 333), strict=True)]
    finally:
        _migrate(db, "head", down=False)
    assert _rows(db, SHARES) == shares and settled_lines(session) == settled
    session.close()  # the write session holds SQLite's lock
    try:  # below 0010 clawbacks are not recorded (its downgrade says so); the shares' sums stay exact
        _migrate(db, "0009", down=True)
        assert _rows(db, OLD_SUMS) == shares
    finally:
        _migrate(db, "head", down=False)
    assert _rows(db, SHARES) == shares
    # the line confirmed after the run is still open, above the migrated claim, and settles next
    second = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    assert second.id != run.id and second.line_count == 1
    assert settled_lines(session)[accs[3].id][0] == second.id
