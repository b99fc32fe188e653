"""Local searches that improve a feasible allocation.

``improve`` works on the linear cost of untiered winners (moves to a cheaper winner, swaps);
``tier_moves`` on the real all-units cost of tiered winners (block, reach and single moves).
Each result is checked against every rule and the start kept when it breaks one.
"""

from __future__ import annotations

from decimal import Decimal

from optimizer.allocation import (
    Allocation,
    Problem,
    allocation_cost,
    canonical_backups,
    check_allocation,
    effective_tiers,
    paid_ucp,
)
from optimizer.fill import best_fill

MAX_LOCAL = 200
TIER_PASSES = 3


def winner_volume(p: Problem, alloc: Allocation, supplier: str) -> int:
    """The volume an allocation gives one winner."""
    return sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == supplier)


def tier_moves(p: Problem, start: Allocation, reach: bool = True) -> Allocation:
    """Local search on the real all-units cost: block moves, then single-region moves.

    A block move hands all but the smallest ``min_regions`` regions of one winner to another
    (a tier is often reached only by a whole block of volume, through worse intermediate
    steps); a reach move hands another winner just enough regions to reach one of its tiers;
    a single move hands one region over. Each is kept only when it lowers the cost
    and breaks no rule (reach moves only with ``reach``). At most ``TIER_PASSES`` passes.
    """
    share = p.share_limit()
    room = {b.supplier: b.capacity if share is None else min(b.capacity, share) for b in p.winners}
    floor = {b.supplier: p.floor_volume(i) or 0 for i, b in enumerate(p.winners)}
    bids = {b.supplier: b for b in p.winners}
    owner = list(start.primary)
    movable = [ri for ri, pin in enumerate(p.pins) if pin not in bids]

    def cost(supplier: str, volume: int) -> Decimal:
        return paid_ucp(bids[supplier], volume)[0] * volume

    def try_move(regions: list[int], a: str, b: str) -> bool:
        moved = sum(p.volumes[ri] for ri in regions)
        va, vb = winner_volume(p, Allocation(tuple(owner), ()), a), winner_volume(p, Allocation(tuple(owner), ()), b)
        if not regions or vb + moved > room[b] or va - moved < floor[a]:
            return False
        if sum(1 for s in owner if s == a) - len(regions) < p.min_regions:
            return False
        if cost(a, va - moved) + cost(b, vb + moved) >= cost(a, va) + cost(b, vb):
            return False
        for ri in regions:
            owner[ri] = b
        return True

    def reach_moves(a: str, mine: list[int]) -> bool:
        """Hand another winner just enough of a's regions to reach one of its tiers."""
        va = sum(p.volumes[ri] for ri in mine)
        for b in bids:
            vb = winner_volume(p, Allocation(tuple(owner), ()), b)
            for low, _ucp in effective_tiers(bids[b]):
                need = low - vb
                if b == a or need <= 0 or need > va or low > room[b]:
                    continue
                keep = set(best_fill([p.volumes[ri] for ri in mine], va - need))
                if try_move([ri for k, ri in enumerate(mine) if k not in keep], a, b):
                    return True
        return False

    for _ in range(TIER_PASSES):
        changed = False
        for a in bids:
            mine = sorted((ri for ri in movable if owner[ri] == a), key=lambda ri: (p.volumes[ri], ri))
            block = mine[p.min_regions :]
            for b in bids:
                if b != a and try_move(block, a, b):
                    changed = True
                    break
            else:
                changed = (reach and reach_moves(a, mine)) or changed
        for ri in movable:
            for b in bids:
                if b != owner[ri] and try_move([ri], owner[ri], b):
                    changed = True
        if not changed:
            break
    primary = tuple(owner)
    result = Allocation(primary, canonical_backups(p, primary))
    if check_allocation(p, result) or allocation_cost(p, result) >= allocation_cost(p, start):
        return start
    return result


def improve(p: Problem, start: Allocation) -> Allocation:
    """Local search: move a region to a cheaper winner, or swap two regions, while it pays.

    Quadratic in the number of regions per pass, so skipped beyond ``MAX_LOCAL`` regions.
    """
    if len(p.regions) > MAX_LOCAL:
        return start
    share = p.share_limit()
    price = {b.supplier: b.ucp for b in p.winners}
    room = {b.supplier: b.capacity if share is None else min(b.capacity, share) for b in p.winners}
    floor = {b.supplier: p.floor_volume(i) or 0 for i, b in enumerate(p.winners)}
    owner = list(start.primary)
    load = {s: 0 for s in price}
    count = {s: 0 for s in price}
    for ri, s in enumerate(owner):
        load[s] += p.volumes[ri]
        count[s] += 1
    movable = [ri for ri, pin in enumerate(p.pins) if pin not in price]
    improved = True
    while improved:
        improved = False
        for ri in movable:
            a, v = owner[ri], p.volumes[ri]
            if count[a] <= p.min_regions or load[a] - v < floor[a]:
                continue
            for b in price:
                if price[b] < price[a] and load[b] + v <= room[b]:
                    owner[ri] = b
                    load[a], load[b] = load[a] - v, load[b] + v
                    count[a], count[b] = count[a] - 1, count[b] + 1
                    improved = True
                    break
        for i, r1 in enumerate(movable):
            for r2 in movable[i + 1 :]:
                a, b = owner[r1], owner[r2]
                d = p.volumes[r1] - p.volumes[r2]
                if a == b or d * (price[b] - price[a]) >= 0:
                    continue
                if load[b] + d > room[b] or load[a] - d > room[a]:
                    continue
                if load[a] - d < floor[a] or load[b] + d < floor[b]:
                    continue
                owner[r1], owner[r2] = b, a
                load[a], load[b] = load[a] - d, load[b] + d
                improved = True
    primary = tuple(owner)
    result = Allocation(primary, canonical_backups(p, primary))
    return start if check_allocation(p, result) else result
