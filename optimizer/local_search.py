"""Local search that improves a feasible allocation of an untiered problem.

``improve`` works on the linear cost (moves to a cheaper winner, swaps); the result is checked
against every rule and the start kept when it breaks one.
"""

from __future__ import annotations

from optimizer.allocation import Allocation, Problem, canonical_backups, check_allocation

MAX_LOCAL = 200


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
