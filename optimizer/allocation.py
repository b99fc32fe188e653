"""The allocation MILP of one item (PuLP), with winners already fixed by the rules engine.

Decision variables: ``x`` (primary supplier of a region, binary) and, for tiered bids,
``y`` (tier chosen, binary) with ``z`` (volume priced at that tier, continuous). One named
constraint per rule. Backup suppliers are not in the model: a backup carries no volume and
costs nothing, so with two winners or more any primary allocation has backups and they
never change the cost; ``canonical_backups`` assigns them after the solve (the best-ranked
winner other than the primary) and ``check_allocation`` verifies the rule. Leaving them out
halves the binaries. Expressions
are built from dicts with ``pulp.LpAffineExpression`` (faster than ``lpSum``).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal

import pulp

from optimizer.model import Bid
from optimizer.solver import SolveReport, SolveStatus, make_solver, read_result

LE, GE, EQ = pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ


@dataclass(frozen=True)
class Problem:
    """One item's allocation problem, canonically ordered (regions by code, winners by rank)."""

    item_code: str
    regions: tuple[str, ...]
    volumes: tuple[int, ...]
    pins: tuple[str | None, ...]
    winners: tuple[Bid, ...]
    min_regions: int
    max_share: Decimal | None
    backup: bool
    floors: tuple[Decimal, ...] = ()

    @property
    def total(self) -> int:
        """Total agreed volume of the item."""
        return sum(self.volumes)

    def share_limit(self) -> int | None:
        """Largest whole volume a single winner may take under the maximum share."""
        if self.max_share is None:
            return None
        return math.floor(self.max_share * self.total)

    def floor_volume(self, rank_index: int) -> int | None:
        """Smallest whole volume the winner at this rank must get under the gradient."""
        if rank_index >= len(self.floors):
            return None
        return math.ceil(self.floors[rank_index] * self.total)

    def backups_on(self) -> bool:
        """Backups are assigned only when asked for and at least two winners exist."""
        return self.backup and len(self.winners) >= 2


@dataclass(frozen=True)
class Allocation:
    """Primary and backup supplier per region (aligned with ``Problem.regions``)."""

    primary: tuple[str, ...]
    backup: tuple[str | None, ...]


@dataclass(frozen=True)
class AllocationRun:
    """What one MILP run produced: solver report, allocation, model text and log."""

    report: SolveReport
    allocation: Allocation | None
    seconds: float
    lp_text: str = ""
    log_text: str = ""


def paid_ucp(bid: Bid, volume: int) -> tuple[Decimal, int | None]:
    """All-units pricing: the lowest UCP among the base price and the tiers reached."""
    best, threshold = bid.ucp, None
    for tier in bid.tiers:
        if volume >= tier.min_volume and tier.ucp < best:
            best, threshold = tier.ucp, tier.min_volume
    return best, threshold


def effective_tiers(bid: Bid) -> tuple[tuple[int, Decimal], ...]:
    """The tiers that set the paid price somewhere: (threshold, UCP), prices falling.

    Under ``paid_ucp`` a tier applies only when it is cheaper than the base price and every
    tier of a lower threshold; tiers that never apply are dropped, so the paid price is a
    falling step function of the volume, which is what ``_add_tiers`` models.
    """
    out: list[tuple[int, Decimal]] = []
    best = bid.ucp
    for tier in sorted(bid.tiers, key=lambda t: (t.min_volume, t.ucp)):
        if tier.ucp < best:
            out.append((tier.min_volume, tier.ucp))
            best = tier.ucp
    return tuple(out)


