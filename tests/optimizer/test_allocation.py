"""Hand-checkable allocations with tiny numbers (agreed ratio 1: volume = demand)."""

from decimal import Decimal

from optimizer import solve_item
from optimizer.allocation import Allocation, Problem, allocation_cost, check_allocation, paid_ucp
from optimizer.model import Status
from tests.optimizer import bid, item, rules


def regions_of(result):
    """Supplier → primary regions."""
    return {w.supplier: w.regions for w in result.winners}


def test_cheapest_winner_filled_to_capacity_then_the_next():
    # A (0.10, cap 100) takes 60 + 40 exactly; B (0.20) takes 50 → 10 + 10 = 20 yuan.
    it = item([bid("A", "0.10", 100), bid("B", "0.20")], [("r1", 60), ("r2", 50), ("r3", 40)])
    res = solve_item(it, rules())
    assert res.status is Status.OPTIMAL
    assert regions_of(res) == {"A": ("r1", "r3"), "B": ("r2",)}
    assert res.objective == Decimal("20.00")
    assert res.gap == 0.0
    assert {b.name for b in res.binding} >= {"capacity_A", "min_regions_B"}


def test_objective_is_exact_and_rounded_half_up_to_the_fen():
    # 3 × 0.1235 = 0.3705 → 0.37 ; 5 × 0.1235 = 0.6175 → 0.62 (half up)
    res = solve_item(item([bid("A", "0.1235")], [("r1", 5)]), rules())
    assert res.objective == Decimal("0.62")
    assert res.winners[0].volume == 5


def test_agreed_volume_uses_the_ratio_for_the_winner_count():
    it = item([bid("A", "0.10"), bid("B", "0.11"), bid("C", "0.90")], [("r1", 1200000), ("r2", 5)])
    res = solve_item(it, rules(agreed_ratio=((1, Decimal("0.5")), (2, Decimal("0.6")), (4, Decimal("0.8")))))
    # the spread test drops C: 2 winners → 60 %; 0.6 × 5 = 3
    assert res.agreed_ratio == Decimal("0.6")
    assert res.agreed_volume == 720000 + 3
    assert res.contract_years == 2


def test_capacity_infeasible_is_explained():
    it = item([bid("A", "0.10", 50), bid("B", "0.20", 40)], [("r1", 60), ("r2", 50)])
    res = solve_item(it, rules())
    assert res.status is Status.INFEASIBLE
    assert res.reason.startswith("capacity:")
    assert "90" in res.reason and "110" in res.reason
    assert res.objective is None and res.winners == ()


def test_packing_infeasible_found_by_the_solver_is_explained():
    # total capacity 100 = volume 100, yet no split of 40/40/20 fits 50 + 50
    it = item([bid("A", "0.10", 50), bid("B", "0.20", 50)], [("r1", 40), ("r2", 40), ("r3", 20)])
    res = solve_item(it, rules())
    assert res.status is Status.INFEASIBLE
    assert res.reason.startswith("no assignment of whole regions")


def test_too_few_regions_for_min_regions_per_winner():
    it = item([bid("A", "0.10"), bid("B", "0.11"), bid("C", "0.12")], [("r1", 1), ("r2", 1)])
    res = solve_item(it, rules())
    assert res.status is Status.INFEASIBLE
    assert res.reason.startswith("min_regions: 3 winners")


def test_no_winner_when_every_bid_is_above_the_maximum_price():
    res = solve_item(item([bid("A", "2.0")], [("r1", 1)]), rules())
    assert res.status is Status.NO_WINNER and res.winners == ()
    assert res.outcomes[0].reason == "above_max_price"


def test_all_units_tier_makes_the_dearer_base_price_cheaper():
    # A: 0.30, or 0.20 on all units from 100; B: 0.25. All 110 to A at 0.20 = 22 < 27.50.
    it = item(
        [bid("A", "0.30", tiers=[(100, "0.20")]), bid("B", "0.25")],
        [("r1", 60), ("r2", 50)],
    )
    res = solve_item(it, rules(min_regions_per_winner=0))
    a = next(w for w in res.winners if w.supplier == "A")
    assert (a.volume, a.ucp, a.tier_min_volume, a.bid_ucp) == (110, Decimal("0.2000"), 100, Decimal("0.30"))
    assert res.objective == Decimal("22.00")


