"""The assessment's arithmetic on hand-checkable figures: components, weights left out when a
figure does not exist, officer points, tier boundaries 60/70/80, and the kept amount to the fen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procurement.rules import RuleError
from savings.assessment import HospitalFigures, assess
from savings.settings import SavingsSettings, parse_savings_settings
from settlement.monitoring.savings import SavingsInput

D = Decimal


def figures(purchased=(1000, 500), on_time=(4, 4), orders=(0, 0)) -> HospitalFigures:
    """Two items at pre-VBP ¥1.2000 and ¥0.8000, agreed 1,000 and 500, fund pays 90 %; ``orders``:
    the selected and non-selected accepted order amounts (fen) of the cycle."""
    lines = (SavingsInput("H1", "YP001", 1000, purchased[0], 12000, D("0.9"), 12_340),
             SavingsInput("H1", "YP003", 500, purchased[1], 8000, D("0.9"), 2_835))
    return HospitalFigures("H1", lines, *on_time, *orders)


def test_components_and_a_missing_figure_leaves_its_weight_out():
    a = assess(figures(purchased=(1000, 400), on_time=(3, 4)), SavingsSettings())
    got = {c.key: (c.ratio, c.points) for c in a.components}
    assert got == {"completion": (D("0.9333"), D("37.33")), "selected_use": (D("1.0000"), D("20.00")),
                   "non_selected": (None, D(0)), "on_time": (D("0.7500"), D("15.00"))}
    # 72.33 points of the 80 that exist → 90.4125 → 90.41
    assert a.measured == D("90.41") and a.score == D("90.41") and a.rate == D("0.50")
    with_share = assess(figures(purchased=(1000, 400), on_time=(3, 4), orders=(30_000, 10_000)), SavingsSettings())
    part = next(c for c in with_share.components if c.key == "non_selected")
    # ¥100 non-selected of ¥400 ordered: share 0.25, the component 0.75 × 20 = 15 points
    assert (part.numerator, part.denominator, part.ratio, part.points) == (30_000, 40_000, D("0.7500"), D("15.00"))
    assert with_share.measured == D("87.33")  # 37.33 + 20 + 15 + 15, out of 100


def test_the_non_selected_share_rounds_half_up_like_the_dashboard():
    f = figures(orders=(12_346, 10_000))  # orders.shares: 10,000 ÷ 22,346 = 0.44750…  → 0.4475
    assert f.non_selected_share == D("0.4475")
    part = next(c for c in assess(f, SavingsSettings()).components if c.key == "non_selected")
    assert (part.ratio, part.points) == (D("0.5525"), D("11.05"))
    assert figures().non_selected_share is None  # no orders: no share, never a made-up one


def test_kept_amount_reconciles_to_the_fen():
    a = assess(figures(), SavingsSettings())
    # YP001: 1,000 × ¥1.2 × 0.9 = ¥1,080.00 − ¥123.40 = ¥956.60 → 50 % = ¥478.30
    # YP003: 500 × ¥0.8 × 0.9 = ¥360.00 − ¥28.35 = ¥331.65 → 50 % = ¥165.825 → ¥165.83 (half up)
    assert [(r.benchmark_fen, r.savings_base_fen, r.retained_fen) for r in a.rows] == [
        (108_000, 95_660, 47_830), (36_000, 33_165, 16_583)]
    assert a.retained_fen == 64_413 == sum(r.retained_fen for r in a.rows)
    assert a.base_fen == a.benchmark_fen - a.spend_fen == 128_825


def test_an_item_not_completed_keeps_nothing():
    a = assess(figures(purchased=(1000, 499)), SavingsSettings())
    assert [r.retained_fen for r in a.rows] == [47_830, 0]


@pytest.mark.parametrize(("points", "score", "rate"), [
    (0, "100.00", "0.50"), (-19, "81.00", "0.50"), (-20, "80.00", "0.40"), (-30, "70.00", "0.40"),
    (-31, "69.00", "0.30"), (-40, "60.00", "0.30"), (-41, "59.00", "0"), (-100, "0.00", "0")])
def test_tier_boundaries_through_the_officer_points(points, score, rate):
    settings = SavingsSettings(max_officer_points=100)
    a = assess(figures(), settings, points)
    assert (a.score, a.rate) == (D(score), D(rate))


def test_points_beyond_the_setting_and_scores_beyond_100_are_held():
    assert assess(figures(), SavingsSettings(), 10).score == D(100)
    with pytest.raises(ValueError):
        assess(figures(), SavingsSettings(), 11)


def test_settings_are_validated_naming_the_field():
    with pytest.raises(RuleError) as exc:
        parse_savings_settings({"weights": {"completion": 50}})
    assert exc.value.field == "weights"
    with pytest.raises(RuleError) as exc:
        parse_savings_settings({"tiers": [{"min_score": "60", "rate": "0.3"}, {"min_score": "70", "rate": "0.4"}]})
    assert exc.value.field == "tiers"
    with pytest.raises(RuleError) as exc:
        parse_savings_settings({"objection_days": 0})
    assert exc.value.field == "objection_days"
    s = SavingsSettings(objection_days=5)
    assert parse_savings_settings(s.to_json()) == s
