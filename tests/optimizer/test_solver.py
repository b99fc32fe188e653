"""Solver choice and reading the solver's own status."""

import pulp

from optimizer.solver import SolveStatus, make_solver, read_result, resolve_name, solver_label


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
        prob = tiny(False)
        used, solver = make_solver(name, 10, 1e-4)
        prob.solve(solver)
        report = read_result(prob, used, 1e-4)
        assert report.status is SolveStatus.OPTIMAL and report.objective == 2
        prob = tiny(True)
        used, solver = make_solver(name, 10, 1e-4)
        prob.solve(solver)
        assert read_result(prob, used, 1e-4).status is SolveStatus.INFEASIBLE


def test_bulk_loader_matches_pulps_own_loader():
    # mixed integer and continuous columns, a free column, a zero coefficient, ≤ / ≥ / = rows
    def model():
        prob = pulp.LpProblem("mixed", pulp.LpMinimize)
        x = prob.add_variable("x", 0, 4, cat=pulp.LpInteger)
        y = prob.add_variable("y", 0, None)
        z = prob.add_variable("z", None, None)
        prob.setObjective(pulp.LpAffineExpression({x: -3, y: 2, z: 1}))
        rows = [({x: 2, y: 1}, pulp.LpConstraintLE, 7.5), ({x: 1, z: 1}, pulp.LpConstraintGE, 1),
                ({z: 1, y: 0}, pulp.LpConstraintEQ, -0.5)]
        for i, (coefs, sense, rhs) in enumerate(rows):
            prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(coefs), sense, f"r{i}", rhs))
        return prob, (x, y, z)

    ours, own = model(), model()
    ours[0].solve(make_solver("highs", 10, 0.0)[1])
    own[0].solve(pulp.HiGHS(msg=False, gapRel=0.0))
    assert [v.varValue for v in ours[1]] == [v.varValue for v in own[1]] == [3.0, 0.0, -0.5]
    assert read_result(ours[0], "highs", 0.0).objective == -9.5


def test_probing_fixes_only_choices_that_cannot_beat_the_cutoff():
    # min 5a + 1b + 3c, a + b + c = 1: with a = 1 the bound is 5 > cutoff 3 (fixed to 0);
    # with c = 1 it is 3, not above the cutoff (kept). The optimum (b) is unchanged.
    prob = pulp.LpProblem("probe", pulp.LpMinimize)
    a, b, c = (prob.add_variable(n, 0, 1, cat=pulp.LpBinary) for n in "abc")
    prob.setObjective(pulp.LpAffineExpression({a: 5, b: 1, c: 3}))
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression({a: 1, b: 1, c: 1}), pulp.LpConstraintEQ, "one", 1))
    used, solver = make_solver("highs", 10, 0.0, start={"c": 1.0}, probes=("a", "c"), cutoff=3.0)
    prob.solve(solver)
    lp = prob.solverModel.getLp()
    assert list(lp.col_upper_) == [0.0, 1.0, 1.0]
    report = read_result(prob, used, 0.0)
    assert report.status is SolveStatus.OPTIMAL and report.objective == 1


def test_probing_fixes_a_binary_to_one_when_zero_cannot_beat_the_cutoff():
    # cutoff 1 is the cost of b = 1; with b = 0 the bound is 3 (c), so b is fixed to 1.
    prob = pulp.LpProblem("probe1", pulp.LpMinimize)
    a, b, c = (prob.add_variable(n, 0, 1, cat=pulp.LpBinary) for n in "abc")
    prob.setObjective(pulp.LpAffineExpression({a: 5, b: 1, c: 3}))
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression({a: 1, b: 1, c: 1}), pulp.LpConstraintEQ, "one", 1))
    used, solver = make_solver("highs", 10, 0.0, start={"b": 1.0}, probes=("b",), cutoff=1.0)
    prob.solve(solver)
    lp = prob.solverModel.getLp()
    assert (lp.col_lower_[1], lp.col_upper_[1]) == (1.0, 1.0)
    assert read_result(prob, used, 0.0).objective == 1
