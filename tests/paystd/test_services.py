"""Payment standards: derived from a batch's selected prices by the rule setting, effective from
its execution start, approved four-eyes, versioned; the standard in force on a date; a
non-selected product's payment stepping down across the transition years (moved clock) with
the patient / fund split."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import Role
from core.audit import AuditEntry
from notices.models import Notification
from paystd import queries, services
from paystd.errors import StandardError
from paystd.models import StandardLine
from paystd.rules import StandardRules, payment, transition_year
from tests.paystd.fixtures import LISTED_AT, approved_standards, executed, list_non_selected

#: NAT9's selected unit comparable prices (yuan per minimal unit of the representative spec)
HIGHEST = {"YP901": 712000, "YP902": 59588, "YP903": 139000}


def _by_item(rows):
    return {r.item.code: r.standard_e4 for r in rows}


def test_the_highest_selected_price_of_each_generic_is_its_standard_from_the_execution_start(session, world):
    a, b = executed(session, world)
    version = services.derive_standards(session, a, "NAT9", StandardRules(), "第九批国家集采执行", LISTED_AT)
    assert version.status == "proposed" and version.effective_on == date(2024, 3, 1)
    lines = session.exec(select(StandardLine).where(StandardLine.version_id == version.id)).all()
    assert sorted(line.winners for line in lines) == [2, 3, 4]  # every winner of the result
    assert queries.in_force(session, a, date(2024, 6, 1)) == []  # a proposal is not in force
    services.decide_version(session, b, version.id, True, "", LISTED_AT)
    assert _by_item(queries.in_force(session, a, date(2024, 3, 1))) == HIGHEST
    assert queries.in_force(session, a, date(2024, 2, 29)) == []  # before the execution start
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    assert _by_item(queries.in_force(session, hospital, date(2024, 6, 1))) == HIGHEST  # published
    assert queries.in_force(session, world.actors[("B", Role.HOSPITAL_BUYER)], date(2024, 6, 1)) == []


def test_each_products_own_selected_price_under_the_per_product_rule(session, world):
    a, b = executed(session, world)
    approved_standards(session, a, b, StandardRules(basis="per_product"))
    rows = queries.in_force(session, a, date(2024, 6, 1))
    assert sorted(r.standard_e4 for r in rows if r.item.code == "YP902") == [48500, 52000, 59588]
    assert len(rows) == 9 and all(r.supplier for r in rows)


def test_four_eyes_the_deriving_officer_may_not_approve_and_a_rejection_needs_a_reason(session, world):
    a, b = executed(session, world)
    version = services.derive_standards(session, a, "NAT9", StandardRules(), "执行", LISTED_AT)
    with pytest.raises(StandardError, match="Four-eyes"):
        services.decide_version(session, a, version.id, True, "", LISTED_AT)
    with pytest.raises(StandardError, match="already await"):
        services.derive_standards(session, a, "NAT9", StandardRules(), "再来一次", LISTED_AT)
    with pytest.raises(StandardError, match="reason"):
        services.decide_version(session, b, version.id, False, " ", LISTED_AT)
    services.decide_version(session, b, version.id, False, "依据文件有误", LISTED_AT)
    with pytest.raises(StandardError, match="decided"):
        services.decide_version(session, b, version.id, True, "", LISTED_AT)
    assert queries.in_force(session, a, date(2024, 6, 1)) == []
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all() if e.action.startswith("paystd.")]
    assert actions == ["paystd.propose", "paystd.reject"]
    assert session.exec(select(Notification).where(Notification.kind == "paystd_proposed")).first() is not None


def test_only_price_officers_derive_and_not_for_another_province(session, world):
    a, _b = executed(session, world)
    with pytest.raises(Forbidden):
        services.derive_standards(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], "NAT9", StandardRules(),
                                  "x", LISTED_AT)
    with pytest.raises(Forbidden):
        services.derive_standards(session, world.actors[("B", Role.PRICE_OFFICER)], "NAT9", StandardRules(), "x",
                                  LISTED_AT)
    with pytest.raises(StandardError, match="reason"):
        services.derive_standards(session, a, "NAT9", StandardRules(), "", LISTED_AT)


def test_a_change_is_a_new_version_and_the_old_one_stays_in_history(session, world):
    a, b = executed(session, world)
    approved_standards(session, a, b)
    later = LISTED_AT + timedelta(days=200)
    second = services.derive_standards(session, a, "NAT9", StandardRules(basis="per_product"), "改按各产品中选价", later)
    assert second.version == 2
    assert _by_item(queries.in_force(session, a, date(2024, 10, 1))) == HIGHEST  # v2 not approved yet
    services.decide_version(session, b, second.id, True, "同意", later)
    rows = queries.in_force(session, a, date(2024, 10, 1))
    assert {r.version.version for r in rows} == {2}
    assert [v.version for v, _code in queries.versions(session, a)] == [2, 1]


def test_a_non_selected_product_steps_down_across_the_transition_years(session, world):
    a, b = executed(session, world)
    approved_standards(session, a, b)
    list_non_selected(session, world, price="30")
    paid = {}
    for day in (date(2024, 3, 1), date(2025, 2, 28), date(2025, 3, 1), date(2026, 3, 1), date(2027, 3, 1)):
        [row] = queries.product_payments(session, a, day)
        paid[day] = (row.pay.year, row.pay.cap_e4, row.pay.paid_e4, row.pay.fund_e4, row.pay.patient_e4)
    # standard ¥5.9588 per 400mg vial: ×2 in year one, ×1.5 in year two, the standard from year three
    assert paid == {date(2024, 3, 1): (1, 119176, 119176, 83423, 216577),
                    date(2025, 2, 28): (1, 119176, 119176, 83423, 216577),
                    date(2025, 3, 1): (2, 89382, 89382, 62567, 237433),
                    date(2026, 3, 1): (3, 59588, 59588, 41712, 258288),
                    date(2027, 3, 1): (4, 59588, 59588, 41712, 258288)}


def test_a_product_below_its_standard_is_paid_at_its_price_and_other_specs_by_differential_pricing():
    rules = StandardRules()
    below = payment(40000, 59588, 1, rules)
    assert (below.paid_e4, below.fund_e4, below.patient_e4) == (40000, 28000, 12000)
    from bidding.pricing import Strength
    from paystd.rules import pack_standard_e4, spec_strength

    double, converted = pack_standard_e4(59588, 2, spec_strength("800mg"), Strength(Decimal(400), "mg"),
                                         Decimal("1.7"))
    assert converted and double == 202599  # 5.9588 × 1.7 × 2 vials = 20.25992
    assert pack_standard_e4(59588, 1, spec_strength("两支装"), Strength(Decimal(400), "mg"), Decimal("1.7")) == (59588,
                                                                                                            False)


def test_the_transition_year_counts_whole_years_from_the_effective_date():
    start = date(2024, 2, 29)
    assert [transition_year(start, d) for d in (date(2024, 2, 28), start, date(2025, 2, 28), date(2025, 3, 1))] == [
        0, 1, 1, 2]


def test_the_multiples_must_step_down():
    with pytest.raises(ValueError, match="step down"):
        StandardRules(multiples=(Decimal("1.5"), Decimal("2")))
    with pytest.raises(ValueError):
        StandardRules(basis="lowest")
    assert datetime(2024, 1, 1, tzinfo=UTC)  # the module's aware datetimes
