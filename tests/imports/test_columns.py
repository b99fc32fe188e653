"""Issue 18 item 7: the column reader gives what the row reader gives, to the letter.

Every sheet is read twice, column by column (``imports.columns``) and row by row (the column
reader switched off), and the rows, values, errors and their order must be equal; the first
test makes sure the column reader really ran on the sheets where it should.
"""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.columns import read_columns
from imports.demand import demand_columns
from imports.headers import ColumnSpec
from imports.normalise import CellKind
from imports.reader import SheetRead, read_sheet
from tests.imports.conftest import HEADER, make_xlsx, row
from tests.imports.hostile import table

SPECS = (*demand_columns(hospital_required=True), ColumnSpec("price", "单价", "unit price", (), False, CellKind.DECIMAL))
WIDE = [*HEADER, "单价"]


def read(data: bytes, *, by_rows: bool = False, max_errors: int = 10_000) -> SheetRead:
    """Read with the default path, or with the column reader switched off."""
    if not by_rows:
        return read_sheet(data, SPECS, filename="t.xlsx", max_errors=max_errors)
    with patch("imports.reader.read_columns", return_value=None):
        return read_sheet(data, SPECS, filename="t.xlsx", max_errors=max_errors)


def same(data: bytes, *, max_errors: int = 10_000) -> SheetRead:
    """Assert both readers agree on everything; return the column reader's outcome."""
    fast, slow = read(data, max_errors=max_errors), read(data, by_rows=True, max_errors=max_errors)
    assert fast.rows == slow.rows
    assert fast.errors == slow.errors and fast.error_count == slow.error_count
    assert (fast.sheet, fast.header) == (slow.sheet, slow.header)
    return fast


def test_the_column_reader_runs_on_plain_sheets_and_declines_where_it_must():
    import io

    import python_calamine as pc

    from imports.headers import find_header

    def decides(data: bytes) -> bool:
        sheet = pc.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        head = list(sheet.iter_rows())[:30]
        return read_columns(sheet, find_header(head, SPECS), SPECS, frozenset(), "报量") is not None

    assert decides(make_xlsx([WIDE, [*row(), 1.5], [*row("I002"), "2.5"]]))
    assert not decides(make_xlsx([WIDE, [*row(), 1.5], [*row("I002", last=True), 2]]))  # TRUE beside numbers
    assert not decides(make_xlsx([WIDE, [*row(), 0], [*row("I002"), 2]]))  # a zero in a decimal column
    assert not decides(make_xlsx([WIDE, row(reason="a"), row("I002")], merges=["F2:F3"]))  # merged cells


def test_errors_of_every_kind_in_the_same_order_and_under_the_same_cap():
    rows = [WIDE]
    for n in range(300):
        rows.append(["H001", f"I00{n % 7}", [1000, -5, "约", 1.5, "１,２００", None][n % 6], [900, "", " ", 3.25, "1e3"][n % 5],
                     None, "x" * (n % 3), [None, -1, "abc", 2.5][n % 4]])
    rows.insert(40, [None] * 7)  # a blank row inside
    rows.insert(41, [None, None, None, None, None, None, None])
    data = make_xlsx(rows)
    assert same(data).error_count > 200
    assert same(data, max_errors=37).error_count > 200  # the same first 37 kept


def test_formula_cells_without_a_value_and_blank_columns():
    data = make_xlsx([WIDE, row(committed="=C2*0.9"), row("I002"), [None, None, None, None, "甲制药", None]])
    got = same(data)
    assert any(e.code == "formula" for e in got.errors)


def test_a_sheet_starting_below_and_right_of_a1():
    data = make_xlsx([[None] * 3, [None, None, None, *HEADER], [None, None, None, *row()], [None, None, None, *row("I002", last="x")]])
    got = same(data)
    assert [e.cell for e in got.errors] == ["F4"] and [r.row for r in got.rows] == [3, 4]


def test_a_large_sheet_reads_the_same():
    rows = [WIDE, *([f"H00{n % 3}", f"I00{n % 5}", 1000 + n, 900 + n, "甲制药" if n % 4 else None, None, None] for n in range(5000))]
    got = same(table("报量", rows))
    assert len(got.rows) == 5000 and not got.errors


CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=8),
    st.integers(-(10**6), 10**16),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e17),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["１２３", "1,200", " 7 ", "I001", "i002", "H001", "甲制药", "=1/0", "#N/A", "-0", "1e3", "", "　", "0"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=8), st.integers(1, 5))
def test_random_sheets_read_the_same(rows, cap):
    data = make_xlsx([WIDE, *rows])
    same(data)
    same(data, max_errors=cap)


def windowed(data: bytes, size: int, *, max_errors: int = 10_000) -> SheetRead:
    """Read handing the rows over in parts of ``size`` (``on_rows``); assert the outcome is the
    plain read's, the parts make it up in order, and each says truly whether the read is clean."""
    handed: list[tuple[tuple[int, ...], bool]] = []
    with patch("imports.reader.WINDOW_ROWS", size):
        got = read_sheet(data, SPECS, filename="t.xlsx", max_errors=max_errors,
                         on_rows=lambda part, clean: handed.append((tuple(part.rows), clean)))
    plain = read(data, max_errors=max_errors)
    assert got.rows == plain.rows and got.errors == plain.errors and got.error_count == plain.error_count
    assert [r for rows, _clean in handed for r in rows] == [r.row for r in got.rows]
    flags = [clean for _rows, clean in handed]
    assert flags == sorted(flags, reverse=True)  # once an error is found, never clean again
    if got.error_count == 0:
        assert all(flags)
    elif handed:
        assert not flags[-1]
    return got


def test_reading_in_parts_changes_nothing():
    mixed = [WIDE, [*row(), 1.5], [*row("I002"), 2], [None] * 7, [*row("I003"), "3"], [*row("I004", last=True), 0]]
    for data in (make_xlsx(mixed), make_xlsx([WIDE, row(reason="a"), row("I002"), row("I003")], merges=["F2:F3"]),
                 make_xlsx([WIDE, row(committed="=C2*0.9"), row("I002"), [None, None, None, None, "甲制药", None]])):
        for size in (1, 2, 3, 100):
            windowed(data, size)
            windowed(data, size, max_errors=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=8), st.integers(1, 3), st.integers(1, 5))
def test_random_sheets_read_in_parts_the_same(rows, size, cap):
    windowed(make_xlsx([WIDE, *rows]), size, max_errors=cap)
