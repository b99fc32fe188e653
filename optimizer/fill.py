"""Exact subset-sum fills: which regions fill a winner's room most closely.

Meet in the middle over subset sums for up to ``MAX_EXACT`` values (greedy beyond), the
core of the packing heuristic (``optimizer.heuristic``). Deterministic: no randomness, no
clock.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from heapq import nlargest

MAX_EXACT = 32
LOW32 = (1 << 32) - 1
CLOSE_ENOUGH = 10**7


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
