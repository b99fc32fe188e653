"""The packing heuristic that warm-starts the MILP."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.allocation import Problem, allocation_cost, check_allocation
from optimizer.fill import best_fill, least_reaching, near_fills
from optimizer.heuristic import packing_start
from optimizer.search import solve_allocation
from tests.optimizer import bid


def problem(winners, volumes, min_regions=1, share=None, pins=None):
    """A problem over regions r1…rn."""
    codes = tuple(f"r{i + 1}" for i in range(len(volumes)))
    return Problem("X", codes, tuple(volumes), tuple(pins or [None] * len(volumes)), tuple(winners), min_regions, share, True)


def test_best_fill_finds_the_exact_subset_sum():
    values = [7, 13, 29, 31, 44, 58, 61]
    chosen = best_fill(values, 100)
    assert sum(values[i] for i in chosen) == 100  # 13 + 29 + 58


def test_best_fill_greedy_beyond_the_exact_size():
    values = list(range(1, 41))
    chosen = best_fill(values, 100)
    assert sum(values[i] for i in chosen) <= 100 and len(set(chosen)) == len(chosen)


def test_start_fills_the_cheapest_winner_exactly():
    p = problem([bid("A", "0.1", 100), bid("B", "0.2")], [60, 50, 40, 10])
    start = packing_start(p)
    assert check_allocation(p, start) == []
    assert sum(v for v, s in zip(p.volumes, start.primary, strict=True) if s == "A") == 100


def test_warm_start_does_not_change_the_optimum():
    p = problem([bid("A", "0.1", 130), bid("B", "0.2", 90), bid("C", "0.3")], [60, 50, 40, 30, 20, 10, 7])
    cold = solve_allocation(p, "highs", 10, 0.0)
    warm = solve_allocation(p, "highs", 10, 0.0, start=packing_start(p))
    assert allocation_cost(p, cold.allocation) == allocation_cost(p, warm.allocation) == Decimal("31.1")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 100), min_size=1, max_size=9),
    st.lists(st.integers(0, 400), min_size=1, max_size=4),
    st.integers(0, 2),
    st.sampled_from([None, Decimal("0.7")]),
)
def test_start_is_always_feasible_when_given(volumes, capacities, min_regions, share):
    winners = [bid(f"S{i}", f"0.{i + 1}", c) for i, c in enumerate(capacities)]
    p = problem(winners, volumes, min_regions, share)
    start = packing_start(p)
    if start is not None:
        assert check_allocation(p, start) == []


def test_start_reserves_minimum_regions_only_for_winners_left_with_none():
    # B takes what A leaves, so only C needs a reserved region (5): A can then use 6 with 94.
    # A 100 × 0.1 + B (50 + 30) × 0.2 + C 5 × 0.3 = 27.5; reserving 6 for B would leave A 94.
    p = problem([bid("A", "0.1", 100), bid("B", "0.2"), bid("C", "0.3")], [5, 6, 94, 50, 30])
    start = packing_start(p)
    assert check_allocation(p, start) == []
    assert allocation_cost(p, start) == Decimal("27.5")
    assert allocation_cost(p, solve_allocation(p, "highs", 10, 0.0).allocation) == Decimal("27.5")


def test_near_fills_are_distinct_subsets_best_first_within_the_room():
    values = [7, 13, 29, 31, 44, 58, 61]
    fills = near_fills(values, 100, 5)
    sums = [sum(values[i] for i in f) for f in fills]
    assert sums[0] == 100 and sums == sorted(sums, reverse=True) and all(s <= 100 for s in sums)
    assert len({tuple(sorted(f)) for f in fills}) == len(fills)


def test_least_reaching_is_the_smallest_subset_sum_at_or_above_the_need():
    # 55 alone beats 35 + 25 = 60 (the best of the values below 50), and loses to it beside 70
    assert least_reaching([10, 35, 55, 60, 25], 50) == [2]
    assert least_reaching([10, 35, 70, 25], 50) == [1, 3]
    assert least_reaching([10, 30], 50) is None
    assert least_reaching([10, 30], 0) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=22), st.integers(1, 1400))
def test_least_reaching_equals_every_subset_sum(values, need):
    # exact both with at most 16 values below the need (enumerated) and with more (best fill)
    sums = {0}
    for v in values:
        sums |= {s + v for s in sums}
    reachable = [s for s in sums if s >= need]
    found = least_reaching(values, need)
    if not reachable:
        assert found is None
        return
    assert len(set(found)) == len(found) and sum(values[i] for i in found) == min(reachable)

