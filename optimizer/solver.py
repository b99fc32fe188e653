"""Solver choice and result reading — each in exactly one place.

HiGHS (highspy, installed with ``pulp[highs]``) is the default and gets the formulation as
arrays (``HighsModel``): loaded once, re-priced for each tier choice, asked for LP bounds and
MILP solutions. CBC (the binary bundled with PuLP, driven through ``pulp.COIN_CMD`` to avoid
the deprecated ``PULP_CBC_CMD``) is the fallback, through PuLP (``CbcModel``). The status and
gap are read from the solver itself, never from PuLP's summary, because PuLP reports
"Optimal" when HiGHS stopped at its time limit and leaves values in the variables when CBC
found no solution.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import numpy as np
import pulp
from pulp.apis.coin_api import PULP_CBC_CMD

from optimizer.formulation import Formulation, to_pulp


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


@dataclass(frozen=True)
class MipOutcome:
    """One MILP run: the solver's report, its column values and its proven lower bound."""

    report: SolveReport
    values: np.ndarray | None
    bound: float


@cache
def highs_available() -> bool:
    """True when highspy can be imported by PuLP (asked once per process)."""
    return bool(pulp.HiGHS().available())


@cache
def solver_label(name: str) -> str:
    """Solver name and version, e.g. ``HiGHS 1.13.0`` or ``CBC (PuLP bundled)`` (asked once per
    process: it starts a HiGHS instance)."""
    if name == "highs":
        import highspy

        return f"HiGHS {highspy.Highs().version()}"
    return "CBC (PuLP bundled)"


def resolve_name(requested: str) -> str:
    """The solver actually used: ``highs`` unless CBC is asked for or HiGHS is missing."""
    if requested == "cbc" or not highs_available():
        return "cbc"
    return "highs"


class HighsModel:
    """A formulation loaded into HiGHS once: all columns, integrality marks and rows in one
    call each, then LP bounds and MILP runs, re-priced in place for each tier choice.

    One thread, the relative gap asked for and no absolute gap; with a start, HiGHS's own
    feasibility-jump heuristic is skipped (it cost half the solve of a national item).
    """

    name = "highs"

    def __init__(self, form: Formulation, gap: float, log_path: str | None = None) -> None:
        """Load the model; ``log_path`` keeps HiGHS's log (clearing records only)."""
        import highspy

        self.form, self.gap = form, gap
        self.label = solver_label("highs")
        h = self.highs = highspy.Highs()
        h.setOptionValue("output_flag", log_path is not None)
        if log_path is not None:
            h.setOptionValue("log_to_console", False)
            h.setOptionValue("log_file", log_path)
        h.setOptionValue("threads", 1)
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("mip_abs_gap", 0.0)
        n = form.columns
        h.addCols(n, form.cost, np.zeros(n), form.col_upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        kind = np.full(n, int(highspy.HighsVarType.kInteger), dtype=np.uint8)
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kind)
        inf = highspy.kHighsInf
        h.addRows(len(form.row_names), np.maximum(form.row_lower, -inf), np.minimum(form.row_upper, inf),
                  len(form.index), form.starts, form.index, form.value)

    def close(self) -> None:
        """Close the log file, if any."""
        self.highs.setOptionValue("log_file", "")

    def update(self) -> None:
        """Take the formulation's current prices and tier bands."""
        form, h = self.form, self.highs
        every = np.arange(form.columns, dtype=np.int32)
        h.changeColsCost(form.columns, every, form.cost)
        if form.band_rows:
            h.changeColsBounds(form.columns, every, np.zeros(form.columns), form.col_upper)
        rows = np.array(sorted(form.band_rows.values()), dtype=np.int32)
        if len(rows):
            h.changeRowsBounds(len(rows), rows, form.row_lower[rows], np.minimum(form.row_upper[rows], 1e30))

    def lp_bound(self, time_limit: float) -> float:
        """The LP relaxation's optimum (``inf`` when even the relaxation is infeasible)."""
        import highspy

        h = self.highs
        h.setOptionValue("solve_relaxation", True)
        h.setOptionValue("time_limit", max(0.01, time_limit))
        h.run()
        h.setOptionValue("solve_relaxation", False)
        status = h.getModelStatus()
        kind = highspy.HighsModelStatus
        if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
            return math.inf
        if status != kind.kOptimal:
            return -math.inf  # no bound proven (time limit)
        return float(h.getInfo().objective_function_value)

    def mip(self, start: np.ndarray | None, cutoff: float | None, time_limit: float) -> MipOutcome:
        """Solve the MILP from an optional start; ``cutoff`` stops it at no better solution."""
        import highspy

        h = self.highs
        h.setOptionValue("time_limit", max(0.01, time_limit))
        h.setOptionValue("objective_bound", math.inf if cutoff is None else cutoff)
        h.setOptionValue("mip_heuristic_run_feasibility_jump", start is None)
        if start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = list(start)
            solution.value_valid = True
            h.setSolution(solution)
        h.run()
        outcome = self._read()
        if cutoff is not None and outcome.values is None and outcome.report.status is SolveStatus.INFEASIBLE:
            return MipOutcome(outcome.report, None, max(outcome.bound, cutoff))  # nothing below the cutoff
        return outcome

    def _read(self) -> MipOutcome:
        """Status, gap, objective, values and dual bound, read from HiGHS itself."""
        import highspy

        h = self.highs
        status, info = h.getModelStatus(), h.getInfo()
        kind = highspy.HighsModelStatus
        has_solution = info.primal_solution_status == 2
        values = np.array(h.getSolution().col_value) if has_solution else None
        bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else -math.inf
        objective = float(info.objective_function_value) if has_solution else None
        if status == kind.kOptimal:
            gap = 0.0 if not math.isfinite(info.mip_gap) else max(0.0, info.mip_gap)
            return MipOutcome(SolveReport(SolveStatus.OPTIMAL, gap, objective, self.label), values, bound)
        if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
            return MipOutcome(SolveReport(SolveStatus.INFEASIBLE, None, None, self.label), None, math.inf)
        if status == kind.kObjectiveBound:  # nothing better than the cutoff exists
            return MipOutcome(SolveReport(SolveStatus.INFEASIBLE, None, None, self.label), None, bound)
        if has_solution:
            gap = info.mip_gap if math.isfinite(info.mip_gap) else None
            return MipOutcome(SolveReport(SolveStatus.FEASIBLE, gap, objective, self.label), values, bound)
        return MipOutcome(SolveReport(SolveStatus.NO_SOLUTION, None, None, self.label), None, bound)


