"""Progress (序时进度) runs on the current contract year (issue #16): in year 1 against year 1's
agreed volume and purchases, across the boundary against year 2's re-confirmed volume and only
year 2's purchases, each with its own time-proportional target — at a moved clock, by the real
use cases of the national result's story."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.models import Organisation
from accounts.roles import Role
from cycles import years
from procurement.models import Batch
from settlement.monitoring.queries import progress_report
from tests.cycles.story import CODE, acting, at, deliver, officer, put_into_effect
from tests.results.fixtures import national_world


def _row(session, world, batch, as_of, hospital="A-hospital", item="YP902"):
    """The progress row of one hospital × item as the province's settlement officer sees it."""
    report, _names = progress_report(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], batch, as_of)
    return report, next(r for r in report.rows if (r.hospital_code, r.item_code) == (hospital, item))


def test_progress_is_measured_against_the_running_contract_year(db, session, world, ring):
    national_world(session, world)
    contracts = {c.code: c for c in put_into_effect(session, world)}
    yp902 = contracts["NAT9-YP902-A-hospital"]
    deliver(session, world, CODE, date(2024, 4, 10), Decimal("0.3"))  # year 1: 945 of 3150
    years.open_reconfirmation(session, officer(world), CODE, 2, at(date(2025, 1, 15)))
    row = next(r for r in years._years(session, session.get(Batch, yp902.batch_id), 2) if r.contract_id == yp902.id)
    hospital = acting(world, Role.HOSPITAL_BUYER, session.get(Organisation, yp902.hospital_org_id))
    years.answer_year(session, hospital, row.id, 3600, "去年实际用量已超约定量", at(date(2025, 1, 20)))
    years.approve_year(session, officer(world), CODE, 2, at(date(2025, 2, 1)), include_unanswered=True)
    deliver(session, world, CODE, date(2025, 4, 10), Decimal("0.1"), only={yp902.code})  # year 2: 315
    batch = session.get(Batch, yp902.batch_id)

    report, year1 = _row(session, world, batch, date(2025, 2, 28))  # year 1's last day
    assert (year1.agreed_volume, year1.purchased_selected, year1.target_volume) == (3150, 945, 3150)
    assert report.cycle_month == 12

    report, year2 = _row(session, world, batch, date(2025, 3, 31))  # a month into year 2: Mar 1 – Feb 28
    assert (year2.agreed_volume, year2.purchased_selected) == (3600, 0)
    assert year2.target_volume == (3600 * 31 + 182) // 365  # 31 of 365 days, half up
    assert report.cycle_month == 1
    _report, later = _row(session, world, batch, date(2025, 4, 30))
    assert (later.agreed_volume, later.purchased_selected) == (3600, 315)  # year 1's 945 not counted
