"""The timeline rule: demand deadline < bid deadline ≤ opening, none past, cycle start < end;
the services refuse a timeline that breaks it, naming every field at fault."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from accounts.roles import Role
from procurement import services
from procurement.models import Batch, Item
from procurement.timeline import Timeline, TimelineError, timeline_problems
from tests.conftest import aware

NOW = aware(2026, 11, 1, 2, 0)
GOOD = Timeline(NOW + timedelta(days=10), NOW + timedelta(days=20), NOW + timedelta(days=21),
                date(2027, 1, 1), date(2027, 12, 31))


def test_a_consistent_timeline_and_an_empty_one_have_no_problems():
    assert timeline_problems(GOOD, NOW) == {}
    assert timeline_problems(Timeline(None, None, None, None, None), NOW) == {}


def test_each_contradiction_is_named_on_its_field():
    t = Timeline(NOW + timedelta(days=30), NOW + timedelta(days=20), NOW + timedelta(days=19),
                 date(2027, 12, 31), date(2027, 12, 31))
    assert set(timeline_problems(t, NOW)) == {"demand_deadline", "opening_at", "cycle_start"}


def test_times_in_the_past_are_named():
    t = Timeline(NOW - timedelta(days=1), NOW, NOW + timedelta(days=1), None, None)
    assert set(timeline_problems(t, NOW)) == {"demand_deadline", "bid_deadline"}


def test_the_opening_may_coincide_with_the_bid_deadline():
    t = Timeline(NOW + timedelta(days=1), NOW + timedelta(days=2), NOW + timedelta(days=2), None, None)
    assert timeline_problems(t, NOW) == {}


def test_create_and_update_refuse_a_contradictory_timeline(session, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    bad = Timeline(GOOD.bid_deadline, GOOD.demand_deadline, GOOD.opening_at, GOOD.cycle_end, GOOD.cycle_start)
    with pytest.raises(TimelineError) as refused:
        services.create_batch(session, officer, code="T1", name="批次", timeline=bad, now=NOW)
    assert set(refused.value.problems) == {"demand_deadline", "cycle_start"}
    assert session.exec(select(Batch).where(Batch.code == "T1")).first() is None
    services.create_batch(session, officer, code="T1", name="批次", timeline=GOOD, now=NOW)
    with pytest.raises(TimelineError):
        services.update_batch(session, officer, "T1", name="新名字", timeline=bad, now=NOW)
    batch = session.exec(select(Batch).where(Batch.code == "T1")).one()
    session.refresh(batch)
    assert batch.name == "批次" and Timeline.of(batch) == GOOD


def test_demand_cannot_open_once_the_draft_timeline_has_passed(session, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    session.add(Item(code="YP001", kind="drug", generic_name="阿托伐他汀钙片", minimal_unit="片"))
    session.commit()
    services.create_batch(session, officer, code="T2", name="批次", timeline=GOOD, now=NOW)
    services.add_batch_item(session, officer, "T2", "YP001", 5000, now=NOW)
    services.set_batch_regions(session, officer, "T2", ["370100"], now=NOW)
    with pytest.raises(services.BatchError, match="时间安排有误.*demand_deadline"):
        services.transition_batch(session, officer, "T2", "open_demand", now=NOW + timedelta(days=11))
