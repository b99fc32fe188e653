"""The prefix bound of a tier choice: whole regions, without an LP.

With the winners of a tier choice in price order ``p_1 ≤ … ≤ p_W`` and ``S_k`` the volume the
``k`` cheapest winners carry together, the cost ``Σ p_w V_w`` is

    p_W · T − Σ_{k<W} (p_{k+1} − p_k) · S_k,

falling in every ``S_k``. So any upper bound ``U_k`` of each ``S_k`` on its own gives a lower
bound of the cost of every allocation of the choice. ``S_k`` is the sum of a set ``A`` of
whole regions: those pinned to the ``k`` cheapest winners and some free ones, within their
rooms together (capacity, maximum share, the band's high end), leaving the other winners their
least volumes (band low ends, gradient floors) and their minimum regions — so ``|A|`` is at
most the regions less those the others need. ``U_k`` is the largest such subset sum: exact
(meet in the middle over subset sums *and* counts) for up to ``MAX_EXACT`` free regions,
otherwise the continuous one. Leaving out the other rules (each winner's own room within the
prefix, lower limits) only loosens the bound, so it stays below every allocation of the choice
(``tests/optimizer/test_bounds.py`` checks it against every allocation of small instances).

Where the rooms of the cheap winners bind, the LP relaxation fills them with fractions of
regions; the prefix bound asks which whole regions can fill them, and how many regions the
dearer winners must keep. On the tiered bench this proves most tier choices (and the national
items) within the gap without any LP or MILP, in well under a millisecond a choice.
"""

from __future__ import annotations

import math
from itertools import accumulate

import numpy as np

from optimizer.allocation import Problem

MAX_EXACT = 32


class PrefixBound:
    """One item's regions, ready for the prefix bounds of its tier choices."""

    def __init__(self, p: Problem) -> None:
        """Pinned volume and count per winner; the free regions, largest first."""
        index = {b.supplier: wi for wi, b in enumerate(p.winners)}
        self.total, self.min_regions = p.total, p.min_regions
        self.pin_volume = [0] * len(p.winners)
        self.pin_count = [0] * len(p.winners)
        free = []
        for v, pin in zip(p.volumes, p.pins, strict=True):
            if pin in index:
                self.pin_volume[index[pin]] += v
                self.pin_count[index[pin]] += 1
            else:
                free.append(v)
        self.free = sorted(free, reverse=True)
        self.largest = [0, *accumulate(self.free)]  # largest[c]: the c largest free regions
        self.smallest = [0, *accumulate(reversed(self.free))]  # smallest[c]: the c smallest
        self._halves: _Halves | None = None
        self._exact: dict[tuple[int, int], int] = {}

    def bound(self, prices: list[float], rooms: list[int], lows: list[int], exact: bool = False) -> float:
        """The least cost of any allocation with these unit prices, rooms and least volumes
        per winner (``inf``: the choice has no allocation). ``exact`` takes the whole-region
        sums (meet in the middle, about a millisecond each) where the rooms bind; without it
        the bound is the continuous one, a few microseconds."""
        found = self.prefixes(prices, rooms, lows)
        if found is None:
            return math.inf
        order, rows = found
        cost = prices[order[-1]] * self.total
        for k, (limit, count, pinned, _binds) in enumerate(rows):
            step = prices[order[k + 1]] - prices[order[k]]
            if step > 0:
                cost -= step * (pinned + self.most(limit, count, exact))
        return cost

    def prefixes(self, prices: list[float], rooms: list[int], lows: list[int]
                 ) -> tuple[list[int], list[tuple[int, int, int, bool]]] | None:
        """The winners in price order and, per prefix of the ``k`` cheapest (``k < W``): the
        most its free regions may sum to, how many free regions it may hold, the volume pinned
        to it and whether its rooms (not the others' needs) set the limit; None when no
        allocation exists.

        The others carry at least, for any set ``B`` of them, the least volumes of ``B`` and
        the smallest free regions the rest need for their minimum regions (``B``: those
        whose least volume lifts them most above their pinned volume, one more at a time).
        """
        w, total, pin_volume = len(prices), self.total, self.pin_volume
        if not w or any(pv > room for pv, room in zip(pin_volume, rooms, strict=True)):
            return None
        if sum(lows) > total or sum(rooms) < total:
            return None
        order = sorted(range(w), key=prices.__getitem__)
        at = [0] * w
        for k, wi in enumerate(order):
            at[wi] = k
        need = [max(0, self.min_regions - self.pin_count[wi]) for wi in range(w)]
        nfree, smallest = len(self.free), self.smallest
        if sum(need) > nfree:
            return None
        lifts = sorted((pin_volume[wi] - lows[wi], wi) for wi in range(w) if lows[wi] > pin_volume[wi])
        rows = []
        room = pinned = 0
        held, count = sum(pin_volume), sum(need)
        for k in range(w - 1):
            wi = order[k]
            room, pinned = room + rooms[wi], pinned + pin_volume[wi]
            held -= pin_volume[wi]
            count -= need[wi]
            least, lifted, left = held + smallest[count], 0, count
            for minus, wj in lifts:
                if at[wj] > k:
                    lifted -= minus
                    left -= need[wj]
                    least = max(least, held + lifted + smallest[left])
            limit = min(room, total - least) - pinned
            if limit < 0:
                return None
            rows.append((limit, nfree - count, pinned, room <= total - least))
        return order, rows

    def most(self, limit: int, count: int, exact: bool = True) -> int:
        """The largest sum of at most ``count`` free regions not above ``limit`` (``exact``
        False: an upper bound of it, the continuous one)."""
        if self.largest[count] <= limit:
            return self.largest[count]
        if not exact or len(self.free) > MAX_EXACT:
            return limit
        key = (limit, count)
        if key not in self._exact:
            if self._halves is None:
                self._halves = _Halves(self.free)
            self._exact[key] = self._halves.most(limit, count)
        return self._exact[key]


