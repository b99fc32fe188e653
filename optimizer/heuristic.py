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

This module holds the two entry points; the subset-sum fills are in ``optimizer.fill``, one
packing pass in ``optimizer.packing`` and the local searches in ``optimizer.local_search``.
"""

from __future__ import annotations

from dataclasses import replace

from optimizer.allocation import (
    Allocation,
    Problem,
    allocation_cost,
    canonical_backups,
    check_allocation,
    effective_tiers,
    paid_ucp,
)
from optimizer.local_search import improve, tier_moves, winner_volume
from optimizer.packing import fills, target_cost

TIER_ROUNDS = 2
QUICK_TRIES = 3
FIRST_FILLS = 16


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
    target = target_cost(p)
    best: Allocation | None = None
    for k, (order, f, pair, lean) in enumerate(tries[:QUICK_TRIES] if quick else tries):
        count = FIRST_FILLS if k < 2 and not quick else 1
        for alloc in fills(p, order, f, count, pair, lean, target):
            if best is None or allocation_cost(p, alloc) < allocation_cost(p, best):
                best = alloc
        if best is not None and allocation_cost(p, best) <= target:
            break
    return None if best is None else improve(p, best)


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
            prices = [paid_ucp(b, winner_volume(p, best, b.supplier))[0] for b in p.winners]
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
