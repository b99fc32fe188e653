"""Setting the scope: a new version each time (who, why, from when), never retroactive, inside
the officer's region, for a province or a city; every refusal names its field and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from accounts.actor import Forbidden
from accounts.roles import Role
from core.audit import AuditEntry
from directpay.models import DirectScope, DirectScopeProduct
from directpay.queries import history, scope_in_force
from directpay.services import ScopeRefused, set_scope
from tests.conftest import aware
from tests.directpay.conftest import SET_AT, scope_of


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_each_change_is_a_new_version_and_the_old_one_is_kept(session, world, shop):
    first = scope_of(session, world, "common", "2026-12-01", products=[shop.plain.code], list_name="常用目录")
    second = scope_of(session, world, "all", "2027-01-01", bps=120)
    assert (first.phase, first.list_name, first.reason, first.created_by) == (
        "common", "常用目录", "省医保局通知", world.users[("A", Role.PRICE_OFFICER)].id)
    assert session.get(DirectScope, first.id).phase == "common"  # never edited
    assert scope_in_force(session, "370102", date(2026, 12, 31)).version.id == first.id
    got = scope_in_force(session, "370102", date(2027, 1, 1))
    assert (got.version.id, got.phase, got.distributor_bps, got.products) == (second.id, "all", 120, ())
    assert [v.id for v, _who, _n in history(session, world.actors[("A", Role.SETTLEMENT_OFFICER)])] == [
        second.id, first.id]
    assert history(session, world.actors[("B", Role.PRICE_OFFICER)]) == []
    assert session.exec(select(func.count()).where(AuditEntry.action == "directpay.scope")).one() == 2


def test_every_refusal_names_its_field_and_nothing_is_written(session, world, shop):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    with pytest.raises(ScopeRefused) as refused:
        set_scope(session, officer, region_code="370102", phase="most", effective_from="2026-11-20", reason="",
                  distributor_bps="20000", now=SET_AT)
    assert [f for _k, f, _m in refused.value.problems] == ["region_code", "phase", "effective_from",
                                                           "distributor_bps", "reason"]
    assert "never retroactively" in refused.value.problems[2][2].english()
    with pytest.raises(ScopeRefused, match="outside your region"):
        set_scope(session, officer, region_code="320000", phase="all", effective_from="2027-01-01", reason="x",
                  now=SET_AT)
    with pytest.raises(ScopeRefused) as refused:
        set_scope(session, officer, region_code="370000", phase="common", effective_from="2027-01-01", reason="x",
                  products=[shop.plain.code, "XNOSUCHCODE", shop.plain.code], now=SET_AT)
    assert [f for _k, f, _m in refused.value.problems] == ["products[1]", "products[2]", "list_name"]
    with pytest.raises(ScopeRefused, match="at least one listed product"):
        set_scope(session, officer, region_code="370000", phase="common", effective_from="2027-01-01", reason="x",
                  list_name="目录", now=SET_AT)
    with pytest.raises(ScopeRefused, match="only the phase of commonly used products has a list"):
        set_scope(session, officer, region_code="370000", phase="all", effective_from="2027-01-01", reason="x",
                  products=[shop.plain.code], now=SET_AT)
    with pytest.raises(ScopeRefused, match="must be a date"):
        set_scope(session, officer, region_code="370000", phase="all", effective_from="soon", reason="x", now=SET_AT)
    with pytest.raises(Forbidden):
        set_scope(session, world.actors[("A", Role.HOSPITAL_BUYER)], region_code="370000", phase="all",
                  effective_from="2027-01-01", reason="x", now=SET_AT)
    assert _count(session, DirectScope) == 0 and _count(session, DirectScopeProduct) == 0


def test_the_first_day_is_tomorrow_at_the_earliest_in_the_bureaus_calendar(session, world):
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    late_evening = aware(2026, 11, 30, 17)  # 2026-12-01 01:00 in Shanghai: today is already 12-01
    with pytest.raises(ScopeRefused, match="never retroactively"):
        set_scope(session, officer, region_code="370100", phase="all", effective_from="2026-12-01", reason="x",
                  now=late_evening)
    made = set_scope(session, officer, region_code="370100", phase="all", effective_from="2026-12-02", reason="x",
                     now=late_evening)
    assert made.region_code == "370100"
