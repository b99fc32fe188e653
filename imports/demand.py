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
from functools import cached_property
from itertools import compress
from typing import NamedTuple

from core.bulk import collector_paused
from core.export import safe_text
from imports.columns import Columns
from imports.errors import CellError
from imports.headers import ColumnSpec
from imports.normalise import CellKind, clean_text
from imports.reader import ErrorSink, RowsHandler, SheetRead, read_sheet
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


class DemandRow(NamedTuple):
    """One accepted demand line (a named tuple: a bureau file makes 200,000 of them)."""

    hospital_code: str
    item_code: str
    last_year_use: int
    committed: int
    preferred_brand: str | None
    reason: str | None
    row: int


@dataclass(frozen=True)
class DemandParse:
    """Accepted rows and every error; ``ok`` only when there is no error at all (all or nothing).

    ``columns`` holds the accepted rows column by column, in :class:`DemandRow` field order (what
    a bulk write takes); ``rows`` makes the row records on first use."""

    sheet: str
    columns: tuple[Sequence, ...]
    errors: tuple[CellError, ...]
    error_count: int

    @cached_property
    def rows(self) -> tuple[DemandRow, ...]:
        """The accepted rows, one record each."""
        return tuple(map(DemandRow._make, zip(*self.columns, strict=True)))

    @property
    def count(self) -> int:
        """How many rows were accepted."""
        return len(self.columns[0])

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


