"""The allocation problem of one item, with winners already fixed by the rules engine.

``Problem`` is the canonical data (regions by code, winners by rank); the rules an allocation
must keep (``check_allocation``, exact integers) and its exact cost under all-units tier
pricing (``allocation_cost``) live here. The MILP is ``optimizer.formulation``, the search
that solves it ``optimizer.search``. Backup suppliers are not in the model: a backup carries
no volume and costs nothing, so with two winners or more any primary allocation has backups
and they never change the cost; ``canonical_backups`` assigns them after the solve (the
best-ranked winner other than the primary) and ``check_allocation`` verifies the rule.
Leaving them out halves the binaries.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from optimizer.model import Bid


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
    minimum: tuple[int, ...] = ()  # per winner: a least volume (a tier band's low end)

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
        """Smallest whole volume the winner at this rank must get (gradient, least volume)."""
        floor = math.ceil(self.floors[rank_index] * self.total) if rank_index < len(self.floors) else None
        if rank_index < len(self.minimum) and self.minimum[rank_index] > 0:
            floor = max(floor or 0, self.minimum[rank_index])
        return floor

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
    """What one solve produced: solver report, allocation, model text and log."""

    report: Any  # optimizer.solver.SolveReport
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


def canonical_backups(p: Problem, primary: tuple[str, ...]) -> tuple[str | None, ...]:
    """Backup per region: the best-ranked winner other than the primary (backups on only).

    Backups consume no capacity and cost nothing, so every choice that differs from the
    primary is feasible and equally cheap; this rule makes the choice deterministic.
    """
    if not p.backups_on():
        return tuple(None for _ in primary)
    return tuple(next(b.supplier for b in p.winners if b.supplier != s) for s in primary)


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
