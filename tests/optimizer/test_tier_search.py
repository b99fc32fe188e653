"""The tier search against brute force and the old one-MILP tier model, and the pieces that
made it fast: closed columns and a packing start that keeps the tier bands."""

from decimal import Decimal
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import rules as rr
from optimizer import solve_item
from optimizer.allocation import (
    Allocation,
    Problem,
    allocation_cost,
    canonical_backups,
    check_allocation,
)
from optimizer.evaluate import build_problem
from optimizer.formulation import build_formulation
from optimizer.heuristic import packing_start
from optimizer.model import Status, to_fen
from optimizer.search import Search, _set_choice
from optimizer.solver import HighsModel
from tests.optimizer import bid, item, rules
from tests.optimizer.tier_milp import old_tier_milp

GRADIENT = (
    (2, (Decimal("0.6"),)),
    (3, (Decimal("0.6"), Decimal("0.24"))),
    (4, (Decimal("0.5"), Decimal("0.25"), Decimal("0.125"))),
)
TIERS = st.lists(st.tuples(st.integers(1, 200), st.integers(1, 40).map(lambda c: f"{c / 100:.2f}")), max_size=3)


@st.composite
def tiered_items(draw):
    """≤ 4 bids with arbitrary tiers, ≤ 6 regions (some pinned), every allocation rule drawn."""
    n_bids = draw(st.integers(1, 4))
    bids = [
        bid(f"S{i}", f"{draw(st.integers(5, 30)) / 100:.2f}", draw(st.integers(0, 300)), minute=i, tiers=draw(TIERS))
        for i in range(n_bids)
    ]
    pins = st.sampled_from([None, None, None, "S0", "S1"])
    regions = [(f"r{i}", draw(st.integers(0, 100)), draw(pins)) for i in range(draw(st.integers(1, 6)))]
    rule = rules(
        min_regions_per_winner=draw(st.integers(0, 2)),
        max_share=draw(st.sampled_from([None, Decimal("0.5"), Decimal("0.8")])),
        backup=draw(st.booleans()),
        gradient=draw(st.sampled_from([None, GRADIENT])),
    )
    return item(bids, regions, max_price="0.3000"), rule


def feasible_allocations(p: Problem):
    """Every allocation that keeps every rule, with its exact cost."""
    for combo in product([b.supplier for b in p.winners], repeat=len(p.regions)):
        alloc = Allocation(combo, canonical_backups(p, combo))
        if not check_allocation(p, alloc):
            yield alloc, allocation_cost(p, alloc)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(tiered_items())
def test_tier_search_equals_brute_force_and_the_old_tier_milp(case):
    it, rule = case
    res = solve_item(it, rule)
    det = rr.determine_winners(it, rule)
    if not det.winners:
        assert res.status is Status.NO_WINNER
        return
    p = build_problem(it, rule, det.winners)
    best = min((cost for _a, cost in feasible_allocations(p)), default=None)
    old = old_tier_milp(p)
    if best is None:
        assert res.status is Status.INFEASIBLE and old is None
        return
    assert old is not None and check_allocation(p, old) == []
    assert res.status is Status.OPTIMAL
    assert res.objective == to_fen(best) == to_fen(allocation_cost(p, old))


@SETTINGS
@given(tiered_items())
def test_no_allocation_costs_less_than_the_lp_bound_of_its_tier_choice(case):
    # the LP of a tier choice (closed columns included) bounds every allocation in it, so
    # pruning a choice by its LP bound never loses the optimum
    it, rule = case
    det = rr.determine_winners(it, rule)
    if not det.winners:
        return
    p = build_problem(it, rule, det.winners)
    search = Search(p, "highs", 0.0, 10, None)
    cheapest: dict[tuple[int, ...], Decimal] = {}
    for alloc, cost in feasible_allocations(p):
        picks = []
        for wi, b in enumerate(p.winners):
            volume = sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == b.supplier)
            picks.append(next(k for k, (lo, _u, hi) in enumerate(search.bands[wi]) if lo <= volume <= hi))
        key = tuple(picks)
        cheapest[key] = min(cost, cheapest.get(key, cost))
    for picks, cost in cheapest.items():
        _set_choice(search.form, p, search.bands, picks)
        search.model.update()
        assert search.model.lp_bound(10) <= float(cost) + 1e-6 * max(1.0, float(cost))


def test_a_region_larger_than_a_winners_room_is_closed_to_it():
    # A (0.10) can carry 50, B (0.20) any: r1 (60) never fits A. With x_A_r1 open the LP puts
    # 50 of r1 on A (5.00 + 10.00 = 15.00); closed, A takes r2 (40) and the LP is the optimum:
    # 40 × 0.10 + 60 × 0.20 = 16.00
    p = Problem("X", ("r1", "r2"), (60, 40), (None, None), (bid("A", "0.10", 50), bid("B", "0.20")), 0, None, False)
    form = build_formulation(p)
    assert list(form.col_upper) == [0.0, 1.0, 1.0, 1.0]
    assert abs(HighsModel(form, 0.0).lp_bound(10) - 16.0) < 1e-9
    # a tier band's high end closes a region too: A tiered, its band held to [0, 39]
    tiered = Problem("X", ("r1", "r2"), (60, 40), (None, None),
                     (bid("A", "0.10", 100, tiers=[(100, "0.05")]), bid("B", "0.20")), 0, None, False)
    form = build_formulation(tiered)
    form.set_band(0, 0.0, 39.0)
    assert list(form.col_upper) == [0.0, 0.0, 1.0, 1.0]


def test_packing_start_lifts_a_dear_winner_to_its_band_low_end():
    # B's tier choice holds it at 50 units or more (minimum). A (0.10) could carry everything,
    # so the fills never reach B: it is given the smallest regions reaching 50 — r3 (55) —
    # instead of its one smallest region (10), which broke the band (no start at all).
    p = Problem("X", ("r1", "r2", "r3", "r4"), (10, 30, 55, 60), (None,) * 4,
                (bid("A", "0.10", 1000), bid("B", "0.20", 80)), 1, None, False, minimum=(0, 50))
    start = packing_start(p)
    assert start is not None and check_allocation(p, start) == []
    assert start.primary == ("A", "A", "B", "A")
    # 100 × 0.10 + 55 × 0.20 = 21.00, the cheapest allocation keeping B's band
    assert allocation_cost(p, start) == Decimal("21.00") == min(c for _a, c in feasible_allocations(p))
