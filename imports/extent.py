"""How big is each sheet really? Measured from the sheet XML while the guard streams it.

A reader builds a dense range from the top-left to the bottom-right cell of a sheet
(python-calamine: 32 bytes a cell), so one cell at ``XFD1048576`` beside ``A1`` asks for
17 billion cells. This module bounds every worksheet part before any reader runs: the
highest row and column of its cells (``<c r=…>``), the number of cell elements, and its
merged ranges (``<mergeCell ref=…>``); and the shared-strings part (item count, size of one
item). Cells or rows without an ``r`` attribute are placed as the readers place them (after
the previous one) in a second, exact pass. python-calamine copies a shared string into every
cell citing it, so the shared strings are measured first and each sheet's citations summed
("expanded text": one 90 KB string on 50,000 rows is 4.5 GB). ``<dimension ref=…>`` is not trusted either way:
python-calamine 0.9 and openpyxl do not allocate by it (measured), so a lying dimension over
a small sheet is neither refused nor relied on.

Limits live on :class:`imports.xlsx_guard.GuardLimits`; each upload kind passes its own
row limit. The scan works on complete tags: each chunk is cut at its last ``<``.

Speed: the same pass records which cells hold formulas (the reader's one read of the sheet
needs them), and a segment whose cells all open as ``<c r="A1"`` (every writer we know, with
no namespace prefix anywhere) is measured by ``imports.xmlscan``, array arithmetic on the
bytes, instead of one regex match per cell; any other segment takes the regex path, so both
give the same figures (``tests/imports/test_extent.py`` checks this on hostile sheets).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from imports.errors import CorruptWorkbookError, UnsafeWorkbookError
from imports.xmlscan import arrays, fast_cells, fast_cited, formula_refs

_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_MERGE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell[\s/>]")
_MERGE_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_SI_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_SHARED_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bt="s"[^>]*>\s*<(?:[A-Za-z_][\w.-]*:)?v>\s*([0-9]{1,9})\s*<')
_ANY_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)([\s/][^>]*)?>")
_R_ATTR = re.compile(rb'\br="([A-Za-z]*)([0-9]*)"')
_SHARED_SIMPLE = re.compile(rb't="s"><v>([0-9]{1,9})</v>')
MAX_TAG_BYTES = 1 << 20


class Limits(Protocol):
    """The fields of ``GuardLimits`` this module reads."""

    max_rows: int
    max_columns: int
    max_cells: int
    max_shared_strings: int
    max_string_bytes: int
    max_expanded_text: int


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch.upper()) - 64
    return n


def column_letters(n: int) -> str:
    """1 → ``A``, 16384 → ``XFD``."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out or "A"


class Segments:
    """Cuts a stream of chunks into segments that end just before a ``<`` (complete tags)."""

    def __init__(self, part: str, anchor: bytes = b"<") -> None:
        """Start with nothing carried over; cut before the last ``anchor`` (else the last ``<``)."""
        self.part, self.carry, self.anchor = part, b"", anchor

    def feed(self, chunk: bytes) -> bytes:
        """The complete-tag segment of carry + chunk; keep the rest for the next call."""
        buf = self.carry + chunk
        cut = buf.rfind(self.anchor)
        if cut <= 0:
            cut = buf.rfind(b"<")
        if cut <= 0:
            self.carry = buf
            seg = b""
        else:
            seg, self.carry = buf[:cut], buf[cut:]
        if len(self.carry) > MAX_TAG_BYTES:
            raise UnsafeWorkbookError(
                f"{self.part} 中有超过 1 MB 的单个 XML 元素或文本，已拒绝",
                f"{self.part} holds a single XML element or text over 1 MB; refused",
            )
        return seg

    def close(self) -> bytes:
        """Whatever is left at the end of the part."""
        seg, self.carry = self.carry, b""
        return seg


