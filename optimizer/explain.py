"""Explanations: which constraints bind in an allocation, and why an item is infeasible.

Everything is recomputed exactly from the allocation (integers), not read from solver
slacks, so the explanation is the same whichever solver ran.
"""

from __future__ import annotations

from optimizer.allocation import Allocation, Problem
from optimizer.model import Binding


def _volumes(p: Problem, alloc: Allocation) -> dict[str, tuple[int, int]]:
    """Per winner: (assigned volume, number of primary regions)."""
    out = {}
    for bid in p.winners:
        picked = [v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == bid.supplier]
        out[bid.supplier] = (sum(picked), len(picked))
    return out


def binding_constraints(p: Problem, alloc: Allocation) -> tuple[Binding, ...]:
    """Inequality constraints with zero slack, plus brand pins that were honoured."""
    found: list[Binding] = []
    share = p.share_limit()
    per = _volumes(p, alloc)
    for wi, bid in enumerate(p.winners):
        volume, count = per[bid.supplier]
        s = bid.supplier
        if volume == bid.capacity:
            found.append(Binding(f"capacity_{s}", f"{s} uses all its capacity {bid.capacity}"))
        if share is not None and volume == share:
            found.append(Binding(f"max_share_{s}", f"{s} is at the maximum share ({share} units)"))
        if p.min_regions > 0 and count == p.min_regions:
            found.append(Binding(f"min_regions_{s}", f"{s} has the minimum {count} region(s)"))
        floor = p.floor_volume(wi)
        if floor is not None and volume == floor:
            found.append(Binding(f"gradient_floor_{s}", f"{s} is at its gradient floor {floor}"))
    names = {b.supplier for b in p.winners}
    for region, pin in zip(p.regions, p.pins, strict=True):
        if pin is not None and pin in names:
            found.append(Binding(f"pin_{region}", f"region {region} named {pin}, which won"))
    return tuple(found)


def diagnose_infeasible(p: Problem) -> str | None:
    """A specific reason the allocation cannot exist, from quick exact checks; else None."""
    regions, winners = len(p.regions), len(p.winners)
    if winners * p.min_regions > regions:
        return (
            f"min_regions: {winners} winners × {p.min_regions} region(s) each "
            f"> {regions} region(s)"
        )
    capacity = sum(b.capacity for b in p.winners)
    if capacity < p.total:
        return f"capacity: winners' total capacity {capacity} < agreed volume {p.total}"
    smallest = sorted(p.volumes)[: p.min_regions]
    for bid in p.winners:
        if sum(smallest) > bid.capacity:
            return (
                f"capacity_{bid.supplier}: capacity {bid.capacity} cannot carry the "
                f"{p.min_regions} smallest region(s) ({sum(smallest)} units)"
            )
        pinned = sum(v for v, pin in zip(p.volumes, p.pins, strict=True) if pin == bid.supplier)
        if pinned > bid.capacity:
            return (
                f"capacity_{bid.supplier}: regions pinned to {bid.supplier} need {pinned} "
                f"units > capacity {bid.capacity}"
            )
    share = p.share_limit()
    if share is not None and share * winners < p.total:
        return f"max_share: {winners} winners × {share} units < agreed volume {p.total}"
    floors = sum(p.floor_volume(i) or 0 for i in range(winners))
    if floors > p.total:
        return f"gradient: share floors need {floors} units > agreed volume {p.total}"
    return None


def infeasible_reason(p: Problem) -> str:
    """The diagnosed reason, or a statement of which rules together admit no allocation."""
    specific = diagnose_infeasible(p)
    if specific is not None:
        return specific
    rules = ["one primary per region", "capacity"]
    if p.min_regions:
        rules.append(f"≥{p.min_regions} region(s) per winner")
    if p.max_share is not None:
        rules.append(f"max share {p.max_share}")
    if any(pin is not None for pin in p.pins):
        rules.append("brand pins")
    if p.floors:
        rules.append("volume gradient")
    return "no assignment of whole regions satisfies " + ", ".join(rules) + " together"
