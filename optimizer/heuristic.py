"""A packing heuristic whose allocation warm-starts the MILP.

Cost is Σ price × volume per winner, so the LP bound HiGHS proves at the root fills the
cheapest winners exactly to capacity; what takes the solver time is finding whole regions
that fill them that closely. This builds such an allocation directly: pins first, the
smallest regions reserved for the dearer winners' minimum regions, then winners in price
order take the subset of the remaining regions that fills their room most exactly (meet in
the middle over subset sums), the dearest winner takes the rest. Prices are the bids'
own: a tiered item runs this once per tier choice the search takes (``optimizer.search``),
on that choice's untiered problem. Every result is checked against every rule and dropped when it breaks
one. Deterministic: no randomness, no clock.

This module holds the entry point; the subset-sum fills are in ``optimizer.fill``, one
packing pass in ``optimizer.packing`` and the local search in ``optimizer.local_search``.
"""

from __future__ import annotations

from decimal import Decimal

from optimizer.allocation import Allocation, Problem, allocation_cost
from optimizer.local_search import improve
from optimizer.packing import fills, target_cost

QUICK_TRIES = 3
FIRST_FILLS = 16


def packing_start(p: Problem, quick: bool = False, enough: Decimal | None = None) -> Allocation | None:
    """A good feasible allocation to start the solver from, or None.

    Fills in price order (the cheapest winner trying its ``FIRST_FILLS`` best fills), with
    each of the first pairs of winners filled the other way round, and with a little room
    left unused in the cheapest winner; keeps the cheapest, then improves it by local search.
    Stops as soon as an allocation is within ``TARGET_GAP`` of the fractional fill;
    ``quick`` runs only the first ``QUICK_TRIES`` of these fills. ``enough`` is a cost the
    caller already knows to be good enough (a proven bound of the problem with the gap added):
    an allocation at or below it stops the search as well.
    """
    if not p.winners:
        return None
    base = list(range(len(p.winners) - 1))
    orders = [base]
    for i in range(min(3, len(base) - 1)):
        swapped = base.copy()
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        orders.append(swapped)
    tries = [(base, 0.0, True, True), (base, 0.0, False, True), (base, 0.0, True, False)]
    tries += [(order, 0.0, False, False) for order in orders]
    tries += [(base, f, False, False) for f in (2e-4, 5e-4, 1e-3, 3e-3)]
    target = target_cost(p) if enough is None else max(target_cost(p), enough)
    best: Allocation | None = None
    for k, (order, f, pair, lean) in enumerate(tries[:QUICK_TRIES] if quick else tries):
        count = FIRST_FILLS if k < 2 and not quick else 1
        for alloc in fills(p, order, f, count, pair, lean, target):
            if best is None or allocation_cost(p, alloc) < allocation_cost(p, best):
                best = alloc
        if best is not None and allocation_cost(p, best) <= target:
            break
    if best is None:
        return None
    return improve(p, best)
