"""Binding constraints and infeasibility diagnosis."""

from decimal import Decimal

from optimizer.allocation import Allocation, Problem
from optimizer.explain import binding_constraints, diagnose_infeasible, infeasible_reason
from tests.optimizer import bid


def problem(winners, volumes, min_regions=1, share=None, pins=None, floors=()):
    """A problem over regions r1…rn."""
    codes = tuple(f"r{i + 1}" for i in range(len(volumes)))
    return Problem("X", codes, tuple(volumes), tuple(pins or [None] * len(volumes)), tuple(winners), min_regions, share, False, floors)


def test_binding_lists_capacity_share_min_regions_gradient_and_pins():
    p = problem([bid("A", "0.1", 60), bid("B", "0.2")], [60, 40], share=Decimal("0.6"), pins=[None, "B"], floors=(Decimal("0.6"),))
    names = {b.name for b in binding_constraints(p, Allocation(("A", "B"), (None, None)))}
    assert names == {"capacity_A", "max_share_A", "min_regions_A", "min_regions_B", "gradient_floor_A", "pin_r2"}


def test_diagnosis_of_each_rule():
    assert diagnose_infeasible(problem([bid("A", "0.1"), bid("B", "0.2")], [5])).startswith("min_regions")
    assert diagnose_infeasible(problem([bid("A", "0.1", 1), bid("B", "0.2", 1)], [5, 5])).startswith("capacity:")
    assert diagnose_infeasible(problem([bid("A", "0.1", 4), bid("B", "0.2")], [5, 5])).startswith("capacity_A")
    pinned = problem([bid("A", "0.1", 6), bid("B", "0.2")], [5, 5, 1], pins=["A", "A", None])
    assert diagnose_infeasible(pinned).startswith("capacity_A: regions pinned")
    assert diagnose_infeasible(problem([bid("A", "0.1"), bid("B", "0.2")], [5, 5], share=Decimal("0.4"))).startswith("max_share")
    floors = (Decimal("0.6"), Decimal("0.6"))
    assert diagnose_infeasible(problem([bid("A", "0.1"), bid("B", "0.2"), bid("C", "0.3")], [5, 5, 5], floors=floors)).startswith("gradient")
    assert diagnose_infeasible(problem([bid("A", "0.1"), bid("B", "0.2")], [5, 5])) is None


def test_generic_reason_lists_the_rules_in_force():
    p = problem([bid("A", "0.1", 50), bid("B", "0.2", 50)], [40, 40, 20], share=Decimal("0.9"))
    assert infeasible_reason(p) == (
        "no assignment of whole regions satisfies one primary per region, capacity, "
        "≥1 region(s) per winner, max share 0.9 together"
    )
