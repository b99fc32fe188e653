"""The credit rules (pure): the grade derivation by kind, repetition and period, the validity,
and settings refused by name; the policy versions of a region."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from credit.policy import CountedBreach, CreditRules, derive_grade, parse_credit_rules
from credit.policy_settings import read_form, shown
from credit.store import policy_for, set_policy
from procurement.rules import RuleError

DAY = date(2026, 6, 1)


def _b(ref: str, kind: str, on: date) -> CountedBreach:
    return CountedBreach(ref, kind, on)


def test_one_breach_gives_its_kinds_base_grade_and_consequence():
    d = derive_grade(CreditRules(), [_b("1", "kickback", date(2026, 5, 1))], DAY)
    assert (d.grade, d.consequence, d.raised) == ("medium", "warning", 0)
    d = derive_grade(CreditRules(), [_b("1", "supply_failure", date(2026, 5, 1))], DAY)
    assert (d.grade, d.consequence) == ("serious", "suspension")


def test_the_most_serious_kind_decides_and_each_further_breach_raises_one_level():
    rules = CreditRules()
    d = derive_grade(rules, [_b("1", "kickback", date(2026, 1, 1)), _b("2", "supply_failure", date(2026, 2, 1))], DAY)
    assert (d.base_kind, d.base_grade, d.raised, d.grade) == ("supply_failure", "serious", 1, "particularly_serious")
    assert d.consequence == "exclusion"
    many = [_b(str(n), "kickback", date(2026, 1, n)) for n in range(1, 6)]
    assert derive_grade(rules, many, DAY).grade == "particularly_serious"  # capped at the top grade


def test_repeat_step_and_the_rating_period_are_settings():
    rules = parse_credit_rules({"repeat_step": 2, "lookback_days": 365})
    two = [_b("1", "kickback", date(2026, 3, 1)), _b("2", "kickback", date(2026, 4, 1))]
    assert derive_grade(rules, two, DAY).grade == "medium"  # 1 further breach < a step of 2
    three = [*two, _b("3", "kickback", date(2026, 5, 1))]
    assert derive_grade(rules, three, DAY).grade == "serious"
    old = [_b("0", "supply_failure", date(2025, 5, 31))]  # 366 days before: outside the period
    assert derive_grade(rules, old, DAY) is None
    assert derive_grade(rules, [_b("9", "kickback", date(2026, 6, 2))], DAY) is None  # after the day


def test_validity_by_grade_and_the_exclusion_years():
    rules = CreditRules()
    assert rules.validity_end("serious", date(2026, 6, 1)) == date(2027, 5, 31)  # 365 days
    assert rules.validity_end("particularly_serious", date(2026, 6, 1)) == date(2028, 5, 31)  # exclusion: 2 years
    assert rules.validity_end("general", date(2026, 6, 1)) == date(2026, 8, 29)  # 90 days


@pytest.mark.parametrize(("data", "field"), [
    ({"repeat_step": 0}, "repeat_step"),
    ({"base_grade": {"kickback": "medium"}}, "base_grade"),
    ({"consequence": {"general": "exclusion", "medium": "warning", "serious": "suspension",
                      "particularly_serious": "exclusion"}}, "consequence"),
    ({"validity_days": {"general": 0, "medium": 1, "serious": 1, "particularly_serious": 1}}, "validity_days"),
    ({"lookback_days": 5}, "lookback_days"),
    ({"unknown": 1}, "unknown"),
])
def test_bad_settings_are_refused_by_name(data, field):
    with pytest.raises(RuleError) as refused:
        parse_credit_rules(data)
    assert refused.value.field.startswith(field)


def test_the_settings_read_as_labelled_values_and_back_from_a_form():
    groups = shown(CreditRules(), lambda text, **kw: text % kw if kw else text)
    names = [s.setting.name for _g, rows in groups for s in rows]
    assert names == list(CreditRules.model_fields)
    rules, errors = read_form(CreditRules(), {"credit.statement_days": "7", "credit.base_grade.kickback": "serious",
                                              "credit.validity_days.general": "30", "credit.four_eyes.shown": "1"})
    assert errors == {} and (rules.statement_days, rules.base_grade["kickback"], rules.validity_days["general"],
                             rules.four_eyes) == (7, "serious", 30, False)
    _rules, errors = read_form(CreditRules(), {"credit.statement_days": "x"})
    assert "statement_days" in errors


def test_a_region_keeps_every_version_and_the_newest_applies(session, world):
    from accounts.roles import Role

    officer = world.actors[("A", Role.PRICE_OFFICER)]
    assert policy_for(session, officer.region_code) == CreditRules()
    at = datetime(2026, 6, 1, tzinfo=UTC)
    first = set_policy(session, officer, parse_credit_rules({"statement_days": 5}), at)
    assert set_policy(session, officer, parse_credit_rules({"statement_days": 5}), at) is None  # nothing changed
    second = set_policy(session, officer, parse_credit_rules({"statement_days": 7}), at)
    assert (first.version, second.version) == (1, 2)
    assert policy_for(session, officer.region_code).statement_days == 7
    assert policy_for(session, world.actors[("B", Role.PRICE_OFFICER)].region_code).statement_days == 10