class _Halves:
    """Subset sums of each half of at most 32 values, by count: meet in the middle."""

    def __init__(self, values: list[int]) -> None:
        """The low half's sums grouped by count (ascending), the high half's sorted by sum."""
        half = len(values) // 2
        low_sum, low_count = _subsets(values[:half])
        high_sum, high_count = _subsets(values[half:])
        order = np.argsort(high_sum, kind="stable")
        self.high_sum, self.high_count = high_sum[order], high_count[order]
        self.high_size = len(values) - half
        self.low = {a: np.sort(low_sum[low_count == a]) for a in range(half + 1)}
        self._high: dict[int, np.ndarray] = {}

    def _high_upto(self, count: int) -> np.ndarray:
        """The high half's sums of at most ``count`` values, ascending."""
        count = min(count, self.high_size)
        if count not in self._high:
            self._high[count] = self.high_sum if count == self.high_size else self.high_sum[self.high_count <= count]
        return self._high[count]

    def most(self, limit: int, count: int) -> int:
        """The largest subset sum of at most ``count`` values not above ``limit``."""
        best = 0
        for a, sums in self.low.items():
            if a > count:
                break
            sums = sums[sums <= limit]
            if not len(sums):
                continue
            high = self._high_upto(count - a)
            at = np.searchsorted(high, limit - sums, side="right") - 1
            best = max(best, int((sums + high[at]).max()))  # at ≥ 0: the empty set sums to 0
            if best == limit:
                break
        return best