class _Rules:
    """Applies the demand rules to a sheet read, column by column.

    Each rule looks at the distinct values of its columns (codes and brands repeat a great
    deal) and visits rows only where a value fails. Errors are added to the list in the order
    a row-by-row check would add them: row by row, and within a row hospital, item, floor,
    brand, then the duplicate pair; so the same first errors are kept under the cap
    (``tests/imports/test_demand_rules.py`` compares with the row-by-row check)."""

    def __init__(self, read: SheetRead, items: Sequence[BatchItem], floor: Decimal, brands: Sequence[BrandOption],
                 floors: Mapping[tuple[str, str], int] | None = None) -> None:
        """Index columns and lookups once."""
        self.read, self.floor = read, floor
        self.floors = {(_fold(h), _fold(i)): least for (h, i), least in (floors or {}).items()}
        self.num, self.den = floor.as_integer_ratio()  # exact integer comparison, no Decimal per row
        self.items = {_fold(item.code) for item in items}
        self.brands = _brand_lookup(brands)
        self.at = {spec.key: read.index(spec.key) for spec in read.specs}
        self.found: list[tuple[int, int, CellError]] = []  # (row index, order within the row, error)

    def column(self, key: str) -> Sequence[object]:
        """The values of one column, a row each."""
        return self.read.columns.values[self.at[key]]

    def fail(self, n: int, order: int, key: str, row: int, value: object, zh: str, en: str, code: str) -> None:
        """Record a rule error on a column of a row (``n``: the row's index, for the order)."""
        shown = "" if value is None else str(value)
        self.found.append((n, order, CellError(self.read.sheet, row, self.read.column_name(key), self.read.cell(key, row), shown, zh, en, code)))

    def hospitals(self, own: str | None, allowed: frozenset[str] | None) -> list[str | None]:
        """Each row's hospital (None where its code is refused), recording the refusals."""
        codes, rows = self.column("hospital_code"), self.read.columns.rows
        if own is not None:
            wrong = {code for code in set(codes) if code is not None and code != own}
        else:
            wrong = {code for code in set(codes) if code is not None and code not in allowed}
        if not wrong:
            return [own] * len(codes) if own is not None else list(codes)
        out: list[str | None] = []
        for n, code in enumerate(codes):
            if code in wrong:
                if own is not None:
                    self.fail(n, 0, "hospital_code", rows[n], code, f"医院编码「{code}」不是本院（{own}），只能报送本院的数据", f"hospital code '{code}' is not yours ({own}); report only your own hospital", "other_hospital")
                else:
                    self.fail(n, 0, "hospital_code", rows[n], code, f"未知的医院编码「{code}」", f"unknown hospital code '{code}'", "unknown_hospital")
                out.append(None)
            else:
                out.append(own if own is not None else code)
        return out

    def unknown_items(self) -> set[int]:
        """Rows whose item is not in the batch."""
        items, rows = self.column("item_code"), self.read.columns.rows
        unknown = {item for item in set(items) if item is not None and item not in self.items}
        failed = set()
        if unknown:
            for n, item in enumerate(items):
                if item in unknown:
                    failed.add(n)
                    self.fail(n, 1, "item_code", rows[n], item, f"品种编码「{item}」不属于本批次", f"item code '{item}' is not in this batch", "unknown_item")
        return failed

    def below_floor(self) -> set[int]:
        """Rows whose committed volume is below the floor without a reason."""
        num, den, rows = self.num, self.den, self.read.columns.rows
        lasts, committed, reasons = self.column("last_year_use"), self.column("committed"), self.column("reason")
        low = [n for n, (last, done, reason) in enumerate(zip(lasts, committed, reasons, strict=True))
               if reason is None and last is not None and done is not None and done * den < num * last]
        pct = f"{(self.floor * 100).normalize():f}%"
        for n in low:
            last, done = lasts[n], committed[n]
            least = math.ceil(self.floor * last)
            self.fail(n, 2, "committed", rows[n], done, f"承诺量 {done} 低于下限 {least}（上年用量 {last} × {pct}），请提高或在「原因」列说明", f"committed {done} is below the floor {least} (last year {last} × {pct}); raise it or give a reason", "below_floor")
        return set(low)

    def below_renewal_floor(self, hospitals: Sequence[str | None]) -> set[int]:
        """Rows of a renewal batch (接续) whose committed volume is below the hospital's actual
        accepted quantity of the last cycle (no reason excuses it: a renewal carries volume)."""
        if not self.floors:
            return set()
        items, committed, rows = self.column("item_code"), self.column("committed"), self.read.columns.rows
        low = set()
        for n, (hospital, item, done) in enumerate(zip(hospitals, items, committed, strict=True)):
            least = self.floors.get((hospital or "", item)) if item is not None else None
            if least is not None and done is not None and done < least:
                low.add(n)
                self.fail(n, 2, "committed", rows[n], done, f"接续采购：承诺量 {done} 低于上一周期实际采购量 {least}，接续须带量，不能低于此数",
                          f"renewal: committed {done} is below last cycle's actual accepted quantity {least}; a renewal "
                          "carries volume and may not go below it", "below_renewal_floor")
        return low

    def brands_of(self) -> tuple[list[str | None], set[int]]:
        """Each row's preferred brand code, and the rows whose brand is unknown or not for the item."""
        texts, items, rows = self.column("preferred_brand"), self.column("item_code"), self.read.columns.rows
        found = {text: self.brands.get(str(text).upper()) for text in set(texts) if text is not None}  # already folded
        if not found:
            return [None] * len(texts), set()
        offers = {brand: {_fold(c) for c in brand.item_codes} for brand in found.values() if brand is not None and brand.item_codes}
        failed: set[int] = set()
        out: list[str | None] = [None] * len(texts)
        for n, text in enumerate(texts):
            if text is None:
                continue
            brand = found[text]
            if brand is None:
                failed.add(n)
                self.fail(n, 3, "preferred_brand", rows[n], text, f"未知的意向品牌「{text}」，请从下拉列表选择", f"unknown preferred brand '{text}'; pick one from the list", "unknown_brand")
            elif offers and brand in offers and items[n] not in offers[brand]:
                failed.add(n)
                self.fail(n, 3, "preferred_brand", rows[n], text, f"品牌「{brand.name}」不供应品种「{items[n]}」", f"brand '{brand.name}' does not offer item '{items[n]}'", "brand_item")
            else:
                out[n] = brand.code
        return out, failed

    def duplicates(self, hospitals: Sequence[str | None]) -> set[int]:
        """Rows repeating a (hospital, item) pair, and the first rows they repeat: each repeat names
        the first row, and the first row names its first repeat."""
        items, rows = self.column("item_code"), self.read.columns.rows
        if None in hospitals or None in items:
            pairs = [(h, i) for h, i in zip(hospitals, items, strict=True) if h is not None and i is not None]
            size = len(pairs)
        else:  # every row has both: no list needed
            pairs, size = zip(hospitals, items, strict=True), len(items)
        if len(set(pairs)) == size:
            return set()
        seen: dict[tuple[str, str], int] = {}  # pair → index of the first row holding it
        flagged: set[int] = set()
        for n, (hospital, item) in enumerate(zip(hospitals, items, strict=True)):
            if hospital is None or item is None:
                continue
            first = seen.setdefault((hospital, item), n)
            if first == n:
                continue
            if first not in flagged:
                flagged.add(first)
                self.fail(n, 4, "item_code", rows[first], item, f"重复：医院 {hospital} 的品种「{item}」在第 {rows[n]} 行再次出现", f"duplicate: item '{item}' of hospital {hospital} appears again on row {rows[n]}", "duplicate")
            flagged.add(n)
            self.fail(n, 5, "item_code", rows[n], item, f"重复：医院 {hospital} 的品种「{item}」已在第 {rows[first]} 行填写", f"duplicate: item '{item}' of hospital {hospital} is already on row {rows[first]}", "duplicate")
        return flagged


def _validate(read: SheetRead, items: Sequence[BatchItem], floor: Decimal, brands: Sequence[BrandOption], own: str | None, allowed: frozenset[str] | None,
              floors: Mapping[tuple[str, str], int] | None = None) -> DemandParse:
    """Run the row rules and the duplicate check over a sheet read; accept the rows that pass."""
    with collector_paused():  # the rules and the accepted columns: many objects, no cycles
        return _validated(read, items, floor, brands, own, allowed, floors)


