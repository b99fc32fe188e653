"""Reading a sheet column by column: each distinct value of a column is normalised once.

The row reader (``imports.reader._rows``) calls a normaliser per cell, 433,500 times for a
100,000-row demand file. Here each mapped column is taken whole from the sheet, its distinct
values are normalised once (codes, volumes and brands repeat a great deal), and the column is
mapped through that table in one pass; errors are looked for only in columns whose table
holds one. The outcome is the row reader's to the letter: the same rows, values and errors,
added to the error list in the same order (row, then column), so the same first errors are
kept under the cap (``tests/imports/test_columns.py`` compares the two on many sheets).

It declines (returns None, and the row reader runs) where a table keyed by value could merge
two cells that read differently: TRUE beside 1 (``True == 1``), whole numbers as ints beside
floats (10**16 and 1e16 are equal but shown differently), a zero in a decimal column (-0.0
and 0.0), unhashable values; and where merged cells touch a read column (their spreading
depends on the order cells are met in).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

import python_calamine as pc
from openpyxl.utils import get_column_letter

from imports.errors import CellError
from imports.headers import ColumnSpec, HeaderMatch
from imports.normalise import CellKind, CellValueError, brief, is_blank, normalise_cell

_FORMULA = ("公式没有计算结果，请直接填写数值", "the formula has no computed value; enter the number itself", "formula")


@dataclass(frozen=True)
class Columns:
    """The non-blank data rows of a sheet, column by column.

    ``rows[n]`` is the Excel row of the n-th kept row; ``values[i][n]`` its value in the column
    of ``specs[i]`` (None: blank, bad or absent column); ``bad[n]`` True when a cell of it had an error.
    """

    rows: Sequence[int]
    values: Sequence[Sequence[object]]
    bad: Sequence[bool]


@dataclass(frozen=True, slots=True)
class _Planned:
    """One mapped column: its spec's index, the spec, its index in calamine's rows, letter, title."""

    index: int
    spec: ColumnSpec
    at: int
    letter: str
    title: str


class _Declined(Exception):
    """This sheet is for the row reader."""


def read_columns(sheet: pc.CalamineSheet, match: HeaderMatch, specs: Sequence[ColumnSpec],
                 formulas: frozenset[str], name: str,
                 window: tuple[int, Sequence[Sequence[object]]] | None = None) -> tuple[Columns, list[CellError]] | None:
    """The rows below the header, column by column, and their cell errors in row-reader order;
    None where this reader declines (see the module docstring). ``window``: only these rows of
    calamine's (the index of the first, and the rows), the caller reading the sheet in parts."""
    col0 = sheet.start[1] if sheet.start else 0
    plan = [_Planned(i, spec, match.columns[spec.key] - col0, get_column_letter(match.columns[spec.key] + 1),
                     match.titles.get(spec.key, spec.label))
            for i, spec in enumerate(specs) if spec.key in match.columns]
    if merged_in(sheet, {p.at + col0 for p in plan}):
        return None
    start, cells = window if window is not None else (match.row, islice(sheet.iter_rows(), match.row, None))
    try:
        return _read(cells, start, specs, plan, formulas, name)
    except _Declined:
        return None


def merged_in(sheet: pc.CalamineSheet, columns: set[int]) -> bool:
    """True when a merged range touches one of the (sheet-absolute) columns."""
    return any(columns.intersection(range(c0, c1 + 1)) for (_r0, c0), (_r1, c1) in sheet.merged_cell_ranges or ())


