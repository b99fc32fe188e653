"""The bid workbook: a template per batch, and a reader held to the demand-upload standard.

Pure: bytes in, typed bids and cell errors out. The generic sheet reader (``imports.reader``)
guards the file, matches headers in any order and normalises cells; this module adds the bid
rules (item of the batch, money with at most four decimals, eligibility, tiers) and maps each
validation refusal back to the cell that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bidding.pricing import Eligibility
from bidding.validation import BidOffer, ItemTerms, TierOffer, check_bid
from core.export import save
from core.money import MoneyError, parse_price_e4
from imports.errors import CellError
from imports.headers import ColumnSpec
from imports.normalise import CellKind
from imports.reader import ErrorSink, SheetRead, read_sheet
from imports.xlsx_guard import GuardLimits

DATA_SHEET = "申报"
TIERS = 3
ELIGIBILITY_WORDS = {
    "参比制剂": Eligibility.REFERENCE_DRUG, "reference_drug": Eligibility.REFERENCE_DRUG,
    "reference drug": Eligibility.REFERENCE_DRUG, "原研": Eligibility.REFERENCE_DRUG,
    "通过一致性评价仿制药": Eligibility.CONSISTENCY_GENERIC, "一致性评价": Eligibility.CONSISTENCY_GENERIC,
    "consistency_generic": Eligibility.CONSISTENCY_GENERIC, "过评": Eligibility.CONSISTENCY_GENERIC,
    "consistency-evaluated generic": Eligibility.CONSISTENCY_GENERIC,
}
#: which column a validation refusal points at
#: one row per item the supplier bids on: a batch has tens of items, a large one hundreds
BID_LIMITS = GuardLimits(max_rows=10_000)
FIELD_COLUMN = {"pack_price": "pack_price", "capacity": "capacity", "eligibility": "eligibility",
                "strength": "strength", "units_per_pack": "units_per_pack"}


def columns() -> tuple[ColumnSpec, ...]:
    """The bid sheet's columns (Chinese names first, English aliases accepted)."""
    specs = [
        ColumnSpec("item_code", "品种编码", "item code", ("品种代码", "item"), True, CellKind.CODE),
        ColumnSpec("strength", "申报规格含量", "offered strength", ("规格含量", "含量", "strength"), True, CellKind.DECIMAL),
        ColumnSpec("strength_unit", "含量单位", "strength unit", ("单位", "unit"), True, CellKind.TEXT),
        ColumnSpec("units_per_pack", "每包装数量", "units per pack", ("包装数量", "包装规格数量", "pack size"), True, CellKind.COUNT),
        ColumnSpec("pack_price", "包装价（元）", "pack price", ("包装价", "申报价", "报价", "price"), True, CellKind.DECIMAL),
        ColumnSpec("capacity", "年供应产能", "annual capacity", ("产能", "供应能力", "capacity"), True, CellKind.COUNT),
        ColumnSpec("eligibility", "资格声明", "eligibility", ("质量层次", "资格"), True, CellKind.TEXT),
    ]
    for n in range(1, TIERS + 1):
        specs.append(ColumnSpec(f"tier{n}_volume", f"阶梯{n}获得量", f"tier {n} volume", (), False, CellKind.COUNT))
        specs.append(ColumnSpec(f"tier{n}_price", f"阶梯{n}包装价", f"tier {n} pack price", (), False, CellKind.DECIMAL))
    return tuple(specs)


@dataclass(frozen=True)
class BidRow:
    """One bid read from the workbook, ready for the service."""

    row: int
    item_code: str
    strength: Decimal
    strength_unit: str
    units_per_pack: int
    pack_price_e4: int
    capacity: int
    eligibility: Eligibility
    tiers: tuple[TierOffer, ...]


@dataclass(frozen=True)
class BidParse:
    """Rows and errors of a bid workbook (capped, with a "more" line); ``ok`` only without any."""

    rows: tuple[BidRow, ...]
    errors: tuple[CellError, ...]
    error_count: int = 0

    @property
    def ok(self) -> bool:
        """True when the whole workbook may be applied."""
        return not self.errors


