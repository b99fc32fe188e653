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
    start_values,
)
from optimizer.evaluate import build_problem
from optimizer.heuristic import tiered_start
from optimizer.model import Status, to_fen
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


def test_tiered_start_is_feasible_and_warm_start_names_the_tier_reached():
    p = Problem(
        "X", ("r1", "r2", "r3"), (60, 50, 40), (None, None, None),
        (bid("A", "0.30", 120, tiers=[(100, "0.20")]), bid("B", "0.25")), 1, None, False,
    )
    start = tiered_start(p)
    assert start is not None and check_allocation(p, start) == []
    values = start_values(p, start)
    volume_a = sum(v for v, s in zip(p.volumes, start.primary, strict=True) if s == "A")
    tier = 1 if volume_a >= 100 else 0
    assert values[f"y_A_{tier}"] == 1.0 and values[f"z_A_{tier}"] == float(volume_a)


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
