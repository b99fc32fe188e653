"""The contract-period rule (pure): how long a contract runs and how it splits into years.

By the number of winners of its item (the batch's ``contract_years`` table — national batches:
1 → 1 year, 2–3 → 2, ≥ 4 → 3; the last row applies to more winners) from the cycle's start, or
to a fixed end date (``contract_end``) — never past the cycle's end, which caps both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

BY_WINNERS, FIXED_END, CYCLE_END = "winners", "fixed_end", "cycle_end"


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_for(winners: int, table: Mapping[int, int]) -> int:
    """The years the table gives ``winners`` winners: the row of the largest count not above it."""
    keys = sorted(int(k) for k in table)
    chosen = next((k for k in reversed(keys) if k <= max(winners, 1)), keys[0])
    return int(table[chosen] if chosen in table else table[str(chosen)])


@dataclass(frozen=True)
class Period:
    """A contract's period and which part of the rule decided its end."""

    start: date
    end: date
    basis: str  # winners | fixed_end | cycle_end
    years: int | None  # the years by winners (None under a fixed end date)


def contract_period(cycle_start: date, cycle_end: date | None, winners: int, table: Mapping[int, int],
                    fixed_end: date | None = None) -> Period:
    """The period of a contract of an item with ``winners`` winners."""
    if fixed_end is not None:
        if cycle_end is not None and fixed_end > cycle_end:
            return Period(cycle_start, cycle_end, CYCLE_END, None)
        return Period(cycle_start, fixed_end, FIXED_END, None)
    years = years_for(winners, table)
    end = add_years(cycle_start, years) - timedelta(days=1)
    if cycle_end is not None and end > cycle_end:
        return Period(cycle_start, cycle_end, CYCLE_END, years)
    return Period(cycle_start, end, BY_WINNERS, years)


def contract_years(start: date, end: date) -> list[tuple[int, date, date]]:
    """The contract years of a period: (number, first day, last day); the last may be shorter."""
    years, n = [], 1
    while True:
        first = add_years(start, n - 1)
        if first > end:
            return years
        years.append((n, first, min(add_years(start, n) - timedelta(days=1), end)))
        n += 1