def _read(cells: Iterable[Sequence[object]], start: int, specs: Sequence[ColumnSpec], plan: list[_Planned],
          formulas: frozenset[str], name: str) -> tuple[Columns, list[CellError]]:
    """Take the mapped columns whole, drop blank rows, normalise, collect errors (``start``: the
    index in calamine's rows of the first of ``cells``)."""
    pick = itemgetter(*(p.at for p in plan)) if len(plan) > 1 else (lambda cells: (cells[plan[0].at],))
    try:  # iter_rows pads rows above the sheet's start, so row n of it is Excel row n + 1
        picked = list(map(pick, cells))
    except IndexError as exc:  # a row shorter than the range: not expected, but the row reader copes
        raise _Declined from exc
    raws = list(zip(*picked, strict=True)) if picked else [() for _ in plan]
    del picked
    tables = [_table(raw, p.spec) for raw, p in zip(raws, plan, strict=True)]
    keep = _kept(raws, tables)
    first = start + 1  # Excel row of raws[...][0]
    rows = [first + n for n in keep] if keep is not None else list(range(first, first + len(raws[0])))
    values: list[Sequence[object]] = [[None] * len(rows)] * len(specs)  # absent columns: one shared list of None
    found: list[tuple[int, int, CellError]] = []
    for p, raw, (norm, errors, _blanks) in zip(plan, raws, tables, strict=True):
        column = raw if keep is None else [raw[n] for n in keep]
        values[p.index] = mapped = list(map(norm.__getitem__, column))
        cells = _formula_rows(formulas, p.letter)
        if errors or cells or (p.spec.required and None in norm.values()):
            found.extend(_errors(p, column, mapped, rows, errors, cells, name))
    found.sort(key=lambda e: (e[0], e[1]))
    bad = [False] * len(rows)
    for n, _at, _error in found:
        bad[n] = True
    return Columns(rows, values, bad), [error for _n, _at, error in found]


def _table(raw: Sequence[object], spec: ColumnSpec) -> tuple[dict, dict, set]:
    """Each distinct value of a column → its normalised value (None when bad), its error, and the
    set of values that leave a cell blank."""
    kinds = set(map(type, raw))
    if bool in kinds or (int in kinds and float in kinds):
        raise _Declined
    try:
        distinct = set(raw)
    except TypeError as exc:
        raise _Declined from exc
    if spec.kind is CellKind.DECIMAL and 0 in distinct:
        raise _Declined
    norm: dict[object, object] = {}
    errors: dict[object, CellValueError] = {}
    for value in distinct:
        try:
            norm[value] = None if value is None or value == "" else normalise_cell(value, spec.kind)
        except CellValueError as exc:
            norm[value], errors[value] = None, exc
    return norm, errors, {value for value in distinct if is_blank(value)}


def _kept(raws: list[Sequence[object]], tables: list[tuple[dict, dict, set]]) -> list[int] | None:
    """Indexes of the rows with any non-blank read cell; None when that is every row."""
    if not raws or any(not blanks for _n, _e, blanks in tables):
        return None  # some column is filled on every row
    marks = [[value not in blanks for value in raw] for raw, (_n, _e, blanks) in zip(raws, tables, strict=True)]
    keep = [n for n, filled in enumerate(zip(*marks, strict=True)) if any(filled)]
    return None if len(keep) == len(raws[0]) else keep


def _formula_rows(formulas: frozenset[str], letter: str) -> set[int]:
    """Excel rows whose cell in this column holds a formula."""
    if not formulas:
        return set()
    size = len(letter)
    return {int(ref[size:]) for ref in formulas if ref.startswith(letter) and ref[size:].isdigit()}


def _errors(p: _Planned, column: Sequence[object], mapped: list[object], rows: Sequence[int],
            errors: dict[object, CellValueError], formula_rows: set[int], name: str):
    """The column's cell errors as (row index, column order, error), as the row reader words them."""
    spec = p.spec
    for n, raw in enumerate(column):
        row = rows[n]
        if formula_rows and row in formula_rows and is_blank(raw):
            zh, en, code = _FORMULA
        elif raw in errors:
            exc = errors[raw]
            zh, en, code = exc.zh, exc.en, exc.code
        elif mapped[n] is None and spec.required:
            zh, en, code = f"必填，不能为空{spec.hint_zh}", f"required, cannot be blank{spec.hint_en}", "required"
        else:
            continue
        mapped[n] = None
        yield n, p.index, CellError(name, row, p.title, f"{p.letter}{row}", brief(raw), zh, en, code)
