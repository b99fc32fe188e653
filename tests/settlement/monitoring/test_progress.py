"""Time-proportional progress (序时进度), not-started flags and non-selected share."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from settlement.money.data import SettlementError
from settlement.monitoring.progress import AgreedVolume, Purchase, cycle_month, progress

START, END = date(2026, 1, 1), date(2026, 12, 31)  # 365 days


def test_cycle_month() -> None:
    assert cycle_month(START, date(2025, 12, 31)) == 0
    assert cycle_month(START, date(2026, 1, 31)) == 1
    assert cycle_month(START, date(2026, 3, 1)) == 3
    assert cycle_month(date(2026, 1, 15), date(2026, 3, 14)) == 2
    assert cycle_month(date(2026, 1, 15), date(2026, 3, 15)) == 3


def test_purchased_against_agreed_and_time_target() -> None:
    agreed = [
        AgreedVolume("H1", "I1", 365),
        AgreedVolume("H1", "I2", 1000),
        AgreedVolume("H2", "I1", 730),
    ]
    purchases = [
        Purchase("H1", "I1", 50, date(2026, 2, 1)),
        Purchase("H1", "I1", 10, date(2026, 3, 2)),  # after as_of: ignored
        Purchase("H1", "I1", 30, date(2026, 2, 2), selected=False),
        Purchase("H2", "I1", 70, date(2026, 1, 5)),
        Purchase("H2", "I1", 999, date(2025, 12, 31)),  # before the cycle: ignored
    ]
    report = progress(agreed, purchases, START, END, as_of=date(2026, 3, 1))
    # 2026-03-01 is day 60 of 365; third month of the cycle.
    assert report.cycle_month == 3
    h1i1, h1i2, h2i1 = report.rows
    assert (h1i1.purchased_selected, h1i1.purchased_non_selected, h1i1.target_volume) == (
        50,
        30,
        60,
    )
    assert h1i1.time_ratio == Decimal("0.1644")  # 60 / 365
    assert h1i1.completion_ratio == Decimal("0.1370")  # 50 / 365
    assert h1i1.behind and not h1i1.not_started
    assert h1i1.non_selected_share == Decimal("0.3750")  # 30 / 80
    assert h1i2.target_volume == 164  # 1000 × 60 / 365 = 164.38
    assert h1i2.not_started and h1i2.non_selected_share is None
    assert (h2i1.target_volume, h2i1.behind, h2i1.not_started) == (120, True, False)
    assert report.not_started_hospitals == ("H1",)


def test_not_started_only_from_the_third_month() -> None:
    agreed = [AgreedVolume("H1", "I1", 100)]
    assert not progress(agreed, [], START, END, date(2026, 2, 28)).rows[0].not_started
    assert progress(agreed, [], START, END, date(2026, 3, 1)).rows[0].not_started
    assert (
        not progress(agreed, [], START, END, date(2026, 3, 1), flag_from_month=4)
        .rows[0]
        .not_started
    )


def test_exactly_on_target_is_not_behind() -> None:
    agreed = [AgreedVolume("H1", "I1", 365)]
    row = progress(agreed, [Purchase("H1", "I1", 60, START)], START, END, date(2026, 3, 1)).rows[0]
    assert row.target_volume == 60 and not row.behind


def test_bad_progress_input() -> None:
    with pytest.raises(SettlementError):
        progress([], [], END, START, START)
    with pytest.raises(SettlementError):
        progress([AgreedVolume("H", "I", 1), AgreedVolume("H", "I", 2)], [], START, END, START)
