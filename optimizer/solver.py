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
    """``pulp.HiGHS`` that hands HiGHS a starting solution (variable name → value)."""

    def __init__(self, start: dict[str, float] | None = None, **kwargs: object) -> None:
        """Keep the start; everything else goes to ``pulp.HiGHS``."""
        super().__init__(**kwargs)
        self.start = start

    def callSolver(self, lp: pulp.LpProblem) -> None:
        """Set the starting solution (columns by PuLP's index), then run HiGHS."""
        if self.start:
            import highspy

            variables = lp.variables()
            values = [0.0] * len(variables)
            for var in variables:
                values[var.index] = self.start.get(var.name, 0.0)
            solution = highspy.HighsSolution()
            solution.col_value = values
            solution.value_valid = True
            lp.solverModel.setSolution(solution)
        lp.solverModel.run()


def make_solver(
    requested: str,
    time_limit: float,
    gap: float,
    log_path: str | None = None,
    start: dict[str, float] | None = None,
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
            mip_gap = info.mip_gap if prob.isMIP() else 0.0
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
