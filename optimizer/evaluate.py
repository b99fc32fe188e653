"""Evaluate items: rules engine, then the allocation MILP, the baseline and the explanation.

``solve_item`` is the whole pipeline for one item; ``solve_items`` yields every item's result
in input order, optionally solving them across processes; ``solve_instance`` collects them.
Worker processes are spawned, never forked: a fork would copy the locks of the caller's other
threads (evaluation runs in a thread of the web process) and its warm caches. A spawned worker
imports the optimizer itself while the caller already solves (the caller's main module must
guard its entry point with ``if __name__ == "__main__"``, as console scripts do).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from decimal import Decimal

from optimizer import rules as r
from optimizer.allocation import (
    Allocation,
    Problem,
    allocation_cost,
    check_allocation,
    paid_ucp,
)
from optimizer.baseline import national_baseline
from optimizer.clearing import make_record
from optimizer.explain import binding_constraints, diagnose_infeasible, infeasible_reason
from optimizer.model import (
    Instance,
    InstanceResult,
    Item,
    ItemResult,
    Rules,
    Status,
    WinnerAward,
    to_fen,
)
from optimizer.search import solve_allocation
from optimizer.solver import SolveStatus, solver_label


def build_problem(item: Item, rules: Rules, winners: tuple) -> Problem:
    """Canonical allocation problem: regions sorted by code, agreed volumes, pins, winners."""
    codes = [reg.code for reg in item.regions]
    if len(set(codes)) != len(codes):
        raise ValueError(f"item {item.code}: duplicate region code")
    regions = sorted(item.regions, key=lambda reg: reg.code)
    ratio = r.agreed_ratio(len(winners), rules)
    return Problem(
        item_code=item.code,
        regions=tuple(reg.code for reg in regions),
        volumes=tuple(r.agreed_volume(reg.demand, ratio) for reg in regions),
        pins=tuple(reg.pinned_supplier for reg in regions),
        winners=winners,
        min_regions=rules.min_regions_per_winner,
        max_share=rules.max_share,
        backup=rules.backup,
        floors=r.gradient_floors(len(winners), rules),
    )


def awards(p: Problem, alloc: Allocation) -> tuple[WinnerAward, ...]:
    """Per winner: regions, backup regions, volume, paid UCP (tier included) and cost."""
    out = []
    for bid in p.winners:
        regions = tuple(c for c, s in zip(p.regions, alloc.primary, strict=True) if s == bid.supplier)
        backups = tuple(c for c, s in zip(p.regions, alloc.backup, strict=True) if s == bid.supplier)
        volume = sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == bid.supplier)
        ucp, threshold = paid_ucp(bid, volume)
        out.append(
            WinnerAward(bid.supplier, ucp, bid.ucp, regions, backups, volume, to_fen(ucp * volume), threshold)
        )
    return tuple(out)


def solve_item(item: Item, rules: Rules, *, record: bool = False) -> ItemResult:
    """Evaluate one item: winners by the rules, optimal allocation, baseline, explanation."""
    started = time.perf_counter()
    det = r.determine_winners(item, rules)
    count = len(det.winners)
    anchor = r.quantize_e4(det.anchor) if det.anchor is not None else None
    base = {
        "code": item.code,
        "outcomes": det.outcomes,
        "anchor_price": anchor,
        "solver": solver_label(rules.solver),
    }
    if not count:
        return ItemResult(
            status=Status.NO_WINNER, reason="no valid bid qualified", objective=None,
            baseline_objective=None, saving=None, gap=None, winners=(), binding=(),
            agreed_ratio=None, agreed_volume=0, contract_years=None,
            solve_seconds=time.perf_counter() - started,
            clearing=make_record(rules, item, "", "") if record else None, **base,
        )
    p = build_problem(item, rules, det.winners)
    base |= {
        "agreed_ratio": r.agreed_ratio(count, rules),
        "agreed_volume": p.total,
        "contract_years": r.contract_years(count, rules),
    }
    baseline = national_baseline(p)
    baseline_cost = allocation_cost(p, baseline) if baseline is not None else None
    reason = diagnose_infeasible(p)
    lp_text = log_text = ""
    alloc, gap, status = None, None, Status.INFEASIBLE
    if reason is None:
        run = solve_allocation(p, rules.solver, rules.time_limit_seconds, rules.gap, record)
        lp_text, log_text, gap = run.lp_text, run.log_text, run.report.gap
        alloc = run.allocation
        status = {
            SolveStatus.OPTIMAL: Status.OPTIMAL,
            SolveStatus.FEASIBLE: Status.FEASIBLE,
            SolveStatus.INFEASIBLE: Status.INFEASIBLE,
            SolveStatus.NO_SOLUTION: Status.NO_SOLUTION,
        }[run.report.status]
        if status is Status.INFEASIBLE:
            reason = infeasible_reason(p)
        if status is Status.NO_SOLUTION:
            reason = "the solver found no allocation within the time limit"
    if baseline is not None and not check_allocation(p, baseline):
        # The baseline is a feasible allocation: never report anything costlier.
        if alloc is None or allocation_cost(p, baseline) < allocation_cost(p, alloc):
            if alloc is None:
                status, reason = Status.FEASIBLE, "baseline allocation (solver found none)"
            alloc = baseline
    objective = to_fen(allocation_cost(p, alloc)) if alloc is not None else None
    baseline_objective = to_fen(baseline_cost) if baseline_cost is not None else None
    saving = (
        baseline_objective - objective
        if objective is not None and baseline_objective is not None
        else None
    )
    return ItemResult(
        status=status,
        reason=reason,
        objective=objective,
        baseline_objective=baseline_objective,
        saving=saving,
        gap=gap if alloc is not None else None,
        winners=awards(p, alloc) if alloc is not None else (),
        binding=binding_constraints(p, alloc) if alloc is not None else (),
        solve_seconds=time.perf_counter() - started,
        clearing=make_record(rules, item, lp_text, log_text) if record else None,
        **base,
    )


def _solve_pair(item: Item, rules: Rules, record: bool) -> ItemResult:
    """Top-level helper so worker processes can pickle the call."""
    return solve_item(item, rules, record=record)


def solve_items(
    items: Sequence[Item], rules: Rules, *, workers: int = 1, record: bool = False
) -> Iterator[ItemResult]:
    """Every item's result in input order, as soon as it and those before it are solved.

    With ``workers`` > 1 the caller is one worker and ``workers`` − 1 processes the others:
    the caller solves items from the front while the processes start up and take items from
    the back, one each at a time, so a light batch never waits for the processes and the
    results in front (the progress) come first.
    """
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield solve_item(item, rules, record=record)
        return
    size = min(workers - 1, len(items) - 1)
    pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"))
    todo, done, running = deque(range(len(items))), {}, {}
    shown = 0
    try:
        while shown < len(items):
            while todo and len(running) < size:
                k = todo.pop()
                running[pool.submit(_solve_pair, items[k], rules, record)] = k
            for future in [f for f in running if f.done()]:
                done[running.pop(future)] = future.result()
            while shown in done:
                yield done.pop(shown)
                shown += 1
            if todo:
                k = todo.popleft()
                done[k] = solve_item(items[k], rules, record=record)
            elif running and shown not in done:
                wait(running, return_when=FIRST_COMPLETED)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def solve_instance(
    instance: Instance, *, workers: int = 1, record: bool = False
) -> InstanceResult:
    """Solve every item independently, in input order; ``workers`` > 1 uses processes too."""
    return InstanceResult(tuple(solve_items(instance.items, instance.rules, workers=workers, record=record)))


def total_objective(result: InstanceResult) -> Decimal:
    """Sum of the item objectives (items without an allocation count as zero)."""
    return sum((i.objective or Decimal(0) for i in result.items), Decimal(0))
