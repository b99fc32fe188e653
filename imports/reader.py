"""Generic sheet reader: guard, read with python-calamine, match headers, normalise cells.

Used by every workbook import (demand, later bids and deliveries): give it column specs and
it returns normalised rows plus cell errors. It never raises anything but ``WorkbookError``.

Reading rules: the sheet is the first visible worksheet (preferred names first) whose header
row holds the required columns; rows above the header and blank rows are skipped; merged
cells spread their value over text columns and are an error in number columns; a formula
counts by its cached value, and a formula without one is an error.
"""

from __future__ import annotations

import io
import warnings
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, islice

import python_calamine as pc
from openpyxl.utils import get_column_letter

from core.bulk import collector_paused
from imports.columns import Columns, merged_in, read_columns
from imports.errors import (
    MAX_ERRORS,
    MORE_ERRORS,
    CellError,
    CorruptWorkbookError,
    ErrorSink,
    WorkbookError,
)
from imports.headers import SEARCH_ROWS, ColumnSpec, HeaderMatch, find_header
from imports.normalise import MAX_COUNT, CellKind, CellValueError, brief, is_blank, normalise_cell
from imports.xlsx_guard import DEFAULT_LIMITS, GuardLimits, XlsxInfo, check_xlsx

__all__ = ["MAX_ERRORS", "MORE_ERRORS", "ErrorSink", "SheetRead", "SheetRow", "read_sheet"]
_MEMO_LIMIT = 50_000
WINDOW_ROWS = 16_384
"""Rows per part when a caller takes the rows as they are read (``on_rows``)."""
RowsHandler = Callable[[Columns, bool], None]
"""Takes each part of the rows as it is read, and whether no error has been found so far."""
_MISS = object()
_NUMERIC = (CellKind.COUNT, CellKind.DECIMAL)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One non-blank data row: Excel row number and values aligned with the specs (None = blank or bad)."""

    row: int
    values: tuple[object, ...]
    bad: bool = False


@dataclass(frozen=True)
class SheetRead:
    """The outcome of reading one sheet: its rows (column by column, or as ``rows``), cell
    errors, and where each column is."""

    sheet: str
    specs: tuple[ColumnSpec, ...]
    header: HeaderMatch | None
    columns: Columns
    errors: tuple[CellError, ...]
    error_count: int

    @cached_property
    def rows(self) -> tuple[SheetRow, ...]:
        """The non-blank data rows, one record each (built on first use)."""
        table = self.columns
        return tuple(SheetRow(row, values, bad) for row, values, bad in
                     zip(table.rows, zip(*table.values, strict=True) if table.rows else (), table.bad, strict=True))

    def index(self, key: str) -> int:
        """Position of a column key in ``SheetRow.values``."""
        return next(i for i, spec in enumerate(self.specs) if spec.key == key)

    def cell(self, key: str, row: int) -> str | None:
        """Excel reference (``"E7"``) of a column on a row, or None if the column is absent."""
        if self.header is None or key not in self.header.columns:
            return None
        return f"{get_column_letter(self.header.columns[key] + 1)}{row}"

    def column_name(self, key: str) -> str:
        """The header as the user wrote it, or the spec's bilingual label if absent."""
        spec = self.specs[self.index(key)]
        return self.header.titles.get(key, spec.label) if self.header else spec.label


def _open(data: bytes) -> pc.CalamineWorkbook:
    """Open with calamine, mapping its failures to ``CorruptWorkbookError``."""
    try:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises several types, a Rust panic included
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        raise CorruptWorkbookError("工作簿无法读取（文件可能已损坏）", f"the workbook cannot be read ({type(exc).__name__})") from exc


def _candidates(book: pc.CalamineWorkbook, info: XlsxInfo, preferred: Sequence[str]) -> list[str]:
    """Visible worksheets, preferred names first."""
    visible = [
        meta.name
        for meta in book.sheets_metadata
        if meta.visible == pc.SheetVisibleEnum.Visible
        and meta.typ == pc.SheetTypeEnum.WorkSheet
        and meta.name in info.sheet_parts
    ]
    first = [name for name in visible if name in preferred]
    return first + [name for name in visible if name not in preferred]


