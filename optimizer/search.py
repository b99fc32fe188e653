"""Solve one item's allocation: tier choices searched outside the MILP, each proven by bounds.

Under all-units pricing a winner's cost is ``price(t) × volume`` on the volume band of each
tier ``t`` (``tier_options``). A **tier choice** fixes one band per winner; under it the
allocation is a plain linear MILP (the untiered model with each winner priced at its tier and
its volume held in the band), and every allocation lies in exactly one tier choice at its
exact cost. So the optimum is the best over tier choices, and the MILP never branches on tiers.

The choices are visited best bound first (``optimizer.choices.ChoiceQueue``: the continuous
fill, never above the cost of any allocation below it), and a complete choice is bounded again,
cheapest bound first, each time it reaches the front:

1. the **prefix bound** (``optimizer.bounds``: rooms, least volumes and the regions the dearer
   winners need; equal to the LP bound for most choices, microseconds and no solver);
2. before any allocation is known, the packing heuristic (which keeps the choice's bands and
   stops once within the gap of the bound) gives the incumbent that rules out, by its cost,
   every choice bounded above it — on the tiered bench most choices never need more; then the
   **LP relaxation** of its MILP (HiGHS; a region larger than a winner's room in that choice is
   a closed column, which keeps the LP from using a fraction of it);
3. the prefix bound in **whole regions** (exact subset sums by count);
4. for the choice of the best allocation, the **split bound** (the dearer winners as a small
   MILP of their own), and only then the choice's MILP from the packing start.

The search stops when the next bound cannot beat the best allocation found by more than the
gap; on the tiered bench (60 items) 11 LPs run, 2 split bounds and no MILP. The gap reported
is proven: best found against the smallest bound of every choice not ruled out. An item
without tiers is the one choice. The MILP's arrays and the solver are built only when an LP or
MILP is first needed (or a clearing record asks for the model and log).
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from decimal import Decimal

from optimizer.allocation import (
    Allocation,
    AllocationRun,
    Problem,
    allocation_cost,
    canonical_backups,
    check_allocation,
)
from optimizer.bounds import PrefixBound, split_bound
from optimizer.choices import EXACT, LP, Band, Choice, ChoiceQueue, leaf_problem, winner_bands
from optimizer.formulation import Formulation, build_formulation, lp_text
from optimizer.heuristic import packing_start
from optimizer.solver import (
    CbcModel,
    HighsModel,
    SolveReport,
    SolveStatus,
    open_model,
    resolve_name,
    solver_label,
)


def _set_choice(form: Formulation, p: Problem, bands: list[list[Band]], picks: tuple[int, ...]) -> None:
    """Price the formulation at a tier choice and hold each tiered winner in its band."""
    form.set_prices([bands[wi][k][1] for wi, k in enumerate(picks)])
    for wi in form.band_rows:
        lo, _price, hi = bands[wi][picks[wi]]
        form.set_band(wi, lo, hi)


class Search:
    """The state of one item's search: best allocation so far and the bounds proven."""

    def __init__(self, p: Problem, solver: str, gap: float, time_limit: float, log_path: str | None) -> None:
        """Bands, choice queue and the formulation loaded into the solver."""
        self.p, self.gap, self.deadline = p, gap, time.perf_counter() + time_limit
        self.bands = winner_bands(p)
        self.prefix = PrefixBound(p)
        self.queue = ChoiceQueue(p, self.bands, self.leaf_bound)
        self.solver, self.log_path = solver, log_path
        self.solver_name = resolve_name(solver)
        self._form: Formulation | None = None
        self._model: HighsModel | CbcModel | None = None
        if log_path is not None:
            _ = self.model  # a clearing record keeps the solver's log and the model's text
        self.best: Allocation | None = None
        self.best_cost = math.inf
        self.best_picks: tuple[int, ...] | None = None
        self.proven: list[float] = []  # lower bounds of the choices taken
        self.notes: list[str] = []
        self.packed: set[tuple[int, ...]] = set()

    @property
    def form(self) -> Formulation:
        """The MILP as arrays, built when first needed (most items need no LP at all)."""
        if self._form is None:
            self._form = build_formulation(self.p)
        return self._form

    @property
    def model(self) -> HighsModel | CbcModel:
        """The formulation loaded into the solver, when first needed."""
        if self._model is None:
            self._model = open_model(self.solver, self.form, self.gap, self.log_path)
        return self._model

    def offer(self, alloc: Allocation | None, picks: tuple[int, ...] | None) -> None:
        """Keep an allocation when it keeps every rule and is the cheapest so far."""
        if alloc is None:
            return
        alloc = Allocation(alloc.primary, canonical_backups(self.p, alloc.primary))
        if check_allocation(self.p, alloc):
            return
        cost = float(allocation_cost(self.p, alloc))
        if cost < self.best_cost:
            self.best, self.best_cost, self.best_picks = alloc, cost, picks

    def cutoff(self) -> float:
        """A choice must bound below this to be worth taking."""
        return self.best_cost * (1 - self.gap) if math.isfinite(self.best_cost) else math.inf

    def left(self) -> float:
        """Seconds left before the time limit."""
        return self.deadline - time.perf_counter()

    def leaf_bound(self, picks: tuple[int, ...], exact: bool = False) -> float:
        """The prefix bound of a complete tier choice (``optimizer.bounds``)."""
        chosen = [self.bands[wi][k] for wi, k in enumerate(picks)]
        return self.prefix.bound([price for _lo, price, _hi in chosen],
                                 [math.floor(hi) for _lo, _price, hi in chosen],
                                 [max(math.ceil(lo), self.p.floor_volume(wi) or 0)
                                  for wi, (lo, _price, _hi) in enumerate(chosen)], exact)

    def split_bound(self, picks: tuple[int, ...]) -> float:
        """The split bound of the choice of the best allocation (``optimizer.bounds``),
        from that allocation, to within half the gap."""
        chosen = [self.bands[wi][k] for wi, k in enumerate(picks)]
        windex = {b.supplier: wi for wi, b in enumerate(self.p.winners)}
        return split_bound(self.p, self.prefix, [price for _lo, price, _hi in chosen],
                           [math.floor(hi) for _lo, _price, hi in chosen],
                           [max(math.ceil(lo), self.p.floor_volume(wi) or 0) for wi, (lo, _p, _h) in enumerate(chosen)],
                           0.5 * self.gap * self.best_cost, tuple(windex[s] for s in self.best.primary))

    def take(self, choice: Choice) -> None:
        """A complete choice at the front under its prefix bound: its LP bound, under which it
        queues again (or not at all).

        Before any allocation is known the choice is packed first: when the start comes within
        the gap of the prefix bound (most tier choices, most untiered items), no LP is needed,
        and the start's cost rules out every choice bounded above it without an LP.
        """
        picks = choice.picks
        if self.best is None:
            self._pack(picks, choice.bound)
            if choice.bound >= self.cutoff():
                self.proven.append(choice.bound)
                self.notes.append(f"tier choice {self._label(picks)}: start proven by the prefix bound "
                                  f"{choice.bound:.4f}")
                return
        _set_choice(self.form, self.p, self.bands, picks)
        self.model.update()
        lp = self.model.lp_bound(self.left())
        self.notes.append(f"tier choice {self._label(picks)}: prefix bound {choice.bound:.4f}, LP bound {lp:.4f}")
        self.queue.refine(choice, lp, LP)

    def sharpen(self, choice: Choice) -> None:
        """A choice at the front under its LP bound: packed, and when the start is not proven
        within the gap, bounded again in whole regions (the exact prefix bound)."""
        self._pack(choice.picks, choice.bound)
        if choice.bound >= self.cutoff():
            self.proven.append(choice.bound)
            return
        exact = self.leaf_bound(choice.picks, exact=True)
        self.notes.append(f"tier choice {self._label(choice.picks)}: prefix bound in whole regions {exact:.4f}")
        self.queue.refine(choice, exact, EXACT)

    def solve(self, choice: Choice) -> None:
        """A choice's last turn (best bound of all left): when it holds the best allocation, its
        split bound; unless that proves the allocation, its MILP from the packing start."""
        picks = choice.picks
        self._pack(picks, choice.bound)
        bound = choice.bound
        mine = self.best is not None and self.best_picks == picks
        if bound < self.cutoff() and mine and self.gap > 0 and self.solver_name == "highs":
            bound = max(bound, self.split_bound(picks))
            self.notes.append(f"tier choice {self._label(picks)}: split bound {bound:.4f}")
        if bound >= self.cutoff():
            self.proven.append(bound)
            return
        _set_choice(self.form, self.p, self.bands, picks)
        self.model.update()
        start = self.form.vector(self.best.primary) if mine else None
        cutoff = self.cutoff() if math.isfinite(self.cutoff()) and start is None else None
        run = self.model.mip(start, cutoff, self.left())
        if run.values is not None:
            self.offer(Allocation(self.form.primary(run.values), ()), picks)
        self.notes.append(f"  MILP of {self._label(picks)}: {run.report.status}, bound {run.bound:.4f}")
        self.proven.append(max(bound, run.bound))

    def _pack(self, picks: tuple[int, ...], bound: float) -> None:
        """Offer the packing heuristic's allocation of a tier choice (once per choice); it may
        stop at an allocation that the choice's bound already proves within the gap."""
        if picks in self.packed:
            return
        self.packed.add(picks)
        tiered = any(b.tiers for b in self.p.winners)
        leaf = leaf_problem(self.p, self.bands, picks) if tiered else self.p
        enough = Decimal(repr(bound / (1 - self.gap))) if math.isfinite(bound) and self.gap < 1 else None
        self.offer(packing_start(leaf, enough=enough), picks)

    def _label(self, picks: tuple[int, ...]) -> str:
        """A tier choice in words: supplier@band price for each tiered winner."""
        parts = [f"{self.p.winners[wi].supplier}@{self.bands[wi][k][1]:g}" for wi, k in enumerate(picks)
                 if self.p.winners[wi].tiers]
        return ", ".join(parts) or "(no tiers)"

    def run(self) -> SolveReport:
        """Take choices best bound first until none can beat the best by the gap."""
        timed_out = False
        while True:
            if self.left() <= 0:
                timed_out = True
                break
            choice = self.queue.pop(self.cutoff())
            if choice is None:
                break
            if choice.stage == EXACT:
                self.solve(choice)
            elif choice.stage == LP:
                self.sharpen(choice)
            else:
                self.take(choice)
        lower = min(self.proven + [self.queue.next_bound(), self.queue.dropped])
        label = self.model.label if self._model is not None else solver_label(self.solver_name)
        if self.best is None:
            status = SolveStatus.INFEASIBLE if lower == math.inf and not timed_out else SolveStatus.NO_SOLUTION
            return SolveReport(status, None, None, label)
        gap = 0.0 if self.best_cost <= 0 else max(0.0, (self.best_cost - min(lower, self.best_cost)) / self.best_cost)
        status = SolveStatus.OPTIMAL if gap <= self.gap + 1e-12 else SolveStatus.FEASIBLE
        if self.best_picks is not None and self._form is not None:
            _set_choice(self.form, self.p, self.bands, self.best_picks)
        return SolveReport(status, gap, self.best_cost, label)


