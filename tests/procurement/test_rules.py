"""A batch's rule set: national defaults, and bad settings refused by name."""

from decimal import Decimal

import pytest

from procurement.rules import BatchRules, RuleError, merged_rules, parse_rules


def test_defaults_follow_the_national_batches():
    r = BatchRules()
    assert r.fuse_multiple == Decimal("1.8")
    assert r.anchor == "lowest"
    assert r.reduction_safe_harbour == Decimal("0.5") and r.absolute_safe_harbour == Decimal("0.1")
    assert (r.max_winners.minus, r.max_winners.cap) == (2, 10)
    assert r.agreed_ratio == {1: Decimal("0.5"), 2: Decimal("0.6"), 3: Decimal("0.7"), 4: Decimal("0.8")}
    assert r.contract_years == {1: 1, 2: 2, 3: 2, 4: 3}
    assert r.demand_floor_ratio == Decimal("0.8") and r.prepayment_ratio == Decimal("0.3")
    assert (r.apply_by_day, r.reconcile_by_day, r.pay_from_day, r.payment_days) == (3, 5, 7, 30)


def test_round_trip_through_json_keeps_decimals_exact():
    r = parse_rules({"fuse_multiple": "1.75", "max_winners": {"table": {"6": 3, "7": 4}, "cap": 10}})
    text = r.to_json()
    assert '"1.75"' in text
    assert parse_rules(text) == r
    assert r.max_winners.minus is None and r.max_winners.table == {6: 3, 7: 4}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fuse_multiple": "0.9"}, "fuse_multiple"),
        ({"anchor": "median"}, "anchor"),
        ({"agreed_ratio": {"1": "1.5"}}, "agreed_ratio"),
        ({"agreed_ratio": {"2": "0.6"}}, "agreed_ratio"),
        ({"max_winners": {"minus": 2, "table": {"6": 3}}}, "max_winners"),
        ({"max_winners": {"table": {"6": 4, "7": 3}}}, "max_winners"),
        ({"publicity_days": 0}, "publicity_days"),
        ({"no_such_rule": 1}, "no_such_rule"),
        ({"apply_by_day": 9, "reconcile_by_day": 5}, "rules"),
        ({"prepayment_ratio": "abc"}, "prepayment_ratio"),
        ({"gradient": {"2": ["0.6", "0.5"]}}, "gradient"),
    ],
)
def test_bad_setting_is_refused_with_its_name(change, field):
    with pytest.raises(RuleError) as err:
        merged_rules(BatchRules(), change)
    assert err.value.field == field


def test_safe_harbours_can_be_switched_off():
    r = merged_rules(BatchRules(), {"reduction_safe_harbour": None, "absolute_safe_harbour": None})
    assert r.reduction_safe_harbour is None and r.absolute_safe_harbour is None
