"""The national procedure, run as the baseline the optimal allocation is compared with.

Winners pick regions in price order (rank order of the rules engine), one region per winner
per round, round after round, until every region is taken. A winner picks the largest
remaining region its remaining capacity (and the maximum share, when set) can still carry —
ties to the smaller region code — and passes when none fits. Regions pinned to a winning
brand go to that winner before the first round. If a whole round passes with regions left,
the procedure has failed and there is no baseline.
"""

from __future__ import annotations

from optimizer.allocation import Allocation, Problem, canonical_backups


def national_baseline(p: Problem) -> Allocation | None:
    """Allocate by the national picking procedure; None when it cannot place every region."""
    limit = p.share_limit()
    room = {
        b.supplier: b.capacity if limit is None else min(b.capacity, limit) for b in p.winners
    }
    primary: list[str | None] = [None] * len(p.regions)
    names = set(room)
    for ri, pin in enumerate(p.pins):
        if pin is not None and pin in names:
            primary[ri] = pin
            room[pin] -= p.volumes[ri]
    order = sorted(range(len(p.regions)), key=lambda ri: (-p.volumes[ri], p.regions[ri]))
    # Each winner scans the regions largest first from where it stopped last time: a region
    # it passed over is taken or too large, and stays so (room only shrinks).
    at = {s: 0 for s in room}
    left = sum(1 for s in primary if s is None)
    while left:
        progress = False
        for bid in p.winners:
            s, k = bid.supplier, at[bid.supplier]
            while k < len(order) and (primary[order[k]] is not None or p.volumes[order[k]] > room[s]):
                k += 1
            at[s] = k
            if k == len(order):
                continue
            pick = order[k]
            primary[pick] = s
            room[s] -= p.volumes[pick]
            left -= 1
            progress = True
            if not left:
                break
        if not progress:
            return None
    done = [s or "" for s in primary]
    return Allocation(tuple(done), canonical_backups(p, tuple(done)))