def _merged(sheet: pc.CalamineSheet, rows: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Map each covered (row, col) of a merged range (0-based) within the first ``rows`` rows to
    the range's top-left cell (the header search; the guard bounds the sheet's width)."""
    cover: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
        for r in range(r0, min(r1, rows - 1) + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    cover[(r, c)] = (r0, c0)
    return cover


class _Merges:
    """Merged ranges over the read columns, as row intervals per column (no per-cell map:
    a merge down 200,000 rows costs one entry, not 200,000)."""

    def __init__(self, sheet: pc.CalamineSheet, columns: set[int]) -> None:
        """Clip every merged range to the columns that are read."""
        spans: dict[int, list[tuple[int, int, tuple[int, int]]]] = {}
        self.origins: set[tuple[int, int]] = set()
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
            for c in columns.intersection(range(c0, c1 + 1)):
                spans.setdefault(c, []).append((r0, r1, (r0, c0)))
                self.origins.add((r0, c0))
        self.starts = {c: [span[0] for span in sorted(found)] for c, found in spans.items()}
        self.spans = {c: sorted(found) for c, found in spans.items()}

    def __bool__(self) -> bool:
        """True when any read column has a merge."""
        return bool(self.spans)

    def origin(self, index: int, col: int) -> tuple[int, int] | None:
        """The top-left cell of the range covering (index, col), unless it is that cell."""
        starts = self.starts.get(col)
        if not starts:
            return None
        at = bisect_right(starts, index) - 1
        if at < 0:
            return None
        r0, r1, top_left = self.spans[col][at]
        return top_left if r0 <= index <= r1 and top_left != (index, col) else None


def _head(sheet: pc.CalamineSheet, cover: dict[tuple[int, int], tuple[int, int]], col0: int) -> list[list[object]]:
    """The first rows of a sheet with merged header cells filled from their top-left cell."""
    rows: list[list[object]] = []
    for index, cells in enumerate(sheet.iter_rows()):
        if index >= SEARCH_ROWS:
            break
        rows.append(list(cells))
    for (r, c), (r0, c0) in cover.items():
        if r < len(rows) and r0 < len(rows) and 0 <= c - col0 < len(rows[r]) and 0 <= c0 - col0 < len(rows[r0]):
            if is_blank(rows[r][c - col0]):
                rows[r][c - col0] = rows[r0][c0 - col0]
    return rows


def _choose(book: pc.CalamineWorkbook, names: list[str], specs: Sequence[ColumnSpec]) -> tuple[str, pc.CalamineSheet, HeaderMatch | None]:
    """The first sheet with a complete header, else the sheet with the best partial header."""
    best: tuple[tuple[int, int], str, pc.CalamineSheet | None, HeaderMatch | None] = ((-1, -1), "", None, None)
    for name in names:
        sheet = book.get_sheet_by_name(name)
        col0 = sheet.start[1] if sheet.start else 0
        match = find_header(_head(sheet, _merged(sheet, SEARCH_ROWS), col0), specs, col0)
        if match is not None and match.complete:
            return name, sheet, match
        score = (len(match.columns), -len(match.missing)) if match else (0, 0)
        if score > best[0]:
            best = (score, name, sheet, match)
    assert best[2] is not None
    return best[1], best[2], best[3]


def header_errors(sheet: str, match: HeaderMatch | None, specs: Sequence[ColumnSpec]) -> list[CellError]:
    """Missing or duplicated columns, reported by column name on the header row."""
    if match is None:
        return [
            CellError(sheet, 1, spec.label, None, "", f"找不到表头行：缺少必填列「{spec.label_zh}」", f"no header row found: required column '{spec.label_en}' is missing", "no_header")
            for spec in specs
            if spec.required
        ]
    errors = [
        CellError(sheet, match.row, spec.label, None, "", f"缺少必填列「{spec.label_zh}」", f"required column '{spec.label_en}' is missing", "missing_column")
        for spec in match.missing
    ]
    for key, cols in match.duplicated.items():
        spec = next(s for s in specs if s.key == key)
        refs = "、".join(f"{get_column_letter(c + 1)}{match.row}" for c in cols)
        errors.append(CellError(sheet, match.row, spec.label, f"{get_column_letter(cols[1] + 1)}{match.row}", match.titles.get(key, ""), f"列「{spec.label_zh}」出现多次（{refs}）", f"column '{spec.label_en}' appears more than once ({refs})", "duplicate_column"))
    return errors


class _Column:
    """One mapped column while reading rows: where it is, and a memo of normalised texts."""

    __slots__ = ("index", "spec", "at", "letter", "title", "count", "memo")

    def __init__(self, index: int, spec: ColumnSpec, at: int, title: str) -> None:
        """Place the column; ``at`` is its index in calamine's row lists."""
        self.index, self.spec, self.at, self.title = index, spec, at, title
        self.letter = ""
        self.count = spec.kind is CellKind.COUNT
        self.memo: dict[str, object] = {}

    def value(self, raw: object) -> object:
        """Normalise a raw cell value (memoised for text: codes and names repeat a lot)."""
        if type(raw) is str:
            hit = self.memo.get(raw, _MISS)
            if hit is _MISS:
                try:
                    hit = normalise_cell(raw, self.spec.kind)
                except CellValueError as exc:
                    hit = (exc.zh, exc.en, exc.code)
                if len(self.memo) < _MEMO_LIMIT:
                    self.memo[raw] = hit
            if type(hit) is tuple:
                raise CellValueError(*hit)
            return hit
        if self.count and type(raw) is float and raw.is_integer() and 0 <= raw <= MAX_COUNT:
            return int(raw)
        return normalise_cell(raw, self.spec.kind)


