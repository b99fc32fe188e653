"""The hospital demand sheet (报量): columns, per-batch context, and the row rules.

Rules on every row: the item belongs to the batch; volumes are whole and ≥ 0 (0 is a valid
answer: "we do not use this item"); committed ≥ floor × last year's use unless a reason is
given (so committed 0 against a positive last year needs a reason); in a renewal batch (接续)
committed ≥ the hospital's actual accepted quantity of the last cycle, whatever the reason; an item appears once per
hospital (each repeat names the first row it repeats, and the first row names its first
repeat: the error list stays linear in the file); the hospital code, if the sheet has one, is the uploader's
own (bureau bulk files: one of the given hospitals); a preferred brand must be one offered.
Items of the batch missing from the sheet are not an error here: the service decides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from core.export import safe_text
from imports.errors import CellError
from imports.headers import ColumnSpec
from imports.normalise import CellKind, clean_text
from imports.reader import ErrorSink, SheetRead, SheetRow, read_sheet
from imports.xlsx_guard import GuardLimits

#: a hospital's sheet has one row per item of the batch; a bureau file, its hospitals' rows
HOSPITAL_LIMITS = GuardLimits(max_rows=20_000)
BULK_LIMITS = GuardLimits(max_rows=200_000)

DATA_SHEET = "报量"
_ZERO_HINT_ZH, _ZERO_HINT_EN = "（不采购请填 0）", " (enter 0 if you do not buy this item)"


@dataclass(frozen=True)
class BatchItem:
    """An item of the batch as the template shows it."""

    code: str
    name: str
    form: str = ""
    spec: str = ""
    unit: str = ""


@dataclass(frozen=True)
class BrandOption:
    """A brand a hospital may name as preferred; ``item_codes`` empty means any item."""

    code: str
    name: str
    item_codes: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """What the template dropdown shows: ``name（code）``."""
        return f"{self.name}（{self.code}）"


@dataclass(frozen=True)
class DemandContext:
    """Everything the reader needs about one hospital's upload for one batch (plain data)."""

    hospital_code: str
    hospital_name: str
    batch_code: str
    items: tuple[BatchItem, ...]
    floor_ratio: Decimal = Decimal("0.8")
    brands: tuple[BrandOption, ...] = ()
    floors: Mapping[tuple[str, str], int] = field(default_factory=dict)  # renewal: (hospital, item) → least


@dataclass(frozen=True)
class BulkDemandContext:
    """A bureau-side file holding many hospitals' rows; hospital codes checked against a set."""

    batch_code: str
    items: tuple[BatchItem, ...]
    hospital_codes: frozenset[str]
    floor_ratio: Decimal = Decimal("0.8")
    brands: tuple[BrandOption, ...] = ()
    floors: Mapping[tuple[str, str], int] = field(default_factory=dict)  # renewal: (hospital, item) → least


@dataclass(frozen=True, slots=True)
class DemandRow:
    """One accepted demand line."""

    hospital_code: str
    item_code: str
    last_year_use: int
    committed: int
    preferred_brand: str | None
    reason: str | None
    row: int


@dataclass(frozen=True)
class DemandParse:
    """Parsed rows and every error; ``ok`` only when there is no error at all (all or nothing)."""

    sheet: str
    rows: tuple[DemandRow, ...]
    errors: tuple[CellError, ...]
    error_count: int

    @property
    def ok(self) -> bool:
        """True when the upload can be applied."""
        return self.error_count == 0