def _subsets(values: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of every subset of the values (2^n of each)."""
    sums, counts = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int8)
    for v in values:
        sums = np.concatenate((sums, sums + v))
        counts = np.concatenate((counts, counts + 1))
    return sums, counts


def split_bound(p: Problem, prefix: PrefixBound, prices: list[float], rooms: list[int], lows: list[int],
                slack: float, start: tuple[int, ...] | None = None) -> float:
    """The prefix bound up to the dearest winner whose room binds, the rest solved in whole
    regions: a lower bound of every allocation of a tier choice (``inf``: none exists).

    With ``P`` the ``k`` cheapest winners and ``Q`` the others, the cost is at least

        p_k · T − Σ_{i<k} (p_{i+1} − p_i) · U_i + Σ_{q∈Q} (p_q − p_k) · V_q,

    and the last sum is at least the optimum of a small MILP over ``Q`` alone: its winners'
    rooms, least volumes and minimum regions, and together at least ``T − U_k`` (what ``P``
    cannot carry). ``k`` is the last winner, in price order, whose prefix is bound by rooms.
    HiGHS stops that MILP within ``slack`` of its optimum; ``start`` (winner index per region)
    is an allocation of the choice it starts from. Up to ``MAX_EXACT`` regions only.
    """
    import highspy

    base = prefix.bound(prices, rooms, lows, exact=True)
    if not math.isfinite(base) or len(prices) < 2 or len(p.regions) > MAX_EXACT:
        return base  # beyond 32 regions the MILP of the others is no longer small
    order, prefix_rows = prefix.prefixes(prices, rooms, lows)  # type: ignore[misc]
    caps = [pinned + prefix.most(limit, count, True) for limit, count, pinned, _b in prefix_rows]
    split = None
    for k, (_limit, _count, _pinned, binds) in enumerate(prefix_rows):
        if binds and prices[order[k + 1]] > prices[order[k]]:
            split = k
    if split is None:
        return base
    k = split + 1  # P: order[:k]
    pk = prices[order[k - 1]]
    cost = pk * prefix.total - sum((prices[order[i + 1]] - prices[order[i]]) * caps[i] for i in range(k - 1))
    rest = order[k:]
    index = {b.supplier: wi for wi, b in enumerate(p.winners)}
    cols = [(q, ri) for q in rest for ri, pin in enumerate(p.pins)
            if (pin not in index or index[pin] == q) and p.volumes[ri] <= rooms[q]]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", slack)
    n = len(cols)
    vol = np.array([float(p.volumes[ri]) for _q, ri in cols])
    obj = np.array([(prices[q] - pk) * p.volumes[ri] for q, ri in cols])
    lower = np.array([1.0 if p.pins[ri] in index else 0.0 for _q, ri in cols])
    h.addCols(n, obj, lower, np.ones(n), 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, int(highspy.HighsVarType.kInteger), np.uint8))
    inf = highspy.kHighsInf
    rows: list[tuple[float, float, list[int], list[float]]] = []
    by_region: dict[int, list[int]] = {}
    for j, (_q, ri) in enumerate(cols):
        by_region.setdefault(ri, []).append(j)
    rows += [(-inf, 1.0, js, [1.0] * len(js)) for js in by_region.values() if len(js) > 1]
    for q in rest:
        js = [j for j, (qq, _ri) in enumerate(cols) if qq == q]
        vs = [float(vol[j]) for j in js]
        rows.append((float(lows[q]), float(rooms[q]), js, vs))
        if prefix.min_regions:
            rows.append((float(prefix.min_regions), inf, js, [1.0] * len(js)))
    every = list(range(n))
    rows.append((float(prefix.total - caps[k - 1]), float(prefix.total - sum(lows[wi] for wi in order[:k])),
                 every, list(vol)))
    for lo, hi, js, vs in rows:
        h.addRow(lo, hi, len(js), np.array(js, dtype=np.int32), np.array(vs))
    if start is not None:  # the incumbent's regions of Q (winner index per region)
        solution = highspy.HighsSolution()
        solution.col_value = [1.0 if start[ri] == q else 0.0 for q, ri in cols]
        solution.value_valid = True
        h.setSolution(solution)
        h.setOptionValue("mip_heuristic_run_feasibility_jump", False)
    h.run()
    status, kind = h.getModelStatus(), highspy.HighsModelStatus
    if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        return math.inf
    dual = h.getInfo().mip_dual_bound
    if status != highspy.HighsModelStatus.kOptimal or not math.isfinite(dual):
        return base
    return max(base, cost + dual)