def too_large(sheet: str, rows: int, cols: int, limits: Limits, cells: int | None = None) -> UnsafeWorkbookError:
    """The refusal naming the sheet, its extent and the limits."""
    extent = f"{column_letters(cols)}{rows}"
    if cells is not None:
        zh_what, en_what = f"{cells} 个单元格", f"{cells} cells"
    else:
        zh_what, en_what = f"{extent}（{rows} 行 × {cols} 列）", f"{extent} ({rows} rows × {cols} columns)"
    if rows > limits.max_rows and cols <= limits.max_columns and cells is None:
        return UnsafeWorkbookError(
            f"工作表「{sheet}」的数据行数过多：到第 {rows} 行，本类上传最多 {limits.max_rows} 行；请分批上传，或删除表格下方多余的行",
            f"sheet '{sheet}' has too many rows: it reaches row {rows}; this upload takes at most {limits.max_rows} rows. "
            "Split the file, or delete the surplus rows below the table",
        )
    return UnsafeWorkbookError(
        f"工作表「{sheet}」的数据范围过大：{zh_what}，最多 {limits.max_rows} 行、{limits.max_columns} 列、共 {limits.max_cells} 个单元格；"
        "请删除远处的单元格或多余的行列后重新上传",
        f"sheet '{sheet}' is too large: {en_what}; at most {limits.max_rows} rows, {limits.max_columns} columns and "
        f"{limits.max_cells} cells in all. Delete the far-away cells or surplus rows and columns and upload again",
    )