def demand_columns(*, hospital_required: bool) -> tuple[ColumnSpec, ...]:
    """The demand sheet's columns; the hospital code is required only in bulk files."""
    return (
        ColumnSpec("hospital_code", "医院编码", "hospital code", ("医疗机构编码", "机构编码", "医院代码", "机构代码", "institution code", "hospital id"), hospital_required, CellKind.CODE),
        ColumnSpec("item_code", "品种编码", "item code", ("品种代码", "产品编码", "药品编码", "项目编码", "item"), True, CellKind.CODE),
        ColumnSpec("last_year_use", "上年用量", "last year's use", ("上年度用量", "上年使用量", "上年度使用量", "上年采购量", "上年度采购量", "历史用量", "last year use", "prior year use"), True, CellKind.COUNT, _ZERO_HINT_ZH, _ZERO_HINT_EN),
        ColumnSpec("committed", "承诺年采购量", "committed annual volume", ("承诺采购量", "报送量", "报量", "需求量", "年度需求量", "预计采购量", "采购需求量", "committed", "committed volume", "annual volume", "demand"), True, CellKind.COUNT, _ZERO_HINT_ZH, _ZERO_HINT_EN),
        ColumnSpec("preferred_brand", "意向品牌", "preferred brand", ("意向企业", "首选品牌", "意向产品", "brand"), False, CellKind.TEXT),
        ColumnSpec("reason", "原因", "reason", ("低于下限原因", "说明", "理由", "情况说明", "reason for lower volume"), False, CellKind.TEXT),
    )


def _brand_lookup(brands: Sequence[BrandOption]) -> dict[str, BrandOption]:
    """Brand by code, label (also as the template's dropdown shows it, neutralised against formula
    injection) or (when unique) name, all upper-cased."""
    names: dict[str, list[BrandOption]] = {}
    for brand in brands:
        names.setdefault(_fold(brand.name), []).append(brand)
    table = {name: found[0] for name, found in names.items() if len(found) == 1}
    for brand in brands:
        table[_fold(brand.label)] = brand
        table[_fold(safe_text(brand.label))] = brand
        table[_fold(brand.code)] = brand
    return table


def _fold(text: str) -> str:
    """Fold a brand text the way cells are folded (width, spaces), upper-cased."""
    return (clean_text(text) or "").upper()


class _Checker:
    """Applies the demand rules to the rows of one sheet read."""

    def __init__(self, read: SheetRead, items: Sequence[BatchItem], floor: Decimal, brands: Sequence[BrandOption],
                 floors: Mapping[tuple[str, str], int] | None = None) -> None:
        """Index columns and lookups once."""
        self.read, self.floor = read, floor
        self.floors = {(_fold(h), _fold(i)): least for (h, i), least in (floors or {}).items()}
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
        least = self.floors.get((hospital, item)) if item is not None else None
        if least is not None and committed is not None and committed < least:
            ok = False
            self.fail("committed", n, committed, f"接续采购：承诺量 {committed} 低于上一周期实际采购量 {least}，接续须带量，不能低于此数",
                      f"renewal: committed {committed} is below last cycle's actual accepted quantity {least}; a renewal "
                      "carries volume and may not go below it", "below_renewal_floor")
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


def _validate(read: SheetRead, items: Sequence[BatchItem], floor: Decimal, brands: Sequence[BrandOption], own: str | None, allowed: frozenset[str] | None, floors: Mapping[tuple[str, str], int] | None = None) -> DemandParse:
    """Run the row rules and the duplicate check over a sheet read."""
    checker = _Checker(read, items, floor, brands, floors)
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
    return DemandParse(read.sheet, tuple(accepted.values()), sink.listed(), sink.count)


def read_demand_workbook(data: bytes, *, filename: str, context: DemandContext, limits: GuardLimits = HOSPITAL_LIMITS) -> DemandParse:
    """Read one hospital's demand upload; raise only ``WorkbookError`` (file-level problems)."""
    read = read_sheet(data, demand_columns(hospital_required=False), filename=filename, preferred_sheets=(DATA_SHEET, "demand"), limits=limits)
    own = _fold(context.hospital_code)
    return _validate(read, context.items, context.floor_ratio, context.brands, own, None, context.floors)


def read_demand_workbook_bulk(data: bytes, *, filename: str, context: BulkDemandContext, limits: GuardLimits = BULK_LIMITS) -> DemandParse:
    """Read a bureau-side file with a hospital-code column and many hospitals' rows."""
    read = read_sheet(data, demand_columns(hospital_required=True), filename=filename, preferred_sheets=(DATA_SHEET, "demand"), limits=limits)
    allowed = frozenset(_fold(code) for code in context.hospital_codes)
    return _validate(read, context.items, context.floor_ratio, context.brands, None, allowed, context.floors)
