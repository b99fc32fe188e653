"""The prefix and split bounds of a tier choice never exceed the cost of an allocation in it
(so pruning by them never loses the optimum), and the whole-region sums are exact."""

import math
from decimal import Decimal
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from optimizer import rules as rr
from optimizer.allocation import Problem
from optimizer.bounds import PrefixBound, _Halves, split_bound
from optimizer.evaluate import build_problem
from optimizer.search import Search
from tests.optimizer import bid
from tests.optimizer.test_tier_search import SETTINGS, feasible_allocations, tiered_items


def _choice(search: Search, picks: tuple[int, ...]) -> tuple[list[float], list[int], list[int]]:
    """Prices, rooms and least volumes of a tier choice, as the search passes them."""
    chosen = [search.bands[wi][k] for wi, k in enumerate(picks)]
    return ([price for _lo, price, _hi in chosen], [math.floor(hi) for _lo, _p, hi in chosen],
            [max(math.ceil(lo), search.p.floor_volume(wi) or 0) for wi, (lo, _p, _h) in enumerate(chosen)])


@SETTINGS
@given(tiered_items())
def test_no_allocation_costs_less_than_the_prefix_or_split_bound_of_its_tier_choice(case):
    it, rule = case
    det = rr.determine_winners(it, rule)
    if not det.winners:
        return
    p = build_problem(it, rule, det.winners)
    search = Search(p, "highs", 0.0, 10, None)
    cheapest: dict[tuple[int, ...], tuple[Decimal, tuple[str, ...]]] = {}
    for alloc, cost in feasible_allocations(p):
        picks = []
        for wi, b in enumerate(p.winners):
            volume = sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == b.supplier)
            picks.append(next(k for k, (lo, _u, hi) in enumerate(search.bands[wi]) if lo <= volume <= hi))
        key = tuple(picks)
        if key not in cheapest or cost < cheapest[key][0]:
            cheapest[key] = (cost, alloc.primary)
    windex = {b.supplier: wi for wi, b in enumerate(p.winners)}
    for picks, (cost, primary) in cheapest.items():
        args = _choice(search, picks)
        limit = float(cost) + 1e-6 * max(1.0, float(cost))
        assert search.prefix.bound(*args) <= limit
        assert search.prefix.bound(*args, exact=True) <= limit
        assert split_bound(p, search.prefix, *args, 0.0, tuple(windex[s] for s in primary)) <= limit
        assert split_bound(p, search.prefix, *args, 0.0) <= limit


@given(st.lists(st.integers(0, 1000), max_size=12), st.integers(0, 6000), st.integers(0, 12))
def test_whole_region_sums_by_count_equal_every_subset(values, limit, count):
    best = max((sum(c) for n in range(min(count, len(values)) + 1) for c in combinations(values, n)
                if sum(c) <= limit), default=0)
    assert _Halves(values).most(limit, count) == best


def test_whole_regions_and_the_regions_the_dearer_winners_need_tighten_the_bound():
    # A (0.10, room 50) and B (0.20): the LP fills A with 50 of the regions 30, 30, 40; in whole
    # regions A holds at most 40, so at least 60 go to B: 40 × 0.10 + 60 × 0.20 = 16.00
    p = Problem("X", ("r1", "r2", "r3"), (30, 30, 40), (None,) * 3, (bid("A", "0.10", 50), bid("B", "0.20")),
                1, None, False)
    prefix = PrefixBound(p)
    args = ([0.10, 0.20], [50, 100], [0, 0])
    assert abs(prefix.bound(*args) - (50 * 0.10 + 50 * 0.20)) < 1e-9
    assert abs(prefix.bound(*args, exact=True) - 16.0) < 1e-9
    # with three regions of 10, 20, 70 and B needing one region, A holds at most 30 (not 50:
    # 10 + 20 + … cannot reach it without the 70), B then 70: 3.00 + 14.00 = 17.00
    p = Problem("X", ("r1", "r2", "r3"), (10, 20, 70), (None,) * 3, (bid("A", "0.10", 50), bid("B", "0.20")),
                1, None, False)
    assert abs(PrefixBound(p).bound(*args, exact=True) - 17.0) < 1e-9