def safe_names(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Codes turned into unique PuLP-safe name parts (letters, digits, ``_`` and ``.``)."""
    seen: set[str] = set()
    names = []
    for index, code in enumerate(codes):
        name = re.sub(r"[^A-Za-z0-9_.]", "_", code) or "_"
        if name in seen:
            name = f"{name}__{index}"
        seen.add(name)
        names.append(name)
    return tuple(names)


def _add(prob: pulp.LpProblem, coefs: dict, sense: int, rhs: float, name: str) -> None:
    """Add one named linear constraint built from a {variable: coefficient} dict."""
    prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(coefs), sense, name, rhs))


def tier_options(p: Problem, bid: Bid) -> list[tuple[int, Decimal, float]]:
    """The price options of a tiered winner: (threshold, UCP, largest volume modelled).

    A volume that reaches the next tier is never worse off there (the effective prices fall
    with volume), so option t may be limited to [threshold, next threshold − 1]: this keeps
    every optimum and makes the big-M as small as it can be.
    """
    big_m = float(min(bid.capacity, p.total))
    steps = [(0, bid.ucp)] + [t for t in effective_tiers(bid) if t[0] <= big_m]
    return [
        (low, ucp, big_m if t + 1 == len(steps) else float(steps[t + 1][0] - 1))
        for t, (low, ucp) in enumerate(steps)
    ]


def _add_tiers(prob, p: Problem, wi: int, wname: str, vol: dict, objective: dict) -> None:
    """All-units tier selection for winner ``wi``: pick one tier, price all volume at it."""
    select, link = {}, {k: -c for k, c in vol.items()}
    for t, (min_volume, ucp, upper) in enumerate(tier_options(p, p.winners[wi])):
        y = prob.add_variable(f"y_{wname}_{t}", 0, 1, cat=pulp.LpBinary)
        z = prob.add_variable(f"z_{wname}_{t}", 0, upper)
        select[y] = 1
        link[z] = 1
        objective[z] = float(ucp)
        _add(prob, {z: 1, y: -upper}, LE, 0, f"tier_cap_{wname}_{t}")
        if min_volume > 0:
            _add(prob, {z: 1, y: -float(min_volume)}, GE, 0, f"tier_min_{wname}_{t}")
    _add(prob, select, EQ, 1, f"tier_select_{wname}")
    _add(prob, link, EQ, 0, f"tier_volume_{wname}")


def build_model(p: Problem) -> tuple[pulp.LpProblem, dict, dict]:
    """Build the MILP; returns the problem, the x variables keyed (wi, ri) and {} (no b)."""
    prob = pulp.LpProblem(f"allocation_{safe_names((p.item_code,))[0]}", pulp.LpMinimize)
    wnames = safe_names(tuple(b.supplier for b in p.winners))
    rnames = safe_names(p.regions)
    x, b, objective = {}, {}, {}
    for wi, wn in enumerate(wnames):
        for ri, rn in enumerate(rnames):
            x[wi, ri] = prob.add_variable(f"x_{wn}_{rn}", 0, 1, cat=pulp.LpBinary)
    windex = {bid.supplier: wi for wi, bid in enumerate(p.winners)}
    for ri, rn in enumerate(rnames):
        _add(prob, {x[wi, ri]: 1 for wi in range(len(wnames))}, EQ, 1, f"one_primary_per_region_{rn}")
        pin = p.pins[ri]
        if pin is not None and pin in windex:
            _add(prob, {x[windex[pin], ri]: 1}, EQ, 1, f"pin_{rn}")
    share = p.share_limit()
    for wi, wn in enumerate(wnames):
        bid = p.winners[wi]
        vol = {x[wi, ri]: float(v) for ri, v in enumerate(p.volumes)}
        _add(prob, vol, LE, float(bid.capacity), f"capacity_{wn}")
        if p.min_regions > 0:
            count = {x[wi, ri]: 1 for ri in range(len(rnames))}
            _add(prob, count, GE, p.min_regions, f"min_regions_{wn}")
        if share is not None:
            _add(prob, vol, LE, float(share), f"max_share_{wn}")
        floor = p.floor_volume(wi)
        if floor is not None:
            _add(prob, vol, GE, float(floor), f"gradient_floor_{wn}")
        if bid.tiers:
            _add_tiers(prob, p, wi, wn, vol, objective)
        else:
            price = float(bid.ucp)
            for var, v in vol.items():
                objective[var] = price * v
    prob.setObjective(pulp.LpAffineExpression(objective))
    return prob, x, b


def canonical_backups(p: Problem, primary: tuple[str, ...]) -> tuple[str | None, ...]:
    """Backup per region: the best-ranked winner other than the primary (backups on only).

    Backups consume no capacity and cost nothing, so every choice that differs from the
    primary is feasible and equally cheap; this rule makes the choice deterministic.
    """
    if not p.backups_on():
        return tuple(None for _ in primary)
    return tuple(next(b.supplier for b in p.winners if b.supplier != s) for s in primary)


def _read_allocation(p: Problem, x: dict) -> Allocation:
    """Turn solved binary values into supplier codes per region."""
    primary = []
    for ri in range(len(p.regions)):
        chosen = [wi for wi in range(len(p.winners)) if (x[wi, ri].varValue or 0) > 0.5]
        primary.append(p.winners[chosen[0]].supplier if chosen else "")
    return Allocation(tuple(primary), canonical_backups(p, tuple(primary)))


def start_values(p: Problem, alloc: Allocation | None) -> dict[str, float] | None:
    """Variable values (by name) of an allocation, tiers included, to warm-start the solver."""
    if alloc is None:
        return None
    codes = tuple(b.supplier for b in p.winners)
    wnames = dict(zip(codes, safe_names(codes), strict=True))
    rnames = safe_names(p.regions)
    start = {f"x_{wnames[s]}_{rn}": 1.0 for s, rn in zip(alloc.primary, rnames, strict=True)}
    for bid in p.winners:
        if not bid.tiers:
            continue
        volume = sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == bid.supplier)
        for t, (low, _ucp, upper) in enumerate(tier_options(p, bid)):
            if low <= volume <= upper:
                start[f"y_{wnames[bid.supplier]}_{t}"] = 1.0
                start[f"z_{wnames[bid.supplier]}_{t}"] = float(volume)
                break
    return start


def tier_probes(p: Problem, start: Allocation | None) -> tuple[tuple[str, ...], float | None]:
    """Tier choices to probe before the search, and the start's cost as the cutoff.

    The relaxation prices a winner's small volume at its best tier (the tier variable can be
    a small fraction), which makes it weak; probing each tier choice against the cost of the
    warm start rules most of them out exactly (see ``StartedHiGHS._probe``).
    """
    if start is None or not any(b.tiers for b in p.winners):
        return (), None
    wnames = safe_names(tuple(b.supplier for b in p.winners))
    probes = tuple(
        f"y_{wn}_{t}"
        for wn, bid in zip(wnames, p.winners, strict=True)
        if bid.tiers
        for t in range(len(tier_options(p, bid)))
    )
    return probes, float(allocation_cost(p, start))


def solve_allocation(
    p: Problem,
    solver: str,
    time_limit: float,
    gap: float,
    record: bool = False,
    start: Allocation | None = None,
) -> AllocationRun:
    """Build and solve the MILP (optionally warm-started); ``record`` keeps LP text and log."""
    with tempfile.TemporaryDirectory(prefix="jicai-opt-") as tmp:
        log_path = os.path.join(tmp, "solver.log") if record else None
        prob, x, _b = build_model(p)
        probes, cutoff = tier_probes(p, start)
        name, engine = make_solver(
            solver, time_limit, gap, log_path, start_values(p, start), probes, cutoff
        )
        prob.solve(engine)
        report = read_result(prob, name, gap)
        lp_text = log_text = ""
        if record:
            lp_path = os.path.join(tmp, "model.lp")
            prob.writeLP(lp_path)
            with open(lp_path, encoding="utf-8") as fh:
                lp_text = fh.read()
            if name == "highs":
                prob.solverModel.setOptionValue("log_file", "")
            if os.path.exists(log_path or ""):
                with open(log_path or "", encoding="utf-8", errors="replace") as fh:
                    log_text = fh.read()
    has_values = report.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    allocation = _read_allocation(p, x) if has_values else None
    return AllocationRun(report, allocation, float(prob.solutionTime), lp_text, log_text)


def check_allocation(p: Problem, alloc: Allocation) -> list[str]:
    """Every violated allocation rule, with exact integer arithmetic (empty when all hold)."""
    problems: list[str] = []
    names = {bid.supplier for bid in p.winners}
    for ri, region in enumerate(p.regions):
        if alloc.primary[ri] not in names:
            problems.append(f"one_primary_per_region_{region}")
        pin = p.pins[ri]
        if pin in names and alloc.primary[ri] != pin:
            problems.append(f"pin_{region}")
        if p.backups_on() and (alloc.backup[ri] not in names or alloc.backup[ri] == alloc.primary[ri]):
            problems.append(f"backup_differs_{region}")
    share = p.share_limit()
    for wi, bid in enumerate(p.winners):
        picked = [ri for ri, s in enumerate(alloc.primary) if s == bid.supplier]
        volume = sum(p.volumes[ri] for ri in picked)
        if volume > bid.capacity:
            problems.append(f"capacity_{bid.supplier}")
        if len(picked) < p.min_regions:
            problems.append(f"min_regions_{bid.supplier}")
        if share is not None and volume > share:
            problems.append(f"max_share_{bid.supplier}")
        floor = p.floor_volume(wi)
        if floor is not None and volume < floor:
            problems.append(f"gradient_floor_{bid.supplier}")
    return problems


def allocation_cost(p: Problem, alloc: Allocation) -> Decimal:
    """Exact cost in yuan (unrounded): Σ winner volume × its all-units paid UCP."""
    total = Decimal(0)
    for bid in p.winners:
        volume = sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == bid.supplier)
        total += paid_ucp(bid, volume)[0] * volume
    return total
