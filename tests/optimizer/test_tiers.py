"""All-units price tiers: effective tiers, hand-checkable optima, brute force on tiny cases."""

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
    effective_tiers,
)
from optimizer.choices import ChoiceQueue, leaf_problem, winner_bands
from optimizer.evaluate import build_problem
from optimizer.model import Status, to_fen
from optimizer.search import solve_allocation
from tests.optimizer import bid, item, rules


def test_effective_tiers_keep_only_tiers_that_set_the_price():
    # sorted by threshold: 50 @ 0.27, 100 @ 0.25, 200 @ 0.28 (never the lowest reached)
    b = bid("A", "0.30", tiers=[(100, "0.25"), (50, "0.27"), (200, "0.28"), (300, "0.31")])
    assert effective_tiers(b) == ((50, Decimal("0.27")), (100, Decimal("0.25")))


def test_a_lower_threshold_with_a_lower_price_applies_above_a_dearer_higher_tier():
    # A: 0.30; 0.20 from 50; 0.25 from 100 — at 110 units A pays the lowest reached, 0.20.
    # All to A: 110 × 0.20 = 22.00 < A 60 + B 50 (12.00 + 11.00) < all to B (24.20).
    it = item([bid("A", "0.30", tiers=[(50, "0.20"), (100, "0.25")]), bid("B", "0.22")], [("r1", 60), ("r2", 50)])
    res = solve_item(it, rules(min_regions_per_winner=0))
    assert res.status is Status.OPTIMAL
    a = next(w for w in res.winners if w.supplier == "A")
    assert (a.volume, a.ucp, a.tier_min_volume) == (110, Decimal("0.20"), 50)
    assert res.objective == Decimal("22.00")


def test_tier_choice_search_finds_the_block_that_reaches_a_tier():
    # A 0.30, from 100 units 0.20 (cap 120); B 0.25. A at 110 (r1 + r2 = 60 + 50) pays 0.20:
    # 22.00 + B 40 × 0.25 = 10.00 → 32.00, below any split at base prices.
    p = Problem(
        "X", ("r1", "r2", "r3"), (60, 50, 40), (None, None, None),
        (bid("A", "0.30", 120, tiers=[(100, "0.20")]), bid("B", "0.25")), 1, None, False,
    )
    run = solve_allocation(p, "highs", 10, 0.0)
    assert run.report.status == "optimal" and allocation_cost(p, run.allocation) == Decimal("32.00")
    bands = winner_bands(p)
    # A holds at least its one smallest region (40) and at most its capacity: base to 99, tier from 100
    assert bands[0] == [(40.0, 0.3, 99.0), (100.0, 0.2, 120.0)]
    leaf = leaf_problem(p, bands, (1, 0))
    assert [(b.supplier, b.ucp, b.capacity) for b in leaf.winners] == [("A", Decimal("0.20"), 120), ("B", Decimal("0.25"), 150)]
    assert leaf.minimum == (100, 40)


TIERS = st.lists(
    st.tuples(st.integers(1, 150), st.integers(1, 40).map(lambda c: f"{c / 100:.2f}")), max_size=3
)


@st.composite
def tiered_cases(draw):
    """≤ 3 bids with arbitrary (also non-monotone) tiers, ≤ 5 regions."""
    n_bids = draw(st.integers(1, 3))
    bids = [
        bid(f"S{i}", f"{draw(st.integers(5, 30)) / 100:.2f}", draw(st.integers(0, 300)),
            minute=i, tiers=draw(TIERS))
        for i in range(n_bids)
    ]
    regions = [(f"r{i}", draw(st.integers(0, 100))) for i in range(draw(st.integers(1, 5)))]
    rule = rules(
        min_regions_per_winner=draw(st.integers(0, 1)),
        max_share=draw(st.sampled_from([None, Decimal("0.8")])),
        backup=draw(st.booleans()),
    )
    return item(bids, regions, max_price="0.3000"), rule


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiered_cases())
def test_tiered_optimum_equals_brute_force(case):
    it, rule = case
    res = solve_item(it, rule)
    det = rr.determine_winners(it, rule)
    if not det.winners:
        return
    p = build_problem(it, rule, det.winners)
    best = None
    for combo in product([b.supplier for b in p.winners], repeat=len(p.regions)):
        alloc = Allocation(combo, canonical_backups(p, combo))
        if not check_allocation(p, alloc):
            cost = allocation_cost(p, alloc)
            best = cost if best is None or cost < best else best
    if best is None:
        assert res.status is Status.INFEASIBLE
        return
    assert res.status is Status.OPTIMAL
    assert res.objective == to_fen(best)


def _choice_of(p, bands, alloc):
    """The tier choice an allocation lies in: per winner the band holding its volume."""
    picks = []
    for wi, b in enumerate(p.winners):
        volume = sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == b.supplier)
        found = [k for k, (lo, _u, hi) in enumerate(bands[wi]) if lo <= volume <= hi]
        if not found:
            return None
        picks.append(found[0])
    return tuple(picks)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiered_cases())
def test_no_allocation_costs_less_than_the_bound_of_its_tier_choice(case):
    # the search prunes on these bounds: every feasible allocation lies in a band of every
    # winner and costs at least the bound of that choice and of every partial choice above it
    it, rule = case
    det = rr.determine_winners(it, rule)
    if not det.winners:
        return
    p = build_problem(it, rule, det.winners)
    bands = winner_bands(p)
    queue = ChoiceQueue(p, bands)
    for combo in product([b.supplier for b in p.winners], repeat=len(p.regions)):
        alloc = Allocation(combo, canonical_backups(p, combo))
        if check_allocation(p, alloc):
            continue
        picks = _choice_of(p, bands, alloc)
        assert picks is not None
        cost = float(allocation_cost(p, alloc))
        for depth in range(len(picks) + 1):
            assert queue.bound(picks[:depth]) <= cost + 1e-9