class CbcModel:
    """The fallback: the formulation through PuLP to CBC, rebuilt for each run (no LP bounds)."""

    name = "cbc"

    def __init__(self, form: Formulation, gap: float, log_path: str | None = None) -> None:
        """Keep the formulation; CBC writes its log to ``log_path`` when given."""
        self.form, self.gap, self.log_path = form, gap, log_path
        self.label = solver_label("cbc")

    def close(self) -> None:
        """Nothing to close: CBC's log is copied after each run."""

    def update(self) -> None:
        """Nothing to do: each run builds the PuLP model from the formulation as it is."""

    def lp_bound(self, time_limit: float) -> float:
        """No cheap LP bound through CBC: every tier choice left by the search is solved."""
        return -math.inf

    def mip(self, start: np.ndarray | None, cutoff: float | None, time_limit: float) -> MipOutcome:
        """Solve the MILP with CBC (CBC runs without the start)."""
        prob, xs = to_pulp(self.form)
        log = None
        if self.log_path is not None:
            log = f"{self.log_path}.cbc"
        prob.solve(pulp.COIN_CMD(path=PULP_CBC_CMD.pulp_cbc_path, msg=False, timeLimit=max(1.0, time_limit),
                                 gapRel=self.gap, threads=1, logPath=log))
        if log is not None and os.path.exists(log):
            with open(log, encoding="utf-8", errors="replace") as fh, open(self.log_path or "", "a") as out:
                out.write(fh.read())
        report = read_result(prob, "cbc", self.gap)
        values = None
        if report.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            values = np.array([x.varValue or 0.0 for x in xs])
        bound = report.objective if report.status is SolveStatus.OPTIMAL and report.objective is not None else -math.inf
        if report.status is SolveStatus.INFEASIBLE:
            bound = math.inf
        return MipOutcome(report, values, bound * (1 - self.gap) if math.isfinite(bound) and bound > 0 else bound)


def open_model(requested: str, form: Formulation, gap: float, log_path: str | None = None) -> HighsModel | CbcModel:
    """The named solver with the formulation loaded (HiGHS unless CBC is asked for or missing)."""
    if resolve_name(requested) == "highs":
        return HighsModel(form, gap, log_path)
    return CbcModel(form, gap, log_path)


def read_result(prob: pulp.LpProblem, name: str, gap: float) -> SolveReport:
    """Read status, gap and objective of a PuLP problem the named solver just ran on."""
    label = solver_label(name)
    if name == "highs":  # a PuLP model solved by pulp.HiGHS (the benchmark's plain models)
        import highspy

        model = prob.solverModel
        status = model.getModelStatus()
        info = model.getInfo()
        if status == highspy.HighsModelStatus.kOptimal:
            gap_value = info.mip_gap if math.isfinite(info.mip_gap) else 0.0
            return SolveReport(SolveStatus.OPTIMAL, max(0.0, gap_value), info.objective_function_value, label)
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return SolveReport(SolveStatus.INFEASIBLE, None, None, label)
        if info.primal_solution_status == 2:
            gap_value = info.mip_gap if math.isfinite(info.mip_gap) else None
            return SolveReport(SolveStatus.FEASIBLE, gap_value, info.objective_function_value, label)
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


def elapsed(since: float) -> float:
    """Seconds since a ``time.perf_counter()`` reading."""
    return time.perf_counter() - since
