"""Pair refills: the regions of two winners split again so that the cheaper one is filled most
exactly (a large-neighbourhood move of the packing heuristic, ``optimizer.heuristic``).

With two winners' regions pooled, the cost is the dearer price × the pool's volume less the
price difference × the cheaper winner's volume, so the best split fills the cheaper winner as
closely as its room, the dearer winner's least volume and both their minimum regions allow:
an exact subset-sum fill of the pool (``optimizer.fill``). The moves and swaps of
``optimizer.local_search`` change one or two regions at a time; a refill re-deals a whole pool,
which is what a capacity that must be filled exactly needs. Works on an untiered problem (a tier
choice's problem, ``optimizer.choices.leaf_problem``); the result is checked against every rule
and the start kept when it breaks one. Deterministic.
"""

from __future__ import annotations

from optimizer.allocation import Allocation, Problem, canonical_backups, check_allocation
from optimizer.fill import near_fills

MAX_REGIONS = 200  # beyond this the refills are skipped (as the local search is)
MAX_ROUNDS = 4  # passes over every pair of winners
ALTERNATIVES = 8  # fills of the pool tried per pair, best first


def refill(p: Problem, start: Allocation) -> Allocation:
    """Split the regions of each pair of differently priced winners again while it pays."""
    if len(p.regions) > MAX_REGIONS or len(p.winners) < 2:
        return start
    deal = _Deal(p, start)
    for _ in range(MAX_ROUNDS):
        changed = False
        for a in range(len(p.winners)):
            for b in range(a + 1, len(p.winners)):
                changed |= deal.split(a, b)
        if not changed:
            break
    primary = tuple(p.winners[wi].supplier for wi in deal.owner)
    result = Allocation(primary, canonical_backups(p, primary))
    return start if check_allocation(p, result) else result


class _Deal:
    """Owners per region (winner indices), with what each winner's room and floor allow."""

    def __init__(self, p: Problem, start: Allocation) -> None:
        """Read the start; pinned regions never move."""
        self.p = p
        share = p.share_limit()
        index = {b.supplier: wi for wi, b in enumerate(p.winners)}
        self.owner = [index[s] for s in start.primary]
        self.price = [b.ucp for b in p.winners]
        self.room = [b.capacity if share is None else min(b.capacity, share) for b in p.winners]
        self.floor = [p.floor_volume(wi) or 0 for wi in range(len(p.winners))]
        self.movable = [ri for ri, pin in enumerate(p.pins) if pin not in index]

    def split(self, a: int, b: int) -> bool:
        """Re-deal the movable regions of winners a and b; True when the cost fell."""
        p = self.p
        if self.price[a] == self.price[b]:
            return False
        cheap, dear = (a, b) if self.price[a] < self.price[b] else (b, a)
        pool = [ri for ri in self.movable if self.owner[ri] in (a, b)]
        if not pool:
            return False
        in_pool = set(pool)
        fixed = {w: [ri for ri, s in enumerate(self.owner) if s == w and ri not in in_pool] for w in (a, b)}
        held = {w: sum(p.volumes[ri] for ri in fixed[w]) for w in (a, b)}
        volumes = [p.volumes[ri] for ri in pool]
        total = sum(volumes)
        now = sum(p.volumes[ri] for ri in pool if self.owner[ri] == cheap)
        target = min(self.room[cheap] - held[cheap], total - max(0, self.floor[dear] - held[dear]))
        if target <= now:
            return False
        for chosen in near_fills(volumes, target, ALTERNATIVES):
            got = sum(volumes[j] for j in chosen)
            if got <= now:
                return False
            if total - got + held[dear] > self.room[dear] or got + held[cheap] < self.floor[cheap]:
                continue
            if len(chosen) + len(fixed[cheap]) < p.min_regions or len(pool) - len(chosen) + len(fixed[dear]) < p.min_regions:
                continue
            picked = set(chosen)
            for j, ri in enumerate(pool):
                self.owner[ri] = cheap if j in picked else dear
            return True
        return False
