"""Concurrent uploads of one hospital's demand get versions 1..n: no gap, no duplicate."""


from sqlmodel import select

from accounts.roles import Role
from core.audit import verify_chain
from core.db import retrying
from procurement.demand.models import DemandUpload
from procurement.demand.services import submit_demand
from tests.conftest import run_together
from tests.procurement.demand_fixtures import BEFORE, GOOD

WRITERS, EACH = 6, 2


def test_concurrent_uploads_number_versions_without_gaps(db, world, demand):
    buyer, officer = world.actors[("A", Role.HOSPITAL_BUYER)], world.actors[("A", Role.PRICE_OFFICER)]

    def writer(n: int, start) -> None:
        start()
        for _ in range(EACH):
            def upload():
                with db.write_session() as s:
                    actor = buyer if n % 2 else officer
                    assert submit_demand(s, actor, "DB1", "A-hospital", GOOD, f"w{n}.xlsx", BEFORE).accepted
            retrying(upload)

    run_together(WRITERS, writer)
    with db.read_session() as s:
        versions = sorted(s.exec(select(DemandUpload.version)).all())
        assert versions == list(range(1, WRITERS * EACH + 1))
        assert verify_chain(s).ok
