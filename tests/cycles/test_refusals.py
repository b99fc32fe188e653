"""Re-confirmation and renewal refuse what the rules do not allow, with the reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from cycles import renewal, years
from cycles.models import ContractYear
from procurement import services as procurement
from procurement.models import Batch, BatchItem
from tests.cycles.story import CODE, acting, at, deliver, officer, put_into_effect
from tests.results.fixtures import national_world


@pytest.fixture
def running(session, world):
    """The national result in execution from 2024-03-01."""
    national_world(session, world)
    return put_into_effect(session, world)


def test_a_hospital_answers_only_its_own_rows_and_only_once_open(session, world, running):
    mine, other = running[0], next(c for c in running if c.hospital_org_id != running[0].hospital_org_id)
    row = session.exec(select(ContractYear).where(ContractYear.contract_id == other.id,
                                                  ContractYear.year_no == 2)).one()
    hospital = acting(world, Role.HOSPITAL_BUYER, session.get(Organisation, mine.hospital_org_id))
    with pytest.raises(Forbidden):
        years.answer_year(session, hospital, row.id, 10, "", at(date(2025, 1, 20)))
    own = session.exec(select(ContractYear).where(ContractYear.contract_id == mine.id, ContractYear.year_no == 2)).one()
    with pytest.raises(years.VolumeRefused, match="not open"):
        years.answer_year(session, hospital, own.id, 10, "", at(date(2025, 1, 20)))
    with pytest.raises(years.VolumeRefused, match="No answered volume"):
        years.approve_year(session, officer(world), CODE, 2, at(date(2025, 1, 20)))
    with pytest.raises(Forbidden):
        years.open_reconfirmation(session, world.actors[("B", Role.PRICE_OFFICER)], CODE, 2, at(date(2025, 1, 20)))


def test_the_floor_is_the_share_of_last_year_and_not_below_its_agreed_volume(session, world, running):
    batch = session.exec(select(Batch).where(Batch.code == CODE)).one()
    assert years.floor_of(1000, 900, Decimal("0.8"), True) == 900
    assert years.floor_of(1000, 900, Decimal("0.8"), False) == 800
    assert years.floor_of(1001, 0, Decimal("0.8"), False) == 801  # rounded up
    deliver(session, world, CODE, date(2024, 6, 1), Decimal("2"), only={running[0].code})
    years.open_reconfirmation(session, officer(world), CODE, 2, at(date(2025, 1, 10)))
    row = session.exec(select(ContractYear).where(ContractYear.contract_id == running[0].id,
                                                  ContractYear.year_no == 2)).one()
    assert row.floor_volume == row.proposed_volume == (2 * running[0].agreed_volume * 8 + 9) // 10
    assert batch.status == "execution"


def test_a_renewal_refuses_outside_its_window_and_price_only(session, world, running):
    with pytest.raises(renewal.RenewalRefused, match="6 months"):
        renewal.create_renewal(session, officer(world), CODE, new_code="R1", name="接续", mode="with_volume",
                               other_prices={}, now=at(date(2025, 6, 1)))
    with pytest.raises(renewal.RenewalRefused, match="carries volume"):
        renewal.create_renewal(session, officer(world), CODE, new_code="R1", name="接续", mode="price_only",
                               other_prices={}, now=at(date(2025, 10, 1)))
    with pytest.raises(renewal.RenewalRefused, match="not an item"):
        renewal.create_renewal(session, officer(world), CODE, new_code="R1", name="接续", mode="with_volume",
                               other_prices={"YP901": 10000}, now=at(date(2025, 10, 1)))
    assert session.exec(select(Batch).where(Batch.code == "R1")).first() is None


def test_the_lower_of_other_provinces_rule_and_the_no_gap_guard(session, world, running):
    procurement_rules = session.exec(select(Batch).where(Batch.code == CODE)).one()
    rules = procurement_rules.rules_json.replace('"renewal_max_price": "previous"',
                                                 '"renewal_max_price": "lower_of_other_provinces"')
    procurement_rules.rules_json = rules  # a setting of the batch (drafts edit it on the page)
    session.commit()
    made = renewal.create_renewal(session, officer(world), CODE, new_code="R1", name="接续", mode="with_volume",
                                  other_prices={"YP902": 45000}, now=at(date(2025, 10, 1)))
    prices = dict(session.exec(select(BatchItem.previous_price_e4, BatchItem.max_valid_price_e4)
                               .where(BatchItem.batch_id == made.id)).all())
    assert prices == {48500: 45000, 124000: 124000}
    timeline = procurement.Timeline(at(date(2025, 10, 20)), at(date(2025, 11, 5)), at(date(2025, 11, 5)) + timedelta(hours=1),
                                    date(2026, 3, 5), date(2028, 2, 29))
    procurement.update_batch(session, officer(world), "R1", timeline=timeline, now=at(date(2025, 10, 2)))
    with pytest.raises(procurement.BatchError, match="2026-03-01"):
        procurement.transition_batch(session, officer(world), "R1", "open_demand", now=at(date(2025, 10, 3)))
