"""Issue 18 item 7: the column-wise demand rules find what the row-by-row rules found.

``_row_by_row`` below is the row-by-row check the platform ran before (kept here as the
reference): every sheet is checked both ways, and the accepted rows, the errors, their order
and the count must be equal, including past the cap of the error list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.demand import (
    BatchItem,
    BrandOption,
    DemandParse,
    DemandRow,
    _brand_lookup,
    _fold,
    _validate,
    demand_columns,
)
from imports.errors import CellError, ErrorSink
from imports.reader import SheetRead, SheetRow, read_sheet
from tests.imports.conftest import BRANDS, CONTEXT, HEADER, ITEMS, make_xlsx
from tests.imports.hostile import table


class _RowChecker:
    """Applies the demand rules to the rows of one sheet read."""

    def __init__(self, read: SheetRead, items: Sequence[BatchItem], floor: Decimal, brands: Sequence[BrandOption]) -> None:
        """Index columns and lookups once."""
        self.read, self.floor = read, floor
        self.num, self.den = floor.as_integer_ratio()  # exact integer comparison, no Decimal per row
        self.items = {_fold(item.code) for item in items}
        self.brands = _brand_lookup(brands)
        self.at = {spec.key: read.index(spec.key) for spec in read.specs}
        self.errors = ErrorSink()
        self.errors.absorb(read.errors, read.error_count)

    def fail(self, key: str, row: int, value: object, zh: str, en: str, code: str) -> None:
        """Record a rule error on a column of a row."""
        shown = "" if value is None else str(value)
        self.errors.add(CellError(self.read.sheet, row, self.read.column_name(key), self.read.cell(key, row), shown, zh, en, code))

    def check(self, row: SheetRow, hospital: str) -> DemandRow | None:
        """Check one row; return the accepted line or None when a rule failed."""
        v, n, ok = row.values, row.row, not row.bad
        item, last, committed = v[self.at["item_code"]], v[self.at["last_year_use"]], v[self.at["committed"]]
        brand_text, reason = v[self.at["preferred_brand"]], v[self.at["reason"]]
        if item is not None and item not in self.items:
            ok = False
            self.fail("item_code", n, item, f"品种编码「{item}」不属于本批次", f"item code '{item}' is not in this batch", "unknown_item")
        if last is not None and committed is not None and reason is None and committed * self.den < self.num * last:
            ok = False
            least = math.ceil(self.floor * last)
            pct = f"{(self.floor * 100).normalize():f}%"
            self.fail("committed", n, committed, f"承诺量 {committed} 低于下限 {least}（上年用量 {last} × {pct}），请提高或在「原因」列说明", f"committed {committed} is below the floor {least} (last year {last} × {pct}); raise it or give a reason", "below_floor")
        brand = None
        if brand_text is not None:
            found = self.brands.get(str(brand_text).upper())  # already folded by the reader
            if found is None:
                ok = False
                self.fail("preferred_brand", n, brand_text, f"未知的意向品牌「{brand_text}」，请从下拉列表选择", f"unknown preferred brand '{brand_text}'; pick one from the list", "unknown_brand")
            elif found.item_codes and item not in {_fold(c) for c in found.item_codes}:
                ok = False
                self.fail("preferred_brand", n, brand_text, f"品牌「{found.name}」不供应品种「{item}」", f"brand '{found.name}' does not offer item '{item}'", "brand_item")
            else:
                brand = found.code
        if not ok or item is None or last is None or committed is None:
            return None
        return DemandRow(hospital, item, last, committed, brand, reason, n)


def _row_by_row(read: SheetRead, items: Sequence[BatchItem], floor: Decimal, brands: Sequence[BrandOption], own: str | None, allowed: frozenset[str] | None) -> tuple:
    """Run the row rules and the duplicate check over a sheet read."""
    checker = _RowChecker(read, items, floor, brands)
    h_at, i_at = checker.at["hospital_code"], checker.at["item_code"]
    seen: dict[tuple[str, str], int] = {}  # (hospital, item) → the first row holding it
    flagged: set[int] = set()
    accepted: dict[int, DemandRow] = {}
    for row in read.rows:
        code = row.values[h_at]
        hospital = own if own is not None else code
        if own is not None and code is not None and code != own:
            checker.fail("hospital_code", row.row, code, f"医院编码「{code}」不是本院（{own}），只能报送本院的数据", f"hospital code '{code}' is not yours ({own}); report only your own hospital", "other_hospital")
            hospital = None
        elif allowed is not None and code is not None and code not in allowed:
            checker.fail("hospital_code", row.row, code, f"未知的医院编码「{code}」", f"unknown hospital code '{code}'", "unknown_hospital")
            hospital = None
        line = checker.check(row, hospital or "")
        item = row.values[i_at]
        if hospital is not None and item is not None:
            first = seen.get((hospital, item))
            if first is not None:
                accepted.pop(first, None)
                if first not in flagged:
                    flagged.add(first)
                    checker.fail("item_code", first, item, f"重复：医院 {hospital} 的品种「{item}」在第 {row.row} 行再次出现", f"duplicate: item '{item}' of hospital {hospital} appears again on row {row.row}", "duplicate")
                checker.fail("item_code", row.row, item, f"重复：医院 {hospital} 的品种「{item}」已在第 {first} 行填写", f"duplicate: item '{item}' of hospital {hospital} is already on row {first}", "duplicate")
                continue
            seen[(hospital, item)] = row.row
        if line is not None and hospital is not None:
            accepted[row.row] = line
    sink = checker.errors
    return tuple(accepted.values()), sink.listed(), sink.count


def both(data: bytes, *, bulk: bool) -> DemandParse:
    """Check a sheet column-wise and row by row; assert the outcomes are equal; return it."""
    read = read_sheet(data, demand_columns(hospital_required=bulk), filename="d.xlsx")
    context = (None, frozenset({"H001", "H002"})) if bulk else (_fold(CONTEXT.hospital_code), None)
    new = _validate(read, ITEMS, Decimal("0.8"), BRANDS, *context)
    old = _row_by_row(read, ITEMS, Decimal("0.8"), BRANDS, *context)
    rows, errors, count = old
    assert new.rows == rows and new.count == len(rows)
    assert new.errors == errors and new.error_count == count
    return new


def test_every_rule_in_the_same_order():
    rows = [HEADER]
    for n in range(400):
        hospital = ["H001", "H002", "H009", None, "h001"][n % 5]
        item = ["I001", "I002", "I003", "I009", "I001", None][n % 6]
        last, committed = [(1000, 900), (1000, 700), (500, 0), (0, 0), (None, 5)][n % 5]
        brand = [None, "甲制药", "乙制药", "丙制药", "B02（乙制药）"][n % 5]
        reason = [None, None, "停用"][n % 3]
        rows.append([hospital, item, last, committed, brand, reason])
    data = make_xlsx(rows)
    for bulk in (False, True):
        got = both(data, bulk=bulk)
        assert {e.code for e in got.errors} >= {"duplicate", "unknown_item", "below_floor", "unknown_brand", "brand_item"}


def test_a_clean_sheet_is_accepted_whole():
    rows = [HEADER, *([f"H00{1 + n % 2}", f"I00{1 + n % 5}", 1000, 900, "甲制药" if n % 2 else None, None] for n in range(10))]
    got = both(make_xlsx(rows), bulk=True)
    assert got.ok and len(got.rows) == 10 and got.rows[0] == DemandRow("H001", "I001", 1000, 900, None, None, 2)


def test_past_the_cap_the_same_first_errors_are_kept():
    rows = [HEADER, *(["H001", ["I001", "I009", "I002"][n % 3], 1000, 100 if n % 2 else 900, None, None] for n in range(12_000))]
    got = both(table("报量", rows), bulk=True)
    assert got.error_count > 10_000 and len(got.errors) == 10_001


CELL = st.one_of(st.none(), st.sampled_from(["H001", "H002", "H003", "I001", "I002", "I004", "I009", "甲制药", "乙制药", "x", " "]),
                 st.integers(0, 2000), st.sampled_from([-1, 1.5, "１２０", "1,000"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(st.lists(CELL, min_size=6, max_size=6), max_size=12), st.booleans())
def test_random_sheets_are_checked_the_same(rows, bulk):
    both(make_xlsx([HEADER, *rows]), bulk=bulk)
