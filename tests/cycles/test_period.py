"""The contract-period rule and contract years (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from cycles.period import (
    BY_WINNERS,
    CYCLE_END,
    FIXED_END,
    add_years,
    contract_period,
    contract_years,
    years_for,
)

NATIONAL = {1: 1, 2: 2, 3: 2, 4: 3}
START, CYCLE_END_DAY = date(2024, 3, 1), date(2027, 2, 28)


@pytest.mark.parametrize(("winners", "years", "end"), [
    (1, 1, date(2025, 2, 28)), (2, 2, date(2026, 2, 28)), (3, 2, date(2026, 2, 28)), (4, 3, date(2027, 2, 28)),
    (9, 3, date(2027, 2, 28))])
def test_the_period_follows_the_number_of_winners(winners, years, end):
    period = contract_period(START, CYCLE_END_DAY, winners, NATIONAL)
    assert (period.years, period.end, period.basis) == (years, end, BY_WINNERS)


def test_a_fixed_end_date_replaces_the_years_and_the_cycle_end_caps_both():
    assert contract_period(START, CYCLE_END_DAY, 1, NATIONAL, date(2026, 6, 30)).basis == FIXED_END
    assert contract_period(START, date(2025, 2, 28), 4, NATIONAL).end == date(2025, 2, 28)
    assert contract_period(START, date(2025, 2, 28), 4, NATIONAL).basis == CYCLE_END
    assert contract_period(START, date(2025, 2, 28), 4, NATIONAL, date(2026, 1, 1)).end == date(2025, 2, 28)


def test_years_split_the_period_and_the_last_may_be_short():
    assert contract_years(START, date(2026, 2, 28)) == [(1, START, date(2025, 2, 28)),
                                                        (2, date(2025, 3, 1), date(2026, 2, 28))]
    assert contract_years(START, date(2025, 8, 31))[-1] == (2, date(2025, 3, 1), date(2025, 8, 31))
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_the_last_row_of_the_table_applies_to_more_winners():
    assert years_for(7, {"1": 1, "4": 3}) == 3 and years_for(0, NATIONAL) == 1
