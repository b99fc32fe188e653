"""Migration 0010 moves a run's money from per-line payables to shares, exactly, both ways."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from core.migrate import alembic_config
from settlement import services
from tests.settlement.fixtures_db import NOW, setup  # noqa: F401
from tests.settlement.test_services import actors, deliver_and_accept

SHARES = "SELECT hospital_org_id, supplier_org_id, gross_fen, offset_fen, paid_fen, line_count, instruction_id " \
         "FROM settlement_share ORDER BY hospital_org_id, supplier_org_id"
OLD_SUMS = ("SELECT hospital_org_id, supplier_org_id, SUM(gross_fen), SUM(offset_fen), SUM(paid_fen), COUNT(*), "
            "MAX(instruction_id) FROM settlement_payable GROUP BY hospital_org_id, supplier_org_id "
            "ORDER BY hospital_org_id, supplier_org_id")
LINES = "SELECT acceptance_id, kind, run_id, quantity, gross_fen FROM settlement_payable ORDER BY acceptance_id"


def _rows(db, sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def _migrate(db, revision: str, down: bool) -> None:
    cfg = alembic_config(db.engine)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_shares_survive_a_downgrade_and_upgrade_to_the_fen(db, session, world, setup):  # noqa: F811
    supplier, hospital, officer = actors(world)
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    accs = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 3), ("YP001", 777, 700, 9),
                                                      ("YP003", 333, 333, 20)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    assert run.offset_fen > 0
    session.close()
    shares, lines = _rows(db, SHARES), _rows(db, LINES)
    assert len(shares) == 1 and len(lines) == 3
    try:
        _migrate(db, "0009", down=True)
        assert _rows(db, OLD_SUMS) == shares  # per line again; the share's sums are exact
    finally:
        _migrate(db, "head", down=False)
    assert _rows(db, SHARES) == shares and _rows(db, LINES) == lines
