"""The national result's whole life in province A, by the real use cases at a moved clock: loaded
(2024-01), put into effect with contracts per city, two contract years with the re-confirmation
of year 2, renewed (2025-10) into a new cycle whose contracts start the day after the old ones
end — a delivery on each side of the boundary settles under its own contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from accounts.models import Organisation
from accounts.roles import Role
from cycles import renewal, years
from cycles.models import ContractYear
from procurement.demand.models import DemandFloor
from procurement.demand.services import submit_bulk_demand
from procurement.models import Batch, BatchItem
from settlement import services as settlement
from settlement.models import Acceptance
from tests.cycles.story import (
    CODE,
    acting,
    at,
    contracts_of,
    deliver,
    officer,
    open_renewal_demand,
    put_into_effect,
    second_price_officer,
    second_settlement_officer,
    settle_month,
    tender_renewal,
)
from tests.results.fixtures import bulk_demand, national_world


def _year(session, contract, n):
    session.expire_all()
    return session.exec(select(ContractYear).where(ContractYear.contract_id == contract.id,
                                                   ContractYear.year_no == n)).one()


def test_a_national_result_runs_two_years_and_is_renewed_without_gap_or_overlap(db, session, world, ring):
    national_world(session, world)
    contracts = {c.code: c for c in put_into_effect(session, world)}
    # contracts per city: Qingdao (370200) has its own primary for YP901, the province's rule elsewhere
    assert contracts["NAT9-YP901-A-hospital"].supplier_org_id != contracts["NAT9-YP901-A-hospital-2"].supplier_org_id
    by_item = {c.code.split("-")[1]: c for c in contracts.values() if c.code.endswith("-A-hospital")}
    # the period rule: 4 winners → 3 years, 3 → 2, 2 → 2
    assert [(by_item[i].winner_count, by_item[i].period_end) for i in ("YP901", "YP902", "YP903")] == [
        (4, date(2027, 2, 28)), (3, date(2026, 2, 28)), (2, date(2026, 2, 28))]
    assert {c.period_basis for c in contracts.values()} == {"winners"}

    # year 1: three quarters' deliveries, a bit more than agreed at the first hospital's YP902
    for day in (date(2024, 4, 10), date(2024, 8, 10), date(2024, 12, 10)):
        deliver(session, world, CODE, day, Decimal("0.3"))
    deliver(session, world, CODE, date(2025, 1, 10), Decimal("0.2"), only={"NAT9-YP902-A-hospital"})
    batch = session.exec(select(Batch).where(Batch.code == CODE)).one()
    early = at(date(2024, 12, 20))
    assert "opens on 2024-12-30" in str(years.reconfirmation_refusal(session, batch, 2, early))
    with pytest.raises(years.VolumeRefused):
        years.open_reconfirmation(session, officer(world), CODE, 2, early)

    # the re-confirmation of year 2, from 60 days before year 1 ends
    opened = years.open_reconfirmation(session, officer(world), CODE, 2, at(date(2025, 1, 15)))
    assert opened.value == 5 and years.open_reconfirmation(session, officer(world), CODE, 2,
                                                           at(date(2025, 1, 15))).repeated
    yp902 = contracts["NAT9-YP902-A-hospital"]
    row = _year(session, yp902, 2)
    assert (row.last_actual, row.floor_volume, row.proposed_volume) == (3465, 3150, 3150)  # 0.9 + 0.2 of 3150
    hospital = acting(world, Role.HOSPITAL_BUYER, session.get(Organisation, yp902.hospital_org_id))
    with pytest.raises(years.VolumeRefused, match="below the floor"):
        years.answer_year(session, hospital, row.id, 3000, "病人减少", at(date(2025, 1, 20)))
    with pytest.raises(years.VolumeRefused, match="reason"):
        years.answer_year(session, hospital, row.id, 3600, " ", at(date(2025, 1, 20)))
    years.answer_year(session, hospital, row.id, 3600, "去年实际用量已超约定量", at(date(2025, 1, 20)))
    assert years.confirm_all(session, hospital, CODE, 2, at(date(2025, 1, 21))) == 2  # its other rows
    assert years.approve_year(session, officer(world), CODE, 2, at(date(2025, 2, 1))).value == 3
    assert years.approve_year(session, officer(world), CODE, 2, at(date(2025, 2, 2)),
                              include_unanswered=True).value == 2  # the second hospital did not answer
    assert (_year(session, yp902, 2).agreed_volume, _year(session, yp902, 2).status) == (3600, "agreed")
    assert _year(session, contracts["NAT9-YP901-A-hospital"], 3).status == "provisional"

    # year 2, then the renewal within six months of the 2026-02-28 end
    for day in (date(2025, 4, 10), date(2025, 8, 10)):
        deliver(session, world, CODE, day, Decimal("0.4"))
    assert "6 months before" in str(renewal.renewal_refusal(session, batch, at(date(2025, 8, 20))))
    when = at(date(2025, 10, 15))
    with pytest.raises(renewal.RenewalRefused, match="只议价不带量"):
        renewal.create_renewal(session, officer(world), CODE, new_code="SD-JX-2026", name="接续", mode="price_only",
                               other_prices={}, now=when)
    plan = renewal.renewal_plan(session, batch, when)
    assert (plan.ends_on, plan.starts_on, [i.code for i in plan.items]) == (
        date(2026, 2, 28), date(2026, 3, 1), ["YP902", "YP903"])
    new = renewal.create_renewal(session, officer(world), CODE, new_code="SD-JX-2026", name="第九批国采接续（山东）",
                                 mode="with_volume", other_prices={}, now=when)
    assert (new.renewal_of_id, new.cycle_start, new.procedure) == (batch.id, date(2026, 3, 1), "tender")
    prices = dict(session.exec(select(BatchItem.previous_price_e4, BatchItem.max_valid_price_e4)
                               .where(BatchItem.batch_id == new.id)).all())
    assert set(prices.items()) == {(48500, 48500), (124000, 124000)}  # the previous selected price is the maximum
    floors = {f.source_contract_id: f.floor_volume for f in session.exec(select(DemandFloor)).all()}
    # the last contract year's accepted quantity (year 2 from 2025-03-01): Apr and Aug, not December's
    # and January's of year 1 that the last twelve months would count
    assert floors[yp902.id] == 1260 + 1260
    # a renewal always carries volume: below the floor is refused, whatever the reason
    open_renewal_demand(session, world, new.code)
    below = submit_bulk_demand(session, officer(world), new.code, bulk_demand([("A-hospital", "YP902", 4000, 100)]),
                               "x.xlsx", at(date(2025, 10, 20)))
    assert not below.accepted
    # no renewal twice for the same end
    assert renewal.renewal_plan(session, batch, when) is None

    reviewer = second_price_officer(session, world)
    demand = [(h, i, f, f) for h, i, f in (
        ("A-hospital", "YP902", floors[yp902.id] + 500), ("A-hospital", "YP903", 400), ("A-hospital-2", "YP902", 2000))]
    fresh = {c.code: c for c in tender_renewal(db, session, world, new.code, reviewer, ring, demand,
                                               [("S0003", "YP902", 45000), ("S0004", "YP902", 46000),
                                                ("A-supplier", "YP902", 47000), ("S0002", "YP903", 118000),
                                                ("S0006", "YP903", 121000)])}
    old_c, new_c = yp902, fresh["SD-JX-2026-YP902-A-hospital"]
    assert (old_c.period_end, new_c.period_start) == (date(2026, 2, 28), date(2026, 3, 1))  # no gap, no overlap

    # a delivery on each side of the boundary, each under its own contract, and neither across it
    supplier_old = acting(world, Role.SUPPLIER_REP, session.get(Organisation, old_c.supplier_org_id))
    with pytest.raises(settlement.SettlementRefused, match="contract period"):
        settlement.record_delivery(session, supplier_old, settlement.DeliveryInput(old_c.code, 10, date(2026, 3, 1)),
                                   at(date(2026, 3, 2)))
    deliver(session, world, CODE, date(2026, 2, 28), Decimal("0.1"), only={old_c.code})
    deliver(session, world, new.code, date(2026, 3, 1), Decimal("0.1"), only={new_c.code})
    second = second_settlement_officer(session, world)
    for code, month in ((CODE, "2026-02"), (new.code, "2026-03")):
        settle_month(session, world, code, month, second)
    lines = session.exec(select(Acceptance.contract_id, Acceptance.accepted_on, Acceptance.claim_seq)
                         .where(Acceptance.accepted_on.in_([date(2026, 2, 28), date(2026, 3, 1)]))).all()
    assert sorted((c, d) for c, d, _s in lines) == [(old_c.id, date(2026, 2, 28)), (new_c.id, date(2026, 3, 1))]
    assert all(seq is not None for _c, _d, seq in lines)  # both settled
    # the 3-year item carries on in year 3 of the old batch
    assert contracts_of(session, CODE)[0].period_end == date(2027, 2, 28)
