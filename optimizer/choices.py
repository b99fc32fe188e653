"""Tier choices: each winner's volume bands, the bounds of (partial) choices, and the queue that
hands them out best bound first (used by ``optimizer.search``).

A choice's bound is the continuous fill — volumes need not be whole regions — with the picked
bands and, for winners not yet fixed, the convex envelope of their tier costs, so it never
exceeds the cost of an allocation below it (``tests/optimizer/test_tiers.py`` checks this
against every allocation of small instances). A complete choice is bounded again by the search
(``optimizer.bounds``, ``optimizer.search``): its stage says how far.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from optimizer.allocation import Problem, tier_options

Band = tuple[float, float, float]  # (low volume, unit price, high volume)


FILL, PREFIX, LP, EXACT = range(4)  # how far a choice's bound is refined (``Choice.stage``)


@dataclass(frozen=True)
class Choice:
    """One band per winner (index into its bands), its bound, and how far that bound is
    refined: the continuous fill (``FILL``), the prefix bound of a complete choice
    (``PREFIX``, ``optimizer.bounds``), its LP relaxation (``LP``), the prefix bound in whole
    regions (``EXACT``)."""

    bound: float
    picks: tuple[int, ...]
    stage: int = FILL


def winner_bands(p: Problem) -> list[list[Band]]:
    """Per winner, its tier bands cut to the volumes it can carry at all.

    Least volume: its gradient floor, the regions pinned to it and, with ``min_regions``,
    the smallest regions it could hold; most: capacity, maximum share and what the regions
    pinned to others leave. A band outside that range is dropped.
    """
    total = p.total
    share = p.share_limit()
    pinned = {b.supplier: 0 for b in p.winners}
    for v, pin in zip(p.volumes, p.pins, strict=True):
        if pin in pinned:
            pinned[pin] += v
    out = []
    for wi, bid in enumerate(p.winners):
        own = sorted(v for v, pin in zip(p.volumes, p.pins, strict=True) if pin not in pinned or pin == bid.supplier)
        least = max(p.floor_volume(wi) or 0, pinned[bid.supplier], sum(own[: p.min_regions]))
        most = min(bid.capacity, total if share is None else share, total - sum(pinned.values()) + pinned[bid.supplier])
        bands = []
        for low, ucp, high in tier_options(p, bid):
            lo, hi = max(float(low), float(least)), min(float(high), float(most))
            if lo <= hi:
                bands.append((lo, float(ucp), hi))
        out.append(bands)
    return out


def _envelope(bands: list[Band]) -> tuple[float, float, list[tuple[float, float]]]:
    """The convex envelope of a winner's tier costs: least volume, its cost, and segments
    (length, unit cost) of rising unit cost."""
    points = sorted({(v, price * v) for lo, price, hi in bands for v in (lo, hi)})
    hull: list[tuple[float, float]] = []
    for pt in points:
        while len(hull) >= 2 and _cross(hull[-2], hull[-1], pt) <= 0:
            hull.pop()
        if hull and hull[-1][0] == pt[0]:
            continue  # same volume, dearer (points are sorted by cost within a volume)
        hull.append(pt)
    segments = [(b[0] - a[0], (b[1] - a[1]) / (b[0] - a[0])) for a, b in zip(hull, hull[1:], strict=False) if b[0] > a[0]]
    return hull[0][0], hull[0][1], segments


def _cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Cross product of OA × OB (> 0 for a counter-clockwise turn)."""
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