class _Rows:
    """Turns sheet rows into bids, collecting cell errors."""

    def __init__(self, read: SheetRead, terms: dict[str, ItemTerms]) -> None:
        """Index the columns once."""
        self.read, self.terms, self.errors = read, terms, ErrorSink()
        self.errors.absorb(read.errors, read.error_count)
        self.col = {spec.key: read.index(spec.key) for spec in read.specs}
        self.spec = {spec.key: spec for spec in read.specs}

    def error(self, row: int, key: str, value: object, zh: str, en: str, code: str) -> None:
        """Record an error at the cell of column ``key`` on ``row``."""
        self.errors.add(CellError(self.read.sheet, row, self.spec[key].label, self.read.cell(key, row),
                                     "" if value is None else str(value), zh, en, code))

    def money(self, row: int, key: str, value: Decimal | None) -> int | None:
        """A price with at most four decimals, as price_e4."""
        if value is None:
            return None
        try:
            return parse_price_e4(value)
        except MoneyError:
            self.error(row, key, value, "金额最多保留 4 位小数", "at most 4 decimal places", "money")
            return None

    def bid(self, sheet_row) -> BidRow | None:
        """One bid, or None (with errors recorded)."""
        v = {key: sheet_row.values[i] for key, i in self.col.items()}
        r = sheet_row.row
        if sheet_row.bad:
            return None
        code = v["item_code"]
        if code not in self.terms:
            self.error(r, "item_code", code, "本批次没有该品种", "no such item in the batch", "unknown_item")
            return None
        eligibility = ELIGIBILITY_WORDS.get(str(v["eligibility"] or "").strip().lower())
        if eligibility is None:
            self.error(r, "eligibility", v["eligibility"], "资格声明须为“参比制剂”或“通过一致性评价仿制药”",
                       "eligibility must be reference drug or consistency-evaluated generic", "eligibility")
        price = self.money(r, "pack_price", v["pack_price"])
        tiers = []
        for n in range(1, TIERS + 1):
            volume, tier_price = v[f"tier{n}_volume"], v[f"tier{n}_price"]
            if (volume is None) != (tier_price is None):
                self.error(r, f"tier{n}_volume", volume, "阶梯获得量与包装价须同时填写",
                           "a tier needs both its volume and its pack price", "tier_incomplete")
            elif volume is not None:
                tp = self.money(r, f"tier{n}_price", tier_price)
                if tp is not None:
                    tiers.append(TierOffer(volume, tp))
        if eligibility is None or price is None:
            return None
        bid = BidRow(r, code, v["strength"], v["strength_unit"], v["units_per_pack"], price, v["capacity"],
                     eligibility, tuple(tiers))
        return bid if self.validated(bid) else None

    def validated(self, bid: BidRow) -> bool:
        """Apply the same validation as the form; point each refusal at its column."""
        from bidding.pricing import Strength

        offer = BidOffer(bid.pack_price_e4, bid.units_per_pack, Strength(bid.strength, bid.strength_unit),
                         bid.capacity, bid.eligibility, bid.tiers)
        check = check_bid(offer, self.terms[bid.item_code])
        for reason in check.refusals:
            field = reason.field or "pack_price"
            key = f"tier{reason.tier}_price" if reason.tier else FIELD_COLUMN.get(field.split("[")[0], "pack_price")
            self.error(bid.row, key, bid.pack_price_e4, reason.message_zh, reason.message_en, str(reason.code))
        return check.ok


def read_bid_workbook(data: bytes, *, filename: str, terms: dict[str, ItemTerms], limits: GuardLimits = BID_LIMITS) -> BidParse:
    """Read and validate a bid workbook against the batch items' terms; raises only WorkbookError.

    A repeated item names the first row it repeats; the first row names its first repeat.
    """
    read = read_sheet(data, columns(), filename=filename, preferred_sheets=(DATA_SHEET,), limits=limits)
    rows = _Rows(read, terms)
    bids, seen, flagged = [], {}, set()  # item code → the first row bidding on it
    for sheet_row in read.rows:
        bid = rows.bid(sheet_row)
        code = sheet_row.values[rows.col["item_code"]]
        if code is not None and code in seen:
            first = seen[code]
            if first not in flagged:
                flagged.add(first)
                rows.error(first, "item_code", code, f"同一品种重复申报：第 {sheet_row.row} 行再次申报", f"the item is bid again on row {sheet_row.row}", "duplicate")
            rows.error(sheet_row.row, "item_code", code, f"同一品种重复申报：已在第 {first} 行申报", f"the item is bid twice: already on row {first}", "duplicate")
        elif code is not None:
            seen[code] = sheet_row.row
        if bid is not None:
            bids.append(bid)
    if not read.rows and not rows.errors.count:
        rows.errors.add(CellError(read.sheet, 1, "—", None, "", "没有申报数据行", "no bid rows", "empty"))
    return BidParse(tuple(bids), rows.errors.listed(), rows.errors.count)


def build_bid_template(batch_code: str, supplier: str, items: Sequence[tuple[str, str, str]]) -> bytes:
    """A template with one row per batch item: (code, name, representative spec) pre-filled."""
    wb = Workbook()
    info = wb.active
    info.title = "填写说明"
    for line in (f"集中带量采购 申报模板 — 批次 {batch_code}", f"企业：{supplier}", "",
                 "1. 在「申报」表中每个拟申报品种填写一行；不申报的品种整行留空（删除品种编码）。",
                 "2. 包装价以元为单位，最多 4 位小数；产能和获得量为最小单位的整数。",
                 "3. 资格声明填“参比制剂”或“通过一致性评价仿制药”。",
                 "4. 阶梯：获得量不少于该数量时的包装价，可不填；量越大价格只降不升。",
                 "5. 提交后申报即加密密封，开标前任何人无法查看；请保存平台返回的回执。"):
        info.append([line])
    ws = wb.create_sheet(DATA_SHEET)
    head = [s.label_zh for s in columns()]
    ws.append(head + ["通用名（参考）", "代表规格（参考）"])
    fill = PatternFill("solid", fgColor="FFDDEBF7")
    for col, _title in enumerate(ws[1], start=1):
        _title.font, _title.fill = Font(bold=True), fill
        ws.column_dimensions[get_column_letter(col)].width = 16
    for code, name, spec in items:
        ws.append([code, None, None, None, None, None, None] + [None] * (2 * TIERS) + [name, spec])
    validation = DataValidation(type="list", formula1='"参比制剂,通过一致性评价仿制药"', allow_blank=True)
    ws.add_data_validation(validation)
    validation.add(f"G2:G{max(len(items) + 1, 2)}")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.protection = Protection(locked=False)
    wb.active = wb.index(ws)
    return save(wb)
