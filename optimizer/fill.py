"""Exact subset-sum fills: which regions fill a winner's room most closely.

Meet in the middle over subset sums for up to ``MAX_EXACT`` values (greedy beyond), the
core of the packing heuristic (``optimizer.heuristic``), vectorised with numpy (highspy's
own dependency): each half's subset sums are built sorted, every subset of the first half
finds its best partner in the second with one ``searchsorted``, and the best totals are
picked with one partial sort — no Python loop over the 2^16 subsets of a half.
Deterministic: no randomness, no clock; equal totals go to the smaller masks.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

MAX_EXACT = 32
HALF = MAX_EXACT // 2
LOW = (1 << HALF) - 1
# Sums are packed with their 16-bit mask into one int64 (sum << 16 | mask), so that one sort
# orders sums and carries masks; a half's sum must then stay below 2^46.
PACK_LIMIT = 1 << (62 - HALF)


def _sorted_sums(values: tuple[int, ...]) -> np.ndarray:
    """All subset sums of at most 16 values, packed ``sum << 16 | mask``, ascending.

    Built value by value: the sums so far and the same sums plus the next value are two
    sorted runs, which a stable sort merges in linear time.
    """
    sums = np.zeros(1, dtype=np.int64)
    for i, v in enumerate(values):
        sums = np.concatenate((sums, sums + ((v << HALF) | (1 << i))))
        sums.sort(kind="stable")
    return sums


def _mitm(values: tuple[int, ...], room: int, count: int) -> list[tuple[int, int, int]]:
    """The ``count`` best pairs (total ≤ room, low mask, high mask), largest total first.

    Each subset of the first half is paired with the subset of the second half whose sum
    fills the rest of the room most closely (the largest packed value ≤ (rest << 16) | LOW).
    """
    half = len(values) // 2
    room = min(room, sum(values))  # keeps (room - sum) << 16 inside int64
    low = _sorted_sums(values[:half])
    high = _sorted_sums(values[half:])
    low_sum = low >> HALF
    fits = low_sum <= room
    low, low_sum = low[fits], low_sum[fits]
    at = np.searchsorted(high, ((room - low_sum) << HALF) | LOW, side="right") - 1
    keep = at >= 0
    low, low_sum, at = low[keep], low_sum[keep], at[keep]
    if not len(low):
        return []
    partner = high[at]
    total = low_sum + (partner >> HALF)
    if count == 1:  # the first of the order below, without sorting
        pick = np.flatnonzero(total == total.max())
        masks = low[pick] & LOW
        pick = pick[masks == masks.min()]
        j = pick[np.argmin(partner[pick] & LOW)]
        return [(int(total[j]), int(low[j] & LOW), int(partner[j] & LOW))]
    k = min(count, len(total))
    # candidates: the k largest totals (ties broken below by the masks, smallest first)
    pick = np.argpartition(-total, k - 1)[:k] if k < len(total) else np.arange(len(total))
    cut = total[pick].min()
    pick = np.nonzero(total >= cut)[0]
    order = np.lexsort((partner[pick] & LOW, low[pick] & LOW, -total[pick]))[:k]
    chosen = pick[order]
    return [(int(total[j]), int(low[j] & LOW), int(partner[j] & LOW)) for j in chosen]


def _indices(n: int, m_low: int, m_high: int) -> list[int]:
    """Chosen indices from the two half masks of a list of length ``n``."""
    half = n // 2
    return [i for i in range(half) if m_low >> i & 1] + [
        half + i for i in range(n - half) if m_high >> i & 1
    ]


def _exact(values: list[int]) -> bool:
    """True when the values are few and small enough for the packed meet in the middle."""
    return len(values) <= MAX_EXACT and sum(values) < PACK_LIMIT and min(values, default=0) >= 0


def near_fills(values: list[int], room: int, count: int) -> list[list[int]]:
    """Up to ``count`` subsets with the largest sums ≤ room, best first (≤ 32 values)."""
    if room <= 0:
        return [[]]
    if not _exact(values):
        return [best_fill(values, room)]
    return [list(f) for f in _near_fills(tuple(values), room, count)]


@lru_cache(maxsize=512)
def _near_fills(values: tuple[int, ...], room: int, count: int) -> tuple[tuple[int, ...], ...]:
    """``near_fills`` of at most 32 values, cached (the tiered start repeats the same fills
    under different prices; only the small index lists are kept)."""
    found = _mitm(values, room, count)
    return tuple(tuple(_indices(len(values), m_low, m_high)) for _, m_low, m_high in found) or ((),)


def best_fill(values: list[int], room: int) -> list[int]:
    """Indices of a subset with the largest sum ≤ room (exact for ≤ 32 values, else greedy)."""
    if room <= 0:
        return []
    if not _exact(values):
        chosen, left = [], room
        for i in sorted(range(len(values)), key=lambda i: -values[i]):
            if values[i] <= left:
                chosen.append(i)
                left -= values[i]
        return chosen
    return list(_near_fills(tuple(values), room, 1)[0])


def least_reaching(values: list[int], need: int) -> list[int] | None:
    """Indices of a subset with the smallest sum ≥ need (None when all values fall short).

    A subset holding a value ≥ need is never below that value alone, so the answer is the
    smallest such value or a subset of the smaller values: those are enumerated when at most
    16 (one numpy product), else found as the complement of the rest's best fill.
    """
    if need <= 0:
        return []
    if sum(values) < need:
        return None
    big = [j for j, v in enumerate(values) if v >= need]
    best = [min(big, key=lambda j: (values[j], j))] if big else None
    small = [j for j, v in enumerate(values) if v < need]
    if sum(values[j] for j in small) < need:
        return best
    if len(small) <= HALF:
        vals = np.array([values[j] for j in small], dtype=np.int64)
        masks = np.arange(1 << len(small), dtype=np.int64)
        sums = ((masks[:, None] >> np.arange(len(small))) & 1) @ vals
        at = int(np.argmin(np.where(sums >= need, sums, np.iinfo(np.int64).max)))
        found = [small[i] for i in range(len(small)) if at >> i & 1]
    else:
        rest = [values[j] for j in small]
        keep = set(best_fill(rest, sum(rest) - need))
        found = [small[i] for i in range(len(small)) if i not in keep]
    if best is None or sum(values[j] for j in found) < values[best[0]]:
        return found
    return best