@dataclass
class SheetExtent:
    """Running measurements of one worksheet part (``strings``: sizes of the shared strings)."""

    sheet: str
    limits: Limits
    strings: Sequence[int] = ()
    expanded: int = 0
    rows: int = 0
    cols: int = 0
    cells: int = 0
    unplaced: int = 0
    merged_cells: int = 0
    formulas: set[str] = field(default_factory=set)
    """References of the cells holding a formula."""

    def feed(self, seg: bytes) -> None:
        """Measure one complete-tag segment; refuse as soon as a limit is passed."""
        if not seg:
            return
        found = arrays(seg)  # shared by the cell and citation scans
        fast = fast_cells(seg, found)
        if fast is not None:
            tags, rows, cols, formula = fast
            self.cells += tags
            self.rows, self.cols = max(self.rows, rows), max(self.cols, cols)
        else:
            self._cells(seg)
            formula = b"<f" in seg or b":f" in seg
        if formula:
            self.formulas |= formula_refs(seg)
        if b"mergeCell" in seg:
            self._merges(seg)
        if self.strings and b't="s"' in seg:
            self._cited(seg, found)
        self.check()

    def _cells(self, seg: bytes) -> None:
        """Count and place the cells of a segment by regex (any form of cell tag)."""
        tags = len(_CELL_TAG.findall(seg))
        if tags:
            found = _CELL_REF.findall(seg)
            self.cells += tags
            self.unplaced += tags - len(found)
            if found:
                letters, numbers = zip(*found, strict=True)
                self.rows = max(self.rows, max(map(int, numbers)))
                self.cols = max(self.cols, max(map(column_number, set(letters))))

    def _cited(self, seg: bytes, found: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Add the sizes of the shared strings this segment's cells cite (each a copy in the reader).

        When every ``t="s"`` in the segment ends its tag with the value straight after (as
        writers put it), array arithmetic (:func:`fast_cited`) or one plain pattern finds them
        all; either can only count more than the full pattern, never fewer (a bound, so safe);
        otherwise the full pattern."""
        fast = fast_cited(seg, self.strings, found)
        if fast is not None:
            self.expanded += fast
        else:
            self._cited_by_regex(seg)
        if self.expanded > self.limits.max_expanded_text:
            raise UnsafeWorkbookError(
                f"工作表「{self.sheet}」引用的文本总量过大（超过 {self.limits.max_expanded_text // (1 << 20)} MB），已拒绝；"
                "请删除重复的长文本后重新上传",
                f"sheet '{self.sheet}' cites too much text in all (over {self.limits.max_expanded_text // (1 << 20)} MB); "
                "refused. Remove the repeated long texts and upload again",
            )

    def _cited_by_regex(self, seg: bytes) -> None:
        """The same by pattern: a plain one when it finds every ``t="s"``, else the full one."""
        simple = _SHARED_SIMPLE.findall(seg)
        if len(simple) != seg.count(b't="s"'):
            simple = _SHARED_CELL.findall(seg)
        sizes, cited = self.strings, list(map(int, simple))
        if cited and max(cited) < len(sizes):
            self.expanded += sum(map(sizes.__getitem__, cited))
        else:
            self.expanded += sum(sizes[i] for i in cited if i < len(sizes))

    def _merges(self, seg: bytes) -> None:
        """Merged ranges widen the extent and cost a cell each in the readers' cover maps."""
        found = _MERGE_REF.findall(seg)
        if len(found) != len(_MERGE_TAG.findall(seg)):
            raise CorruptWorkbookError(f"工作表「{self.sheet}」的合并单元格范围无效", f"sheet '{self.sheet}' has an invalid merged range")
        for c0, r0, c1, r1 in found:
            a, b = column_number(c0), column_number(c1 or c0)
            top, bottom = int(r0), int(r1 or r0)
            self.rows, self.cols = max(self.rows, top, bottom), max(self.cols, a, b)
            self.check()
            self.merged_cells += (abs(bottom - top) + 1) * (abs(b - a) + 1)

    def check(self) -> None:
        """Raise when the sheet passes a limit."""
        limits = self.limits
        if self.rows > limits.max_rows or self.cols > limits.max_columns or self.rows * self.cols > limits.max_cells:
            raise too_large(self.sheet, self.rows, self.cols, limits)
        if self.cells > limits.max_cells or self.merged_cells > limits.max_cells:
            raise too_large(self.sheet, self.rows, self.cols, limits, max(self.cells, self.merged_cells))

    @property
    def area(self) -> int:
        """Cells of the dense range a reader builds."""
        return self.rows * self.cols

    def place_exactly(self, segments: Iterable[bytes]) -> None:
        """Second pass for sheets with cells or rows lacking ``r``: place them as readers do."""
        row = col = 0
        self.rows = self.cols = 0
        for seg in segments:
            for match in _ANY_TAG.finditer(seg):
                closing, name, attrs = match.groups()
                if closing:
                    continue
                ref = _R_ATTR.search(attrs or b"")
                if name == b"row":
                    row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                    col = 0
                    self.rows = max(self.rows, row)
                else:
                    if ref and ref.group(1) and ref.group(2):
                        col, row_of_cell = column_number(ref.group(1)), int(ref.group(2))
                        self.rows = max(self.rows, row_of_cell)
                    else:
                        col += 1
                        self.rows = max(self.rows, row or 1)
                    self.cols = max(self.cols, col)
                self.check()


@dataclass
class SharedStrings:
    """Running measurements of the shared-strings part: item count, each item's size in bytes."""

    part: str
    limits: Limits
    items: int = 0
    current: int = 0
    largest: int = 0
    sizes: array = field(default_factory=lambda: array("I"))

    def feed(self, seg: bytes) -> None:
        """Measure one complete-tag segment."""
        if not seg:
            return
        pieces = _SI_TAG.split(seg)
        self.current += len(pieces[0])
        if len(pieces) > 1:
            if self.items:
                self.sizes.append(self.current)
            lengths = list(map(len, pieces[1:]))
            self.items += len(lengths)
            self.sizes.extend(lengths[:-1])
            self.largest = max(self.largest, self.current, max(lengths[:-1], default=0))
            self.current = lengths[-1]
        self.largest = max(self.largest, self.current)
        if self.items > self.limits.max_shared_strings:
            raise UnsafeWorkbookError(
                f"共享字符串过多（{self.items} 个以上，最多 {self.limits.max_shared_strings} 个），已拒绝",
                f"too many shared strings (over {self.items}, at most {self.limits.max_shared_strings}); refused",
            )
        if self.largest > self.limits.max_string_bytes:
            raise UnsafeWorkbookError(
                f"工作簿中有超长的文本（超过 {self.limits.max_string_bytes // 1024} KB；Excel 单元格最多 32767 个字符），已拒绝",
                f"the workbook holds an over-long text (over {self.limits.max_string_bytes // 1024} KB; an Excel cell holds "
                "at most 32,767 characters); refused",
            )

    def close(self) -> Sequence[int]:
        """The size of every item, in order."""
        if self.items:
            self.sizes.append(self.current)
            self.current = 0
        return self.sizes
