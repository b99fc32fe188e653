"""Solver choice, the formulation handed to HiGHS as arrays and to CBC through PuLP, and
reading the solver's own status."""

import math

import pulp
from pulp.apis.coin_api import PULP_CBC_CMD

from optimizer.allocation import Problem, allocation_cost
from optimizer.formulation import build_formulation, lp_text, to_pulp
from optimizer.search import solve_allocation
from optimizer.solver import HighsModel, SolveStatus, read_result, resolve_name, solver_label
from tests.optimizer import bid


def problem(capacity_a: int = 100, pins=(None, None, None)) -> Problem:
    """A (0.10) and B (0.20) over three regions of 60, 50 and 40."""
    return Problem("X", ("r1", "r2", "r3"), (60, 50, 40), pins,
                   (bid("A", "0.10", capacity_a), bid("B", "0.20", 100)), 1, None, False)


def tiny(infeasible: bool) -> pulp.LpProblem:
    """x + y = 1 over binaries, optionally with x + y ≥ 2 as well."""
    prob = pulp.LpProblem("tiny", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 1, cat=pulp.LpBinary)
    y = prob.add_variable("y", 0, 1, cat=pulp.LpBinary)
    prob.setObjective(pulp.LpAffineExpression({x: 2, y: 3}))
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression({x: 1, y: 1}), pulp.LpConstraintEQ, "one", 1))
    if infeasible:
        prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression({x: 1, y: 1}), pulp.LpConstraintGE, "two", 2))
    return prob


def test_highs_is_the_default_and_cbc_on_request():
    assert resolve_name("highs") == "highs"
    assert resolve_name("cbc") == "cbc"
    assert solver_label("highs").startswith("HiGHS 1.")


def test_both_solvers_report_optimal_and_infeasible():
    for name in ("highs", "cbc"):
        run = solve_allocation(problem(), name, 10, 0.0)
        # A takes 60 + 40 = 100 (10.00), B takes 50 (10.00)
        assert run.report.status is SolveStatus.OPTIMAL and allocation_cost(problem(), run.allocation) == 20
        assert run.allocation.primary == ("A", "B", "A")
        # both regions of 60 and 50 pinned to A, whose capacity is 100: no allocation exists
        assert solve_allocation(problem(pins=("A", "A", None)), name, 10, 0.0).report.status is SolveStatus.INFEASIBLE


def test_pulp_reading_of_both_solvers():
    for name, engine in (("highs", pulp.HiGHS(msg=False, gapRel=0.0)),
                         ("cbc", pulp.COIN_CMD(path=PULP_CBC_CMD.pulp_cbc_path, msg=False))):
        prob = tiny(False)
        prob.solve(engine)
        assert read_result(prob, name, 0.0).objective == 2
        prob = tiny(True)
        prob.solve(engine)
        assert read_result(prob, name, 0.0).status is SolveStatus.INFEASIBLE


def test_arrays_and_pulp_are_the_same_model():
    form = build_formulation(problem())
    prob, xs = to_pulp(form)
    assert [x.name for x in xs] == form.col_names() == ["x_A_r1", "x_A_r2", "x_A_r3", "x_B_r1", "x_B_r2", "x_B_r3"]
    assert list(prob._constraints) == form.row_names
    text = lp_text(form)
    assert "capacity_A" in text and "one_primary_per_region_r1" in text and "min_regions_B" in text
    prob.solve(pulp.HiGHS(msg=False, gapRel=0.0))
    model = HighsModel(form, 0.0)
    outcome = model.mip(None, None, 10)
    assert outcome.report.objective == pulp.value(prob.objective) == 20
    assert form.primary(outcome.values) == ("A", "B", "A")


def test_lp_bound_and_cutoff():
    form = build_formulation(problem())
    model = HighsModel(form, 0.0)
    # fractional fill: A carries 100 at 0.10, B the other 50 at 0.20 — the integer optimum too
    assert math.isclose(model.lp_bound(10), 20.0)
    # a cutoff no allocation beats: nothing found below it, and the cutoff is the bound
    outcome = model.mip(None, 19.0, 10)
    assert outcome.values is None and outcome.bound >= 19.0