def _rows(sheet: pc.CalamineSheet, match: HeaderMatch, specs: Sequence[ColumnSpec], formulas: frozenset[str], sink: ErrorSink, name: str,
          window: tuple[int, Sequence[Sequence[object]]] | None = None) -> Iterator[SheetRow]:
    """Normalise every data row below the header (or those of ``window``, as for
    :func:`~imports.columns.read_columns`); yield non-blank rows, collect errors."""
    col0 = sheet.start[1] if sheet.start else 0
    plan = []
    for i, spec in enumerate(specs):
        if spec.key in match.columns:
            column = _Column(i, spec, match.columns[spec.key] - col0, match.titles.get(spec.key, spec.label))
            column.letter = get_column_letter(match.columns[spec.key] + 1)
            plan.append(column)
    cover = _Merges(sheet, {column.at + col0 for column in plan})
    kept: dict[tuple[int, int], object] = {}
    width = len(specs)
    indexed = enumerate(sheet.iter_rows()) if window is None else enumerate(window[1], window[0])
    for index, cells in indexed:
        if index < match.row:
            continue
        size = len(cells)
        raws: list[object] = [None] * width
        blank = True
        for column in plan:
            at = column.at
            raw = cells[at] if 0 <= at < size else None
            if cover:
                raw = _merge_value(index, at + col0, raw, column.spec, cover, kept)
            raws[column.index] = raw
            if blank and raw is not None and raw != "" and (type(raw) is not str or not is_blank(raw)):
                blank = False
        if blank:
            continue
        row = index + 1
        values: list[object] = [None] * width
        bad = False
        for column in plan:
            raw = raws[column.index]
            try:
                if type(raw) is tuple:
                    raise CellValueError("合并单元格：数量须逐行填写，请取消合并", "merged cell: enter the volume on each row; unmerge the cells", "merged")
                if formulas and f"{column.letter}{row}" in formulas and is_blank(raw):
                    raise CellValueError("公式没有计算结果，请直接填写数值", "the formula has no computed value; enter the number itself", "formula")
                value = None if raw is None or raw == "" else column.value(raw)
                if value is None and column.spec.required:
                    raise CellValueError(f"必填，不能为空{column.spec.hint_zh}", f"required, cannot be blank{column.spec.hint_en}", "required")
                values[column.index] = value
            except CellValueError as exc:
                bad = True
                shown = brief(raw[1] if type(raw) is tuple else raw)
                sink.add(CellError(name, row, column.title, f"{column.letter}{row}", shown, exc.zh, exc.en, exc.code))
        yield SheetRow(row, tuple(values), bad)


def _merge_value(index: int, col: int, raw: object, spec: ColumnSpec, cover: _Merges, kept: dict[tuple[int, int], object]) -> object:
    """A cell's value with merges applied: text columns take the top-left value; number columns
    get a ``("merged", value)`` marker that the caller reports as an error."""
    if (index, col) in cover.origins:
        kept[(index, col)] = raw
    origin = cover.origin(index, col)
    if origin is not None and is_blank(raw):
        value = kept.get(origin)
        if spec.kind in _NUMERIC and not is_blank(value):
            return ("merged", value)
        return value
    return raw


