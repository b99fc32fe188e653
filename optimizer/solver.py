"""Solver choice and result reading — each in exactly one function.

HiGHS (through ``pulp.HiGHS`` and highspy) is the default; CBC (the binary bundled with
PuLP, driven through ``pulp.COIN_CMD`` to avoid the deprecated ``PULP_CBC_CMD``) is the
fallback. The status and gap are read from the solver itself, never from PuLP's summary,
because PuLP reports "Optimal" when HiGHS stopped at its time limit and leaves values in
the variables when CBC found no solution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import pulp
from pulp.apis.coin_api import PULP_CBC_CMD

PROBE_TOLERANCE = 1e-7
PROBE_PASSES = 2


class SolveStatus(StrEnum):
    """What the solver itself says about a MILP."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"


@dataclass(frozen=True)
class SolveReport:
    """Status, relative gap and objective value as read from the solver."""

    status: SolveStatus
    gap: float | None
    objective: float | None
    solver: str


def highs_available() -> bool:
    """True when highspy can be imported by PuLP."""
    return bool(pulp.HiGHS().available())


def solver_label(name: str) -> str:
    """Solver name and version, e.g. ``HiGHS 1.13.0`` or ``CBC (PuLP bundled)``."""
    if name == "highs":
        import highspy

        return f"HiGHS {highspy.Highs().version()}"
    return "CBC (PuLP bundled)"


def resolve_name(requested: str) -> str:
    """The solver actually used: ``highs`` unless CBC is asked for or HiGHS is missing."""
    if requested == "cbc" or not highs_available():
        return "cbc"
    return "highs"


class StartedHiGHS(pulp.HiGHS):
    """``pulp.HiGHS`` that hands HiGHS a starting solution and loads the model in bulk.

    PuLP's own loader adds columns one by one and marks each integer column with its own
    call (quadratic in HiGHS for tens of thousands of columns), and walks every constraint
    to list the variables five times per solve; this one lists them once and passes all
    columns, integrality marks and rows to HiGHS in three calls.
    """

    def __init__(
        self,
        start: dict[str, float] | None = None,
        probes: tuple[str, ...] = (),
        cutoff: float | None = None,
        **kwargs: object,
    ) -> None:
        """Keep the start and the probing plan; everything else goes to ``pulp.HiGHS``."""
        super().__init__(**kwargs)
        self.start = start
        self.probes = probes
        self.cutoff = cutoff

    def actualSolve(self, lp: pulp.LpProblem) -> int:
        """Configure, load, start, run and read back, listing the variables only once."""
        self.createAndConfigureSolver(lp)
        variables = lp.variables()
        self._load(lp, variables)
        self._probe(lp, variables)
        self._set_start(lp, variables)
        lp.solverModel.run()
        status, sol_status = self._read_values(lp, variables)
        lp.assignStatus(status, sol_status)
        return status

    @staticmethod
    def _load(lp: pulp.LpProblem, variables: list) -> None:
        """All columns, integrality marks and rows in one call each."""
        import highspy

        inf = highspy.kHighsInf
        sign = -1 if lp.sense == pulp.LpMaximize else 1
        objective = lp.objective or {}
        costs, lower, upper, integers = [], [], [], []
        for i, var in enumerate(variables):
            var.index = i
            costs.append(sign * objective.get(var, 0.0))
            lower.append(-inf if var.lowBound is None else var.lowBound)
            upper.append(inf if var.upBound is None else var.upBound)
            if var.cat == pulp.LpInteger:
                integers.append(i)
        model = lp.solverModel
        model.addCols(len(variables), costs, lower, upper, 0, [0] * len(variables), [], [])
        if integers:
            kind = int(highspy.HighsVarType.kInteger)
            model.changeColsIntegrality(len(integers), integers, [kind] * len(integers))
        row_lower, row_upper, starts, indices, values = [], [], [], [], []
        for i, constraint in enumerate(lp._constraints.values()):
            constraint.index = i
            starts.append(len(indices))
            for var, coefficient in constraint.items():
                if coefficient != 0:
                    indices.append(var.index)
                    values.append(coefficient)
            lb, ub = constraint.getLb(), constraint.getUb()
            row_lower.append(-inf if lb is None else lb)
            row_upper.append(inf if ub is None else ub)
        if starts:
            model.addRows(len(starts), row_lower, row_upper, len(indices), starts, indices, values)

    def _probe(self, lp: pulp.LpProblem, variables: list) -> None:
        """Fix each probed binary whose LP bound, with it set to 1 (or 0), exceeds the cutoff
        to the other value.

        The cutoff is the cost of a known feasible solution (the warm start), so no solution
        with that value can beat it: fixing the binary keeps an optimum (the start stays
        feasible), and the gap the solver then proves holds for the full model too.
        """
        if not self.probes or self.cutoff is None:
            return
        model = lp.solverModel
        index = {var.name: var.index for var in variables}
        limit = self.cutoff + PROBE_TOLERANCE * max(1.0, abs(self.cutoff))
        import highspy

        kind = highspy.HighsModelStatus
        model.setOptionValue("solve_relaxation", True)
        fixed: set[int] = set()
        for _ in range(PROBE_PASSES):  # a fix tightens the relaxation: probe the rest again
            before = len(fixed)
            for name in self.probes:
                col = index.get(name)
                if col is None or col in fixed or variables[col].upBound == 0:
                    continue
                for value in (1.0, 0.0):  # a value that cannot beat the cutoff: the other one
                    model.changeColBounds(col, value, value)
                    model.run()
                    status = model.getModelStatus()
                    bound = model.getInfo().objective_function_value
                    cut = status in (kind.kInfeasible, kind.kUnboundedOrInfeasible) or (
                        status == kind.kOptimal and bound > limit
                    )
                    if cut:
                        model.changeColBounds(col, 1.0 - value, 1.0 - value)
                        fixed.add(col)
                        break
                    model.changeColBounds(col, 0.0, 1.0)
            if len(fixed) == before:
                break
        model.setOptionValue("solve_relaxation", False)

    def _set_start(self, lp: pulp.LpProblem, variables: list) -> None:
        """Hand HiGHS the starting solution (columns by PuLP's index), if any."""
        if not self.start:
            return
        import highspy

        solution = highspy.HighsSolution()
        solution.col_value = [self.start.get(var.name, 0.0) for var in variables]
        solution.value_valid = True
        lp.solverModel.setSolution(solution)

    @staticmethod
    def _read_values(lp: pulp.LpProblem, variables: list) -> tuple[int, int]:
        """Variable values back into PuLP, and PuLP's status pair (status read elsewhere)."""
        import highspy

        model = lp.solverModel
        status = model.getModelStatus()
        has_solution = model.getInfo().primal_solution_status == 2
        if has_solution:
            values = list(model.getSolution().col_value)
            for var in variables:
                var.varValue = values[var.index]
        kind = highspy.HighsModelStatus
        if status == kind.kOptimal:
            return pulp.LpStatusOptimal, pulp.LpSolutionOptimal
        if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
            return pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible
        if status == kind.kUnbounded:
            return pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded
        if has_solution:
            return pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
        return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound


def make_solver(
    requested: str,
    time_limit: float,
    gap: float,
    log_path: str | None = None,
    start: dict[str, float] | None = None,
    probes: tuple[str, ...] = (),
    cutoff: float | None = None,
) -> tuple[str, pulp.LpSolver]:
    """Build the named solver: explicit time limit, relative gap, one thread, optional start.

    The start (variable name → value) is used by HiGHS only; CBC runs without it.
    """
    name = resolve_name(requested)
    if name == "highs":
        extra: dict[str, object] = {}
        if log_path is not None:
            extra = {"log_to_console": False, "log_file": log_path}
        solver = StartedHiGHS(
            start=start,
            probes=probes,
            cutoff=cutoff,
            msg=log_path is not None,
            timeLimit=time_limit,
            gapRel=gap,
            gapAbs=0.0,
            threads=1,
            **extra,
        )
        return name, solver
    cbc = pulp.COIN_CMD(
        path=PULP_CBC_CMD.pulp_cbc_path,
        msg=False,
        timeLimit=time_limit,
        gapRel=gap,
        threads=1,
        logPath=log_path,
    )
    return name, cbc


def read_result(prob: pulp.LpProblem, name: str, gap: float) -> SolveReport:
    """Read status, gap and objective from the solver that just ran on ``prob``."""
    label = solver_label(name)
    if name == "highs":
        import highspy

        model = prob.solverModel
        status = model.getModelStatus()
        info = model.getInfo()
        has_solution = info.primal_solution_status == 2
        if status == highspy.HighsModelStatus.kOptimal:
            is_mip = any(int(k) for k in model.getLp().integrality_)
            mip_gap = info.mip_gap if is_mip else 0.0
            gap_value = 0.0 if not math.isfinite(mip_gap) else max(0.0, mip_gap)
            return SolveReport(
                SolveStatus.OPTIMAL, gap_value, info.objective_function_value, label
            )
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return SolveReport(SolveStatus.INFEASIBLE, None, None, label)
        if has_solution:
            mip_gap = info.mip_gap
            gap_value = mip_gap if math.isfinite(mip_gap) else None
            return SolveReport(
                SolveStatus.FEASIBLE, gap_value, info.objective_function_value, label
            )
        return SolveReport(SolveStatus.NO_SOLUTION, None, None, label)
    objective = pulp.value(prob.objective) if prob.objective is not None else None
    if prob.status == pulp.LpStatusInfeasible:
        return SolveReport(SolveStatus.INFEASIBLE, None, None, label)
    if prob.sol_status == pulp.LpSolutionOptimal:
        # CBC stops once within ``ratio``: the proven gap is at most the configured one.
        return SolveReport(SolveStatus.OPTIMAL, gap, objective, label)
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveReport(SolveStatus.FEASIBLE, None, objective, label)
    return SolveReport(SolveStatus.NO_SOLUTION, None, None, label)
