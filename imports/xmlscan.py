"""Array arithmetic over a worksheet's XML bytes: the guard's fast path (``imports.extent``).

Each function takes one complete-tag segment and either gives the figures the regexes of
``imports.extent`` would give, or None when the segment is not in the plain form it handles
(then the caller uses the regexes). numpy views the bytes without copying them.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

import numpy as np

_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:")
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f[\s>/]")
_REF_ATTR = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_PAD = bytes(32)
_TAG_END = np.array([ord(c) for c in " \t\n\r\f\v/>"], np.uint8)  # what may follow "<c" in a cell tag


def arrays(seg: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A segment as bytes (padded, no copy of the text beyond the pad) and where each ``<`` is."""
    a = np.frombuffer(seg + _PAD, np.uint8)
    return a, np.flatnonzero(a[: len(seg)] == 60)


def fast_cells(seg: bytes, found: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[int, int, int, bool] | None:
    """(cell tags, highest row, highest column, any ``<f`` tag) of a segment whose every cell tag
    opens as ``<c r="A1"`` (1–3 letters, 1–7 digits) and that has no namespace-prefixed element;
    None for any other segment (the caller then uses the regexes, whose figures these equal)."""
    if b":" in seg and _PREFIXED.search(seg):
        return None
    a, opens = found or arrays(seg)
    second = a[opens + 1]
    formula = bool((second == 102).any())  # "<f": the caller looks closer
    c = opens[second == 99]
    tags = c[np.isin(a[c + 2], _TAG_END)]
    if not len(tags):
        return 0, 0, 0, formula
    if not ((a[tags + 2] == 32) & (a[tags + 3] == 114) & (a[tags + 4] == 61) & (a[tags + 5] == 34)).all():
        return None  # some cell has another attribute first, or no reference: the regex path
    at = tags + 6
    col, run = np.zeros(len(at), np.int64), np.ones(len(at), bool)
    for _ in range(3):
        x = a[at]
        run &= (x >= 65) & (x <= 90)
        col = np.where(run, col * 26 + x.astype(np.int64) - 64, col)
        at += run
    x = a[at]
    if not (col > 0).all() or ((x >= 65) & (x <= 90)).any():
        return None  # no letter, or a fourth one
    row, run, start = np.zeros(len(at), np.int64), np.ones(len(at), bool), at.copy()
    for _ in range(7):
        x = a[at]
        run &= (x >= 48) & (x <= 57)
        row = np.where(run, row * 10 + x.astype(np.int64) - 48, row)
        at += run
    if not ((at > start) & (a[at] == 34)).all():
        return None  # no digit, an eighth one, or no closing quote
    return len(tags), int(row.max()), int(col.max()), formula


def fast_cited(seg: bytes, sizes: Sequence[int], found: tuple[np.ndarray, np.ndarray] | None = None) -> int | None:
    """The bytes of the shared strings a segment's cells cite, when every ``t="s"`` in it is
    followed straight by ``><v>N</v>`` (as writers put it); None otherwise (the regex path).
    Like the plain pattern it may count an odd ``t="s"`` outside a cell too: a bound, never less."""
    a, opens = found or arrays(seg)
    v = opens[(a[opens + 1] == 118) & (a[opens + 2] == 62) & (opens >= 6)]  # "<v>" with room for 't="s">'
    v = v[(a[v - 1] == 62) & (a[v - 2] == 34) & (a[v - 3] == 115) & (a[v - 4] == 34) & (a[v - 5] == 61) & (a[v - 6] == 116)]
    if len(v) != seg.count(b't="s"'):
        return None
    at, start = v + 3, v + 3
    index, run = np.zeros(len(v), np.int64), np.ones(len(v), bool)
    for _ in range(9):
        x = a[at]
        run &= (x >= 48) & (x <= 57)
        index = np.where(run, index * 10 + x.astype(np.int64) - 48, index)
        at += run
    if not ((at > start) & (a[at] == 60) & (a[at + 1] == 47) & (a[at + 2] == 118) & (a[at + 3] == 62)).all():
        return None  # no digit, a tenth one, or not "</v>" after them
    table = np.frombuffer(sizes, np.uint32) if isinstance(sizes, array) and sizes.itemsize == 4 else np.asarray(sizes, np.int64)
    return int(table[index[index < len(table)]].sum(dtype=np.int64))


def formula_refs(seg: bytes) -> set[str]:
    """References (``"E7"``) of the cells in a complete-tag segment that hold a formula."""
    refs = set()
    for match in _FORMULA_CELL.finditer(seg):
        ref = _REF_ATTR.search(match.group(1))
        if ref:
            refs.add(ref.group(1).decode("ascii"))
    return refs