def solve_allocation(
    p: Problem,
    solver: str,
    time_limit: float,
    gap: float,
    record: bool = False,
    start: Allocation | None = None,
) -> AllocationRun:
    """Search the tier choices and solve the allocation; ``record`` keeps LP text and log.

    ``start`` is an allocation to beat (any that keeps the rules). Nothing is written to
    disk unless ``record`` asks for the solver's log.
    """
    started = time.perf_counter()
    if record:
        with tempfile.TemporaryDirectory(prefix="jicai-opt-") as tmp:
            log_path = os.path.join(tmp, "solver.log")
            search = Search(p, solver, gap, time_limit, log_path)
            search.offer(start, None)
            report = search.run()
            search.model.close()  # HiGHS closes its log file
            log = ""
            if os.path.exists(log_path):
                with open(log_path, encoding="utf-8", errors="replace") as fh:
                    log = fh.read()
        notes = "\n".join([f"{report.solver}: tier choices searched outside the MILP, best bound first",
                           *search.notes])
        return AllocationRun(report, search.best, time.perf_counter() - started, lp_text(search.form),
                             f"{notes}\n\n{log}")
    search = Search(p, solver, gap, time_limit, None)
    search.offer(start, None)
    report = search.run()
    return AllocationRun(report, search.best, time.perf_counter() - started)