def read_sheet(
    data: bytes,
    specs: Sequence[ColumnSpec],
    *,
    filename: str = "",
    preferred_sheets: Sequence[str] = (),
    limits: GuardLimits = DEFAULT_LIMITS,
    max_errors: int = MAX_ERRORS,
    on_rows: RowsHandler | None = None,
) -> SheetRead:
    """Read the data sheet of an uploaded workbook; raise only ``WorkbookError``.

    ``on_rows`` (which must not raise) is handed the data rows part by part as they are read
    (:data:`WINDOW_ROWS` at a time), with whether the read is still free of errors; the outcome
    is the same as without it."""
    with collector_paused():  # a sheet read makes a million objects: no cyclic collection meanwhile
        return _read_sheet(data, specs, filename, preferred_sheets, limits, max_errors, on_rows)


def _read_sheet(data: bytes, specs: Sequence[ColumnSpec], filename: str, preferred_sheets: Sequence[str],
                limits: GuardLimits, max_errors: int, on_rows: RowsHandler | None) -> SheetRead:
    """:func:`read_sheet`'s work."""
    info = check_xlsx(data, filename=filename, limits=limits)
    sink = ErrorSink(max_errors)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = _open(data)
            names = _candidates(book, info, preferred_sheets)
            if not names:
                raise CorruptWorkbookError("工作簿中没有可见的工作表", "the workbook has no visible worksheet")
            name, sheet, match = _choose(book, names, specs)
            for error in header_errors(name, match, specs):
                sink.add(error)
            table = Columns((), [()] * len(specs), ())
            if match is not None and not match.missing:
                table = _table(sheet, match, specs, info.formulas_of(name), sink, name, on_rows)
    except WorkbookError:
        raise
    except BaseException as exc:  # last line of defence: the reader raises only its own type
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit: not ours to swallow
        raise CorruptWorkbookError("工作簿无法读取（文件可能已损坏）", f"the workbook cannot be read ({type(exc).__name__})") from exc
    return SheetRead(name, tuple(specs), match, table, tuple(sink.items), sink.count)


def _table(sheet: pc.CalamineSheet, match: HeaderMatch, specs: Sequence[ColumnSpec], formulas: frozenset[str],
           sink: ErrorSink, name: str, on_rows: RowsHandler | None = None) -> Columns:
    """The data rows column by column (``imports.columns``), or by the row reader where that
    declines; with ``on_rows``, part by part (each handed over as soon as it is read)."""
    if on_rows is None:
        found = read_columns(sheet, match, specs, formulas, name)
        if found is not None:
            table, errors = found
            for error in errors:
                sink.add(error)
            return table
        return _by_rows(_rows(sheet, match, specs, formulas, sink, name), len(specs))
    if merged_in(sheet, {match.columns[spec.key] for spec in specs if spec.key in match.columns}):
        whole = _by_rows(_rows(sheet, match, specs, formulas, sink, name), len(specs))  # merges span parts
        on_rows(whole, sink.count == 0)
        return whole
    parts: list[Columns] = []
    cells = islice(sheet.iter_rows(), match.row, None)
    start = match.row
    while part := list(islice(cells, WINDOW_ROWS)):
        window = (start, part)
        found = read_columns(sheet, match, specs, formulas, name, window)
        if found is not None:
            table, errors = found
            for error in errors:
                sink.add(error)
        else:
            table = _by_rows(_rows(sheet, match, specs, formulas, sink, name, window), len(specs))
        del part, window
        parts.append(table)
        on_rows(table, sink.count == 0)
        start += WINDOW_ROWS
    return _joined(parts, len(specs))


def _by_rows(rows: Iterable[SheetRow], width: int) -> Columns:
    """Row records as columns."""
    rows = list(rows)
    return Columns([row.row for row in rows], [[row.values[i] for row in rows] for i in range(width)], [row.bad for row in rows])


def _joined(parts: Sequence[Columns], width: int) -> Columns:
    """Parts read in turn as one table."""
    if len(parts) == 1:
        return parts[0]
    return Columns(list(chain.from_iterable(p.rows for p in parts)),
                   [list(chain.from_iterable(p.values[i] for p in parts)) for i in range(width)],
                   list(chain.from_iterable(p.bad for p in parts)))
