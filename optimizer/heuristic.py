"""A packing heuristic whose allocation warm-starts the MILP.

Cost is Σ price × volume per winner, so the LP bound HiGHS proves at the root fills the
cheapest winners exactly to capacity; what takes the solver time is finding whole regions
that fill them that closely. This builds such an allocation directly: pins first, the
smallest regions reserved for the dearer winners' minimum regions, then winners in price
order take the subset of the remaining regions that fills their room most exactly (meet in
the middle over subset sums), the dearest winner takes the rest. Tiered items run this
under a few fixed price choices and improve the best on the real all-units cost
(``tiered_start``). Every result is checked against every rule and dropped when it breaks
one. Deterministic: no randomness, no clock.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from heapq import nlargest

from optimizer.allocation import (
    Allocation,
    Problem,
    allocation_cost,
    canonical_backups,
    check_allocation,
    effective_tiers,
    paid_ucp,
)

MAX_EXACT = 32
MAX_LOCAL = 200
LOW32 = (1 << 32) - 1
TIER_ROUNDS = 2
CLOSE_ENOUGH = 10**7
QUICK_TRIES = 3
TIER_PASSES = 3
FIRST_FILLS = 16
TARGET_GAP = Decimal("0.00005")


def _subset_sums(values: list[int]) -> list[int]:
    """All subset sums of a short list, each packed with its bitmask: sum << 32 | mask."""
    sums = [0]
    for i, v in enumerate(values):
        step = (v << 32) | (1 << i)
        sums += [s + step for s in sums]
    return sums


def _mitm(values: tuple[int, ...], room: int, stop_exact: bool = True) -> list[tuple[int, int, int]]:
    """Per subset of the first half: (best total ≤ room, its mask, the partner mask).

    With ``stop_exact``, stops at the first fill within 1/``CLOSE_ENOUGH`` of the room (far
    inside any solver gap; scanning on for the last unit costs most of the time). Sums and masks are packed into single
    integers so that sorting and bisecting work on plain ints (several times faster than on
    tuples).
    """
    half = len(values) // 2
    high = sorted(_subset_sums(values[half:]))
    good = room - room // CLOSE_ENOUGH
    out = []
    for packed in _subset_sums(values[:half]):
        s = packed >> 32
        if s > room:
            continue
        at = bisect_right(high, ((room - s) << 32) | LOW32) - 1
        if at >= 0:
            total = s + (high[at] >> 32)
            out.append((total, packed & LOW32, high[at] & LOW32))
            if stop_exact and total >= good:
                break
    return out


def _indices(n: int, m_low: int, m_high: int) -> list[int]:
    """Chosen indices from the two half masks of a list of length ``n``."""
    half = n // 2
    return [i for i in range(half) if m_low >> i & 1] + [
        half + i for i in range(n - half) if m_high >> i & 1
    ]


def near_fills(values: list[int], room: int, count: int) -> list[list[int]]:
    """Up to ``count`` subsets with the largest sums ≤ room, best first (≤ 32 values)."""
    if room <= 0:
        return [[]]
    if len(values) > MAX_EXACT:
        return [best_fill(values, room)]
    return [list(f) for f in _near_fills(tuple(values), room, count)]


@lru_cache(maxsize=512)
def _near_fills(values: tuple[int, ...], room: int, count: int) -> tuple[tuple[int, ...], ...]:
    """``near_fills`` of at most 32 values, cached (the tiered start repeats the same fills
    under different prices; only the small index lists are kept)."""
    found = nlargest(count, _mitm(values, room, stop_exact=count == 1))
    return tuple(tuple(_indices(len(values), m_low, m_high)) for _, m_low, m_high in found) or ((),)


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
    return list(_near_fills(tuple(values), room, 1)[0])


def _reserve(p: Problem, lean: bool = False) -> tuple[list[str | None], dict[str, int], list[int]] | None:
    """Pins, then the smallest free regions reserved for the dearer winners' minimum regions.

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
    skip = 1
    if lean:
        covered = 0
        for rank, bid in enumerate(p.winners, start=1):
            covered += room[bid.supplier]
            skip = rank
            if covered >= p.total:
                break
    for bid in reversed(p.winners[skip:]):
        have = sum(1 for s in owner if s == bid.supplier)
        for _ in range(max(0, p.min_regions - have)):
            if not free:
                return None
            ri = free.pop(0)
            owner[ri] = bid.supplier
            room[bid.supplier] -= p.volumes[ri]
    return owner, room, free


def _finish(p: Problem, owner: list[str | None]) -> Allocation | None:
    """The allocation of complete owners, or None when it breaks a rule."""
    primary = tuple(s or "" for s in owner)
    result = Allocation(primary, canonical_backups(p, primary))
    return None if check_allocation(p, result) else result