def test_highest_tier_reached_prices_all_units():
    # A: 0.30; 0.25 from 50; 0.20 from 100. B 0.24. All 110 to A at 0.20 = 22.00.
    it = item([bid("A", "0.30", tiers=[(50, "0.25"), (100, "0.20")]), bid("B", "0.24")], [("r1", 60), ("r2", 50)])
    res = solve_item(it, rules(min_regions_per_winner=0))
    a = next(w for w in res.winners if w.supplier == "A")
    assert (a.volume, a.ucp, a.tier_min_volume) == (110, Decimal("0.2000"), 100)
    # one region each: A on r2 (50 × 0.25 tier) + B on r1 (60 × 0.24) = 26.90 < 15.00 + 12.00
    res1 = solve_item(it, rules(min_regions_per_winner=1))
    assert res1.objective == Decimal("26.90")
    a1 = next(w for w in res1.winners if w.supplier == "A")
    assert (a1.regions, a1.ucp, a1.tier_min_volume) == (("r2",), Decimal("0.2500"), 50)


def test_tier_not_reached_pays_the_base_price():
    it = item([bid("A", "0.30", tiers=[(1000, "0.01")]), bid("B", "0.25")], [("r1", 60), ("r2", 50)])
    res = solve_item(it, rules(min_regions_per_winner=0))
    assert regions_of(res) == {"A": (), "B": ("r1", "r2")}
    assert res.objective == Decimal("27.50")


def test_backup_is_a_different_winner_in_every_region():
    it = item([bid("A", "0.10", 100), bid("B", "0.12"), bid("C", "0.13")], [("r1", 60), ("r2", 50), ("r3", 40), ("r4", 10)])
    res = solve_item(it, rules(backup=True))
    primary = {r: w.supplier for w in res.winners for r in w.regions}
    backup = {r: w.supplier for w in res.winners for r in w.backup_regions}
    assert set(backup) == set(primary) == {"r1", "r2", "r3", "r4"}
    assert all(backup[r] != primary[r] for r in primary)


def test_brand_pin_keeps_a_hospital_with_its_named_winner():
    it = item([bid("A", "0.10"), bid("B", "0.20")], [("h1", 10, "B"), ("h2", 10), ("h3", 10), ("h4", 10, "NOT_A_WINNER")])
    res = solve_item(it, rules(min_regions_per_winner=0))
    assert regions_of(res) == {"A": ("h2", "h3", "h4"), "B": ("h1",)}
    assert any(b.name == "pin_h1" for b in res.binding)


def test_max_share_caps_the_cheapest_winner():
    it = item([bid("A", "0.10"), bid("B", "0.20")], [("r1", 50), ("r2", 30), ("r3", 20)])
    res = solve_item(it, rules(max_share=Decimal("0.6"), min_regions_per_winner=0))
    assert {w.supplier: w.volume for w in res.winners} == {"A": 50, "B": 50}
    res_free = solve_item(it, rules(min_regions_per_winner=1))
    assert {w.supplier: w.volume for w in res_free.winners} == {"A": 80, "B": 20}


def test_volume_gradient_floor_of_the_second_rank_changes_the_allocation():
    # 3 winners, floors 60 % / 24 %: A (cap 80) would take 50 + 30 leaving B only 20 < 24.
    it = item([bid("A", "0.10", 80), bid("B", "0.20"), bid("C", "0.30")], [("r1", 50), ("r2", 30), ("r3", 20)])
    free = solve_item(it, rules(min_regions_per_winner=0))
    assert {w.supplier: w.volume for w in free.winners} == {"A": 80, "B": 20, "C": 0}
    floors = ((3, (Decimal("0.6"), Decimal("0.24"))),)
    res = solve_item(it, rules(gradient=floors, min_regions_per_winner=0))
    assert {w.supplier: w.volume for w in res.winners} == {"A": 70, "B": 30, "C": 0}
    assert res.objective == Decimal("13.00")


def test_cbc_fallback_gives_the_same_optimum():
    it = item([bid("A", "0.10", 100), bid("B", "0.20")], [("r1", 60), ("r2", 50), ("r3", 40)])
    res = solve_item(it, rules(solver="cbc"))
    assert res.status is Status.OPTIMAL and res.solver.startswith("CBC")
    assert res.objective == Decimal("20.00")


def test_paid_ucp_all_units():
    b = bid("A", "0.30", tiers=[(100, "0.25"), (200, "0.20")])
    assert paid_ucp(b, 99) == (Decimal("0.30"), None)
    assert paid_ucp(b, 100) == (Decimal("0.25"), 100)
    assert paid_ucp(b, 500) == (Decimal("0.20"), 200)


def test_check_allocation_names_each_broken_rule():
    p = Problem("X", ("r1", "r2"), (60, 50), (None, "B"), (bid("A", "0.1", 50), bid("B", "0.2")), 1, Decimal("0.5"), True)
    bad = Allocation(("A", "A"), ("A", None))
    assert set(check_allocation(p, bad)) == {
        "pin_r2", "backup_differs_r1", "backup_differs_r2", "capacity_A", "min_regions_B", "max_share_A",
    }
    assert allocation_cost(p, bad) == Decimal("11.0")
