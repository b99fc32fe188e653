"""A packing heuristic whose allocation warm-starts the MILP.

Cost is Σ price × volume per winner, so the LP bound HiGHS proves at the root fills the
cheapest winners exactly to capacity; what takes the solver time is finding whole regions
that fill them that closely. This builds such an allocation directly: pins first, the
smallest regions reserved for the dearer winners' minimum regions, then winners in price
order take the subset of the remaining regions that fills their room most exactly (meet in
the middle over subset sums), the dearest winner takes the rest. Untiered items only; the
result is checked against every rule and dropped when it breaks one.
"""

from __future__ import annotations

from bisect import bisect_right

from optimizer.allocation import (
    Allocation,
    Problem,
    allocation_cost,
    canonical_backups,
    check_allocation,
)

MAX_EXACT = 32
MAX_LOCAL = 200


def _subset_sums(values: list[int]) -> list[tuple[int, int]]:
    """All (sum, bitmask) pairs of a short list."""
    sums = [(0, 0)]
    for i, v in enumerate(values):
        bit = 1 << i
        sums += [(s + v, m | bit) for s, m in sums]
    return sums


def best_fill(values: list[int], room: int) -> list[int]:
    """Indices of a subset with the largest sum ≤ room (exact for ≤ 32 values, else greedy)."""
    if room <= 0:
        return []
    if len(values) > MAX_EXACT:
        chosen, left = [], room
        for i in sorted(range(len(values)), key=lambda i: -values[i]):
            if values[i] <= left:
                chosen.append(i)
                left -= values[i]
        return chosen
    half = len(values) // 2
    low = _subset_sums(values[:half])
    high = sorted(_subset_sums(values[half:]))
    high_sums = [s for s, _ in high]
    best = (-1, 0, 0)
    for s, m in low:
        if s > room:
            continue
        at = bisect_right(high_sums, room - s) - 1
        if at >= 0 and s + high_sums[at] > best[0]:
            best = (s + high_sums[at], m, high[at][1])
            if best[0] == room:
                break
    _, m_low, m_high = best
    return [i for i in range(half) if m_low >> i & 1] + [
        half + i for i in range(len(values) - half) if m_high >> i & 1
    ]


def _fill(p: Problem, order: list[int], slack: float = 0.0) -> Allocation | None:
    """Pins, reserved minimum regions, then exact fills of the winners in ``order``.

    ``slack`` leaves that fraction of the first winner's room unused, so that the regions
    left over may fill the next winner better.
    """
    share = p.share_limit()
    room = {b.supplier: b.capacity if share is None else min(b.capacity, share) for b in p.winners}
    owner: list[str | None] = [None] * len(p.regions)
    for ri, pin in enumerate(p.pins):
        if pin in room:
            owner[ri] = pin
            room[pin] -= p.volumes[ri]
    free = sorted((ri for ri in range(len(p.regions)) if owner[ri] is None), key=lambda ri: p.volumes[ri])
    for bid in reversed(p.winners[1:]):
        have = sum(1 for s in owner if s == bid.supplier)
        for _ in range(max(0, p.min_regions - have)):
            if not free:
                return None
            ri = free.pop(0)
            owner[ri] = bid.supplier
            room[bid.supplier] -= p.volumes[ri]
    for k, wi in enumerate(order):
        bid = p.winners[wi]
        limit = room[bid.supplier] - (int(room[bid.supplier] * slack) if k == 0 else 0)
        if sum(p.volumes[ri] for ri in free) <= limit:
            chosen = set(range(len(free)))
        else:
            chosen = set(best_fill([p.volumes[ri] for ri in free], limit))
        for k in chosen:
            owner[free[k]] = bid.supplier
        free = [ri for k, ri in enumerate(free) if k not in chosen]
    for ri in free:
        owner[ri] = p.winners[-1].supplier
    primary = tuple(s or "" for s in owner)
    result = Allocation(primary, canonical_backups(p, primary))
    return None if check_allocation(p, result) else result


def packing_start(p: Problem) -> Allocation | None:
    """A good feasible allocation to start the solver from, or None.

    Fills in price order, with each of the first pairs of winners filled the other way
    round, and with a little room left unused in the cheapest winner (its exact fill can
    leave a poor set for the next winner); keeps the cheapest, then improves it by local
    search.
    """
    if not p.winners or any(b.tiers for b in p.winners):
        return None
    base = list(range(len(p.winners) - 1))
    orders = [base]
    for i in range(min(3, len(base) - 1)):
        swapped = base.copy()
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        orders.append(swapped)
    tries = [(order, 0.0) for order in orders] + [(base, f) for f in (2e-4, 5e-4, 1e-3, 3e-3)]
    found = [a for a in (_fill(p, order, f) for order, f in tries) if a is not None]
    if not found:
        return None
    return improve(p, min(found, key=lambda a: allocation_cost(p, a)))


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
