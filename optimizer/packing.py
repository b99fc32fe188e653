"""One packing pass: pins, reserved minimum regions, then exact fills in a given order.

Used by ``optimizer.heuristic.packing_start``; ``target_cost`` tells it when an allocation
is close enough to the fractional fill to stop searching.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from optimizer.allocation import (
    Allocation,
    Problem,
    allocation_cost,
    canonical_backups,
    check_allocation,
)
from optimizer.fill import best_fill, least_reaching, near_fills

TARGET_GAP = Decimal("0.00005")


def _reserve(p: Problem, lean: bool = False) -> tuple[list[str | None], dict[str, int], list[int]] | None:
    """``_reserved`` as fresh lists the caller may change (the reservation is made once per
    problem and kind: every fill of a packing start begins from it)."""
    done = _reserved(p, lean, True)
    return None if done is None else (list(done[0]), dict(done[1]), list(done[2]))


@lru_cache(maxsize=8)
def _reserved(p: Problem, lean: bool, floors: bool) -> tuple[tuple, tuple, tuple] | None:
    """Pins, minimum regions and (with ``floors``) least volumes reserved, as tuples."""
    done = _reserve_once(p, lean, floors)
    return None if done is None else (tuple(done[0]), tuple(done[1].items()), tuple(done[2]))


def _reserve_once(p: Problem, lean: bool, floors: bool) -> tuple[list[str | None], dict[str, int], list[int]] | None:
    """Pins, then the smallest free regions reserved for the dearer winners' minimum regions
    and, with ``floors``, for the winners the fills do not reach their least volumes.

    ``lean`` reserves only for the winners dearer than the first one whose room, with the
    cheaper winners' rooms, covers the whole volume (the cheaper ones are filled and that
    one takes what is left), so more small regions remain to fill the cheap winners exactly.
    Returns the owners so far, the room left per winner and the free regions (smallest
    first), or None when the minimum regions cannot be reserved.
    """
    share = p.share_limit()
    room = {b.supplier: b.capacity if share is None else min(b.capacity, share) for b in p.winners}
    owner: list[str | None] = [None] * len(p.regions)
    for ri, pin in enumerate(p.pins):
        if pin in room:
            owner[ri] = pin
            room[pin] -= p.volumes[ri]
    free = sorted((ri for ri in range(len(p.regions)) if owner[ri] is None), key=lambda ri: p.volumes[ri])
    covered, cover = 0, len(p.winners)
    for rank, bid in enumerate(p.winners, start=1):
        covered += room[bid.supplier]
        if covered >= p.total:
            cover = rank
            break
    skip = cover if lean else 1
    for wi in reversed(range(skip, len(p.winners))):
        bid = p.winners[wi]
        if floors and wi >= cover:
            free = _reserve_floor(p, wi, owner, room, free)
        have = sum(1 for s in owner if s == bid.supplier)
        for _ in range(max(0, p.min_regions - have)):
            if not free:
                return None
            ri = free.pop(0)
            owner[ri] = bid.supplier
            room[bid.supplier] -= p.volumes[ri]
    return owner, room, free


def _reserve_floor(p: Problem, wi: int, owner: list[str | None], room: dict[str, int], free: list[int]) -> list[int]:
    """For a winner the fills do not reach (dearer than the winners whose rooms cover the
    volume), the smallest set of free regions that lifts it to its least volume (a tier band's
    low end) within its room; returns the regions still free (smallest first). A least volume
    that cannot be reached so is left to the fills."""
    bid = p.winners[wi]
    held = sum(v for v, s in zip(p.volumes, owner, strict=True) if s == bid.supplier)
    need = (p.floor_volume(wi) or 0) - held
    chosen = least_reaching([p.volumes[ri] for ri in free], need)
    if not chosen or sum(p.volumes[free[j]] for j in chosen) > room[bid.supplier]:
        return free
    for j in chosen:
        owner[free[j]] = bid.supplier
        room[bid.supplier] -= p.volumes[free[j]]
    taken = set(chosen)
    return [ri for j, ri in enumerate(free) if j not in taken]


def _needs(p: Problem, owner: list[str | None]) -> dict[str, int]:
    """Per winner, the volume it still lacks to reach its least volume (a gradient floor or
    a tier band's low end) beyond the regions it already holds: kept free for it while the
    cheaper winners are filled."""
    held = {b.supplier: 0 for b in p.winners}
    for v, s in zip(p.volumes, owner, strict=True):
        if s in held:
            held[s] += v
    return {b.supplier: max(0, (p.floor_volume(wi) or 0) - held[b.supplier]) for wi, b in enumerate(p.winners)}


def _finish(p: Problem, owner: list[str | None]) -> Allocation | None:
    """The allocation of complete owners, or None when it breaks a rule."""
    primary = tuple(s or "" for s in owner)
    result = Allocation(primary, canonical_backups(p, primary))
    return None if check_allocation(p, result) else result


def fills(
    p: Problem, order: list[int], slack: float = 0.0, count: int = 1, pair: bool = False,
    lean: bool = False, target: Decimal | None = None,
) -> list[Allocation]:
    """Pins, reserved minimum regions, then exact fills of the winners in ``order``.

    The first winner in ``order`` tries its ``count`` best fills (each leaves a different
    set of regions for the next winners); the others take their best fill in turn. With
    ``pair`` the first two winners together try their ``count`` best joint fills, each
    split by the best fill of the first. ``slack`` leaves that fraction of the first
    winner's room unused, so that the regions left over may fill the next winner better.
    """
    reserved = _reserve(p, lean)
    if reserved is None:
        return []
    owner0, room, free0 = reserved
    pair = pair and len(order) >= 2
    lead = [p.winners[wi].supplier for wi in order[: 2 if pair else 1]]
    need = _needs(p, owner0)
    found = []
    starts = [list(range(len(free0)))]
    if lead:
        left0 = sum(p.volumes[ri] for ri in free0)
        limit = sum(room[s] for s in lead) - int(room[lead[0]] * slack)
        limit = min(limit, left0 - sum(v for s, v in need.items() if s not in lead))
        if left0 > limit:
            starts = near_fills([p.volumes[ri] for ri in free0], limit, count)
    for chosen0 in starts:
        owner = owner0.copy()
        free = free0
        if pair:  # split the joint fill: the first winner's best fill, the rest if it fits
            part = [free[j] for j in chosen0]
            sub = best_fill([p.volumes[ri] for ri in part],
                            min(room[lead[0]], sum(p.volumes[ri] for ri in part) - need[lead[1]]))
            taken = set(sub)
            rest = [ri for j, ri in enumerate(part) if j not in taken]
            if sum(p.volumes[ri] for ri in rest) > room[lead[1]]:
                continue
            for j in sub:
                owner[part[j]] = lead[0]
            for ri in rest:
                owner[ri] = lead[1]
            free = [ri for ri in free if owner[ri] is None]
        for k, wi in enumerate(order):
            bid = p.winners[wi]
            if pair and k < 2:
                continue
            later = sum(need[p.winners[wj].supplier] for wj in order[k + 1 :]) + need[p.winners[-1].supplier]
            left = sum(p.volumes[ri] for ri in free)
            fill_to = min(room[bid.supplier], left - later)
            if k == 0:
                chosen = set(chosen0)
            elif left <= fill_to:
                chosen = set(range(len(free)))
            else:
                chosen = set(best_fill([p.volumes[ri] for ri in free], fill_to))
            for j in chosen:
                owner[free[j]] = bid.supplier
            free = [ri for j, ri in enumerate(free) if j not in chosen]
        for ri in free:
            owner[ri] = p.winners[-1].supplier
        result = _finish(p, owner)
        if result is not None:
            found.append(result)
            if target is not None and allocation_cost(p, result) <= target:
                break
    return found


def target_cost(p: Problem) -> Decimal:
    """A cost close enough to the fractional fill that searching on does not pay.

    The fractional fill (the reserved regions, then every winner in price order filled to
    its room with fractions of regions) approximates the bound the solver proves at its
    root; within ``TARGET_GAP`` of it the solver proves optimality at once.
    """
    reserved = _reserved(p, True, True)
    if reserved is None:
        return Decimal(0)
    owner, room, free = list(reserved[0]), dict(reserved[1]), list(reserved[2])
    cost = sum((b.ucp * v for b in p.winners for v, s in zip(p.volumes, owner, strict=True) if s == b.supplier), Decimal(0))
    left = sum(p.volumes[ri] for ri in free)
    for bid in sorted(p.winners, key=lambda b: b.ucp):
        take = max(0, min(left, room[bid.supplier]))
        cost += bid.ucp * take
        left -= take
    return cost * (1 + TARGET_GAP)