class ChoiceQueue:
    """Tier choices, best bound first: winners are fixed one at a time, cheapest first; a
    complete choice reaching the front under its fill bound is queued again under
    ``leaf_bound`` (the prefix bound, ``optimizer.bounds``) when that is higher."""

    def __init__(self, p: Problem, bands: list[list[Band]],
                 leaf_bound: Callable[[tuple[int, ...]], float] | None = None) -> None:
        """Start from the choice that fixes no winner."""
        self.total, self.bands, self.leaf_bound = float(p.total), bands, leaf_bound
        self.envelopes = [_envelope(b) if b else None for b in bands]
        # per depth: least volume, its cost and the envelope pieces (unit cost, length) of the
        # winners not yet fixed, pieces by unit cost (base None: one of them has no band)
        self.suffix: list[tuple[float | None, float, list[tuple[float, float]]]] = [(0.0, 0.0, [])]
        for env in reversed(self.envelopes):
            base, cost, pieces = self.suffix[0]
            if env is None or base is None:
                self.suffix.insert(0, (None, 0.0, []))
                continue
            least, at, segments = env
            self.suffix.insert(0, (base + least, cost + at, sorted(pieces + [(u, n) for n, u in segments])))
        self.heap: list[tuple[float, int, tuple[int, ...], int]] = []
        self.pushed = 0
        self.dropped = math.inf  # smallest bound of the choices ruled out by a cutoff
        root = self.bound(())
        if math.isfinite(root):
            self._push(root, ())

    def _push(self, bound: float, picks: tuple[int, ...], stage: int = FILL) -> None:
        """Queue a (partial) choice."""
        heapq.heappush(self.heap, (bound, self.pushed, picks, stage))
        self.pushed += 1

    def refine(self, choice: Choice, bound: float, stage: int) -> None:
        """Queue a complete choice again under a better bound (never below the one it has);
        an infeasible one (inf) drops it, an unknown one (CBC, time limit: -inf) keeps the
        bound it had."""
        if bound < math.inf:
            self._push(max(bound, choice.bound), choice.picks, stage)

    def bound(self, picks: tuple[int, ...]) -> float:
        """Continuous fill with the picked bands and the envelopes of the rest (inf: none fits)."""
        depth = len(picks)
        base, cost, rest = self.suffix[depth]
        if base is None:
            return math.inf
        pieces = []
        for wi, k in enumerate(picks):
            lo, price, hi = self.bands[wi][k]
            base, cost = base + lo, cost + price * lo
            pieces.append((price, hi - lo))
        need = self.total - base
        if need < -1e-9 * max(1.0, self.total):
            return math.inf
        pieces.sort()
        for price, length in heapq.merge(pieces, rest):
            if need <= 0:
                break
            take = min(need, length)
            cost, need = cost + price * take, need - take
        return cost if need <= 1e-9 * max(1.0, self.total) else math.inf

    def next_bound(self) -> float:
        """The smallest bound still queued (inf when empty)."""
        return self.heap[0][0] if self.heap else math.inf

    def pop(self, cutoff: float) -> Choice | None:
        """The next complete choice with a bound below ``cutoff``, or None."""
        while self.heap and self.heap[0][0] < cutoff:
            bound, _seq, picks, stage = heapq.heappop(self.heap)
            if len(picks) == len(self.bands):
                if stage == FILL and self.leaf_bound is not None:  # its prefix bound, when first at the front
                    leaf = max(self.leaf_bound(picks), bound)
                    if leaf > bound:
                        if leaf < cutoff:
                            self._push(leaf, picks, PREFIX)
                        else:
                            self.dropped = min(self.dropped, leaf)
                        continue
                    stage = PREFIX
                return Choice(bound, picks, stage)
            for k in range(len(self.bands[len(picks)])):
                child = max(self.bound(picks + (k,)), bound)
                if child < cutoff:
                    self._push(child, picks + (k,), stage)
                else:
                    self.dropped = min(self.dropped, child)
        return None


def leaf_problem(p: Problem, bands: list[list[Band]], picks: tuple[int, ...]) -> Problem:
    """The untiered problem of one tier choice: each winner at its band's price, its room cut
    to the band, the band's low end (and any gradient floor) as its least volume; winners in
    price order for the packing heuristic."""
    chosen = [bands[wi][k] for wi, k in enumerate(picks)]
    minimum = [max(math.ceil(lo), p.floor_volume(wi) or 0) for wi, (lo, _u, _h) in enumerate(chosen)]
    winners = []
    for bid, (_lo, price, hi) in zip(p.winners, chosen, strict=True):
        ucp = next((t.ucp for t in bid.tiers if float(t.ucp) == price), bid.ucp)
        winners.append(replace(bid, ucp=ucp, tiers=(), capacity=min(bid.capacity, math.floor(hi))))
    order = sorted(range(len(winners)), key=lambda wi: (winners[wi].ucp, wi))
    return replace(p, winners=tuple(winners[wi] for wi in order), floors=(),
                   minimum=tuple(minimum[wi] for wi in order))