def _validated(read: SheetRead, items: Sequence[BatchItem], floor: Decimal, brands: Sequence[BrandOption], own: str | None,
               allowed: frozenset[str] | None, floors: Mapping[tuple[str, str], int] | None) -> DemandParse:
    """:func:`_validate`'s work."""
    rules = _Rules(read, items, floor, brands, floors)
    hospitals = rules.hospitals(own, allowed)
    failed = rules.unknown_items() | rules.below_floor()
    failed |= rules.below_renewal_floor(hospitals)  # after the floor: a stable sort keeps that order in a row
    brand_codes, wrong_brand = rules.brands_of()
    failed |= wrong_brand | rules.duplicates(hospitals)
    table = read.columns
    columns = (hospitals, rules.column("item_code"), rules.column("last_year_use"), rules.column("committed"),
               brand_codes, rules.column("reason"), table.rows)
    if failed or any(table.bad) or any(None in column for column in columns[:4]):
        keep = [not table.bad[n] and n not in failed and None not in line
                for n, line in enumerate(zip(*columns[:4], strict=True))]
        columns = tuple(list(compress(column, keep)) for column in columns)
    sink = ErrorSink()
    sink.absorb(read.errors, read.error_count)
    rules.found.sort(key=lambda e: (e[0], e[1]))
    for _n, _order, error in rules.found:
        sink.add(error)
    return DemandParse(read.sheet, columns, sink.listed(), sink.count)


def read_demand_workbook(data: bytes, *, filename: str, context: DemandContext, limits: GuardLimits = HOSPITAL_LIMITS) -> DemandParse:
    """Read one hospital's demand upload; raise only ``WorkbookError`` (file-level problems)."""
    read = read_sheet(data, demand_columns(hospital_required=False), filename=filename, preferred_sheets=(DATA_SHEET, "demand"), limits=limits)
    own = _fold(context.hospital_code)
    return _validate(read, context.items, context.floor_ratio, context.brands, own, None, context.floors)


def read_demand_workbook_bulk(data: bytes, *, filename: str, context: BulkDemandContext, limits: GuardLimits = BULK_LIMITS) -> DemandParse:
    """Read a bureau-side file with a hospital-code column and many hospitals' rows."""
    return validate_demand_bulk(read_demand_sheet_bulk(data, filename=filename, limits=limits), context)


def read_demand_sheet_bulk(data: bytes, *, filename: str, limits: GuardLimits = BULK_LIMITS,
                           on_rows: RowsHandler | None = None) -> SheetRead:
    """The first half of :func:`read_demand_workbook_bulk`: the bureau file's sheet read (guard,
    header, cells normalised), before the demand rules; raise only ``WorkbookError``.
    ``on_rows`` as for :func:`~imports.reader.read_sheet`."""
    return read_sheet(data, demand_columns(hospital_required=True), filename=filename, preferred_sheets=(DATA_SHEET, "demand"),
                      limits=limits, on_rows=on_rows)


def validate_demand_bulk(read: SheetRead, context: BulkDemandContext) -> DemandParse:
    """The second half of :func:`read_demand_workbook_bulk`: the demand rules over a sheet read."""
    allowed = frozenset(_fold(code) for code in context.hospital_codes)
    return _validate(read, context.items, context.floor_ratio, context.brands, None, allowed, context.floors)


class CleanColumns:
    """The columns :func:`validate_demand_bulk` accepts from (a part of) a bulk read if its rules
    find no error: hospital, item, last year, committed, brand code, reason, row, as
    ``DemandParse.columns``. For a caller that writes the parts as they are read (the PostgreSQL
    import, through the reader's ``on_rows``) while the read is free of errors: the parse's
    ``ok`` still decides, and when it is ok its columns are these parts joined."""

    def __init__(self, brands: Sequence[BrandOption]) -> None:
        """Index the columns and the brands once."""
        self.lookup = _brand_lookup(brands)
        self.at = {spec.key: i for i, spec in enumerate(demand_columns(hospital_required=True))}

    def of(self, table: Columns) -> tuple[Sequence, ...] | None:
        """The part's columns in ``DemandParse.columns`` order, or None when a brand text is unknown."""
        at, values = self.at, table.values
        texts = values[at["preferred_brand"]]
        found = {text: self.lookup.get(str(text).upper()) for text in set(texts) if text is not None}  # as _Rules.brands_of
        if None in found.values():
            return None
        codes = {text: brand.code for text, brand in found.items() if brand is not None} | {None: None}
        return (values[at["hospital_code"]], values[at["item_code"]], values[at["last_year_use"]],
                values[at["committed"]], list(map(codes.__getitem__, texts)), values[at["reason"]], table.rows)
