"""Property tests: every rule holds, optimum = brute force ≤ baseline, order does not matter."""

from dataclasses import replace
from decimal import Decimal
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import rules as rr
from optimizer import solve_item
from optimizer.allocation import Allocation, allocation_cost, canonical_backups, check_allocation
from optimizer.baseline import national_baseline
from optimizer.encode import item_result_to_json
from optimizer.evaluate import build_problem
from optimizer.model import Status, to_fen
from tests.optimizer import bid, item, rules

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw):
    """A small item and rule set (≤ 4 bids, ≤ 5 regions, so brute force stays cheap)."""
    n_bids = draw(st.integers(1, 4))
    bids = [
        bid(
            f"S{i}",
            f"{draw(st.integers(5, 30)) / 100:.2f}",
            draw(st.integers(0, 300)),
            minute=draw(st.integers(0, 3)),
            tiers=draw(st.sampled_from([(), ((60, "0.04"),), ((30, "0.045"), (90, "0.03")), ((1, "0.02"),)])),
        )
        for i in range(n_bids)
    ]
    n_regions = draw(st.integers(1, 5))
    suppliers = [None, None, "S0", "S1", "NOPE"]
    regions = [(f"r{i}", draw(st.integers(0, 100)), draw(st.sampled_from(suppliers))) for i in range(n_regions)]
    rule = rules(
        backup=draw(st.booleans()),
        min_regions_per_winner=draw(st.integers(0, 2)),
        max_share=draw(st.sampled_from([None, Decimal("0.5"), Decimal("0.8")])),
        solver="highs",
    )
    return item(bids, regions, max_price="0.2500"), rule


def allocation_of(p, res):
    """The result's allocation in the problem's region order."""
    owner = {r: w.supplier for w in res.winners for r in w.regions}
    primary = tuple(owner[r] for r in p.regions)
    return Allocation(primary, canonical_backups(p, primary))


def brute_force(p):
    """Cheapest feasible allocation by enumeration, or None."""
    best = None
    for combo in product([b.supplier for b in p.winners], repeat=len(p.regions)):
        alloc = Allocation(combo, canonical_backups(p, combo))
        if not check_allocation(p, alloc):
            cost = allocation_cost(p, alloc)
            best = cost if best is None or cost < best else best
    return best


@SETTINGS
@given(cases())
def test_result_satisfies_every_rule_and_equals_brute_force(case):
    it, rule = case
    res = solve_item(it, rule)
    det = rr.determine_winners(it, rule)
    if not det.winners:
        assert res.status is Status.NO_WINNER
        return
    p = build_problem(it, rule, det.winners)
    best = brute_force(p)
    if best is None:
        assert res.status is Status.INFEASIBLE and res.reason
        return
    assert res.status is Status.OPTIMAL
    alloc = allocation_of(p, res)
    assert check_allocation(p, alloc) == []
    assert res.objective == to_fen(allocation_cost(p, alloc)) == to_fen(best)
    assert sum(w.volume for w in res.winners) == p.total
    for w in res.winners:
        assert w.cost == to_fen(w.ucp * w.volume)


@SETTINGS
@given(cases())
def test_optimum_never_costs_more_than_a_feasible_baseline(case):
    it, rule = case
    res = solve_item(it, rule)
    det = rr.determine_winners(it, rule)
    if not det.winners:
        return
    p = build_problem(it, rule, det.winners)
    baseline = national_baseline(p)
    if baseline is not None:
        assert res.baseline_objective == to_fen(allocation_cost(p, baseline))
    if baseline is not None and not check_allocation(p, baseline):
        # the baseline satisfies every rule, so it is a candidate the optimum must beat
        assert res.status is Status.OPTIMAL
        assert res.objective <= res.baseline_objective
        assert res.saving == res.baseline_objective - res.objective


@SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_same_result_whatever_the_order_of_bids_and_regions(case, rnd):
    it, rule = case
    bids, regions = list(it.bids), list(it.regions)
    rnd.shuffle(bids)
    rnd.shuffle(regions)
    shuffled = replace(it, bids=tuple(bids), regions=tuple(regions))

    def comparable(result):
        out = item_result_to_json(result)
        out.pop("solve_seconds")
        return out

    assert comparable(solve_item(it, rule)) == comparable(solve_item(shuffled, rule))
