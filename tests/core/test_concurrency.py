"""No lost update: 8 concurrent writers editing one batch on the real database."""

from sqlmodel import select

from accounts.roles import Role
from core.audit import verify_chain
from core.db import retrying
from procurement import services
from procurement.models import Batch
from tests.conftest import run_together

WRITERS, EDITS = 8, 5


def test_eight_concurrent_writers_lose_nothing(db, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    with db.write_session() as s:
        services.create_batch(s, officer, code="CONC", name="并发测试")

    def writer(n: int, start) -> None:
        start()
        for i in range(EDITS):
            def edit(days: int = 1 + (n + i) % 9):
                with db.write_session() as s:
                    services.update_batch(s, officer, "CONC", rule_changes={"publicity_days": days})
            retrying(edit)

    run_together(WRITERS, writer)
    with db.read_session() as s:
        batch = s.exec(select(Batch).where(Batch.code == "CONC")).one()
        assert batch.revision == WRITERS * EDITS
        report = verify_chain(s)
    assert report.ok, report