def _fills(
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
    found = []
    starts = [list(range(len(free0)))]
    if lead:
        limit = sum(room[s] for s in lead) - int(room[lead[0]] * slack)
        if sum(p.volumes[ri] for ri in free0) > limit:
            starts = near_fills([p.volumes[ri] for ri in free0], limit, count)
    for chosen0 in starts:
        owner = owner0.copy()
        free = free0
        if pair:  # split the joint fill: the first winner's best fill, the rest if it fits
            part = [free[j] for j in chosen0]
            sub = best_fill([p.volumes[ri] for ri in part], room[lead[0]])
            rest = [ri for j, ri in enumerate(part) if j not in set(sub)]
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
            if k == 0:
                chosen = set(chosen0)
            elif sum(p.volumes[ri] for ri in free) <= room[bid.supplier]:
                chosen = set(range(len(free)))
            else:
                chosen = set(best_fill([p.volumes[ri] for ri in free], room[bid.supplier]))
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


def _target(p: Problem) -> Decimal:
    """A cost close enough to the fractional fill that searching on does not pay.

    The fractional fill (the reserved regions, then every winner in price order filled to
    its room with fractions of regions) approximates the bound the solver proves at its
    root; within ``TARGET_GAP`` of it the solver proves optimality at once.
    """
    reserved = _reserve(p, True)
    if reserved is None:
        return Decimal(0)
    owner, room, free = reserved
    cost = sum((b.ucp * v for b in p.winners for v, s in zip(p.volumes, owner, strict=True) if s == b.supplier), Decimal(0))
    left = sum(p.volumes[ri] for ri in free)
    for bid in sorted(p.winners, key=lambda b: b.ucp):
        take = max(0, min(left, room[bid.supplier]))
        cost += bid.ucp * take
        left -= take
    return cost * (1 + TARGET_GAP)


def packing_start(p: Problem, quick: bool = False) -> Allocation | None:
    """A good feasible allocation to start the solver from, or None.

    Fills in price order (the cheapest winner trying its ``FIRST_FILLS`` best fills), with
    each of the first pairs of winners filled the other way round, and with a little room
    left unused in the cheapest winner; keeps the cheapest, then improves it by local search.
    Stops as soon as an allocation is within ``TARGET_GAP`` of the fractional fill;
    ``quick`` runs only the first ``QUICK_TRIES`` of these fills (for the tiered start,
    which runs this several times).
    """
    if not p.winners:
        return None
    if any(b.tiers for b in p.winners):
        return tiered_start(p)
    base = list(range(len(p.winners) - 1))
    orders = [base]
    for i in range(min(3, len(base) - 1)):
        swapped = base.copy()
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        orders.append(swapped)
    tries = [(base, 0.0, True, True), (base, 0.0, False, True), (base, 0.0, True, False)]
    tries += [(order, 0.0, False, False) for order in orders]
    tries += [(base, f, False, False) for f in (2e-4, 5e-4, 1e-3, 3e-3)]
    target = _target(p)
    best: Allocation | None = None
    for k, (order, f, pair, lean) in enumerate(tries[:QUICK_TRIES] if quick else tries):
        count = FIRST_FILLS if k < 2 and not quick else 1
        for alloc in _fills(p, order, f, count, pair, lean, target):
            if best is None or allocation_cost(p, alloc) < allocation_cost(p, best):
                best = alloc
        if best is not None and allocation_cost(p, best) <= target:
            break
    return None if best is None else improve(p, best)


def _volume(p: Problem, alloc: Allocation, supplier: str) -> int:
    """The volume an allocation gives one winner."""
    return sum(v for v, s in zip(p.volumes, alloc.primary, strict=True) if s == supplier)


def tiered_start(p: Problem) -> Allocation | None:
    """A start for tiered winners: untiered starts under a few fixed price choices.

    Each winner is priced at its base price, or at the cheapest tier its room can reach
    (for every winner, or for the two cheapest only); winners are re-ordered by that price
    (unless a volume gradient ties floors to ranks). Every allocation found is costed with
    the real all-units prices and the cheapest kept.
    """
    share = p.share_limit()
    reach = []
    for bid in p.winners:
        room = min(bid.capacity, p.total if share is None else share)
        reach.append(min([bid.ucp] + [ucp for low, ucp in effective_tiers(bid) if low <= room]))
    choices = [
        [b.ucp for b in p.winners],
        reach,
        [reach[i] if i < 2 else b.ucp for i, b in enumerate(p.winners)],
    ]
    best: Allocation | None = None
    for round_ in range(len(choices) + TIER_ROUNDS):
        if round_ < len(choices):
            prices = choices[round_]
        elif best is None:
            break
        else:  # price every winner as the best allocation so far pays it
            prices = [paid_ucp(b, _volume(p, best, b.supplier))[0] for b in p.winners]
        winners = [replace(b, ucp=price, tiers=()) for b, price in zip(p.winners, prices, strict=True)]
        if not p.floors:
            winners.sort(key=lambda b: b.ucp)
        found = packing_start(replace(p, winners=tuple(winners)), quick=True)
        if found is None:
            continue
        alloc = Allocation(found.primary, canonical_backups(p, found.primary))
        if not check_allocation(p, alloc):
            if best is None or allocation_cost(p, alloc) < allocation_cost(p, best):
                best = alloc
    if best is None:
        return None
    moved = [tier_moves(p, best, reach) for reach in (False, True)]
    return min(moved, key=lambda a: allocation_cost(p, a))


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
        va, vb = _volume(p, Allocation(tuple(owner), ()), a), _volume(p, Allocation(tuple(owner), ()), b)
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
            vb = _volume(p, Allocation(tuple(owner), ()), b)
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
