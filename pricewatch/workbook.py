"""Other provinces' prices as a workbook: template and reader, held to the upload standard.

Pure: bytes in, rows and cell errors out (``imports.reader`` guards the file, matches headers in
any order, normalises cells). Whether a product code is listed in the region is the service's
check, mapped back to cells by :mod:`pricewatch.uploads`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from core.export import save
from core.money import MoneyError, parse_price_e4
from imports.errors import CellError, ErrorSink
from imports.headers import ColumnSpec
from imports.normalise import CellKind
from imports.reader import SheetRead, read_sheet
from imports.xlsx_guard import GuardLimits

DATA_SHEET = "外省价格"
PROVINCE_LIMITS = GuardLimits(max_rows=20_000)
_EXCEL_EPOCH = date(1899, 12, 30)


def columns() -> tuple[ColumnSpec, ...]:
    """The sheet's columns (Chinese names first, English aliases accepted)."""
    return (
        ColumnSpec("product_code", "医保编码", "national code", ("国家医保编码", "产品编码", "code"), True, CellKind.CODE),
        ColumnSpec("province", "省份", "province", ("省", "地区", "province"), True),
        ColumnSpec("price", "价格（元）", "price (yuan)", ("挂网价格", "价格", "price"), True, CellKind.DECIMAL),
        ColumnSpec("observed_on", "采集日期", "observed on", ("日期", "公布日期", "date"), True),
        ColumnSpec("source", "来源", "source", ("出处", "source"), False),
    )


@dataclass(frozen=True)
class ProvinceRow:
    """One price line read from the workbook."""

    row: int
    product_code: str
    province: str
    price_e4: int
    observed_on: date
    source: str


@dataclass(frozen=True)
class ProvinceParse:
    """Rows and cell errors; apply only when there is no error at all."""

    read: SheetRead
    rows: tuple[ProvinceRow, ...]
    errors: tuple[CellError, ...]
    error_count: int = 0


def cell_error(read: SheetRead, row: int, key: str, value: object, zh: str, en: str, code: str) -> CellError:
    """An error at the cell of column ``key`` on ``row``."""
    return CellError(read.sheet, row, read.column_name(key), read.cell(key, row),
                     "" if value is None else str(value), zh, en, code)


def read_day(text: str) -> date | None:
    """A date written ``2026-03-15`` (or ``2026/3/15``, a datetime's text, an Excel serial)."""
    text = text.strip()
    if text.isdigit() and 20000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + timedelta(days=int(text))
    head = text.split(" ")[0].replace("/", "-").replace(".", "-")
    parts = head.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            return None
    return None


def read_province_workbook(data: bytes, *, filename: str, limits: GuardLimits = PROVINCE_LIMITS) -> ProvinceParse:
    """Read the workbook; raises only ``WorkbookError`` (not a workbook, bombs, headers)."""
    read = read_sheet(data, columns(), filename=filename, preferred_sheets=(DATA_SHEET,), limits=limits)
    col = {spec.key: read.index(spec.key) for spec in read.specs}
    errors, rows, seen = ErrorSink(), [], set()
    errors.absorb(read.errors, read.error_count)
    for r in read.rows:
        if r.bad:
            continue
        v = {k: "" if i is None or r.values[i] is None else str(r.values[i]).strip() for k, i in col.items()}
        try:
            price = parse_price_e4(v["price"])
        except (MoneyError, ArithmeticError, ValueError):
            price = 0
        if price <= 0 or Decimal(price) >= Decimal(10) ** 14:
            errors.add(cell_error(read, r.row, "price", v["price"], "价格应为大于 0 的元金额，最多 4 位小数",
                                  "the price must be yuan above 0 with at most 4 decimals", "bad_price"))
            continue
        day = read_day(v["observed_on"])
        if day is None:
            errors.add(cell_error(read, r.row, "observed_on", v["observed_on"], "日期应为 2026-03-15 格式",
                                  "the date must look like 2026-03-15", "bad_date"))
            continue
        if len(v["province"]) > 40 or len(v.get("source", "")) > 200:
            errors.add(cell_error(read, r.row, "province", v["province"], "省份最多 40 个字，来源最多 200 个字",
                                  "province at most 40 characters, source at most 200", "too_long"))
            continue
        key = (v["product_code"], v["province"], day)
        if key in seen:
            errors.add(cell_error(read, r.row, "product_code", v["product_code"], "与前面的行重复（同一产品、省份、日期）",
                                  "duplicates an earlier row (same product, province and date)", "duplicate"))
            continue
        seen.add(key)
        rows.append(ProvinceRow(r.row, v["product_code"], v["province"], price, day, v.get("source", "")))
    if not read.rows and not errors.count:
        errors.add(CellError(read.sheet, 1, "—", None, "", "没有价格数据行", "no price rows", "empty"))
    return ProvinceParse(read, tuple(rows), errors.listed(), errors.count)


def build_province_template() -> bytes:
    """An empty workbook with its header row and an explanatory sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append([s.label_zh for s in columns()])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    notes = wb.create_sheet("说明")
    notes.append(["列", "说明"])
    notes.append(["医保编码", "本省挂网产品的国家医保编码"])
    notes.append(["价格（元）", "该省公布的每包装价格，最多 4 位小数"])
    notes.append(["采集日期", "该省价格的公布或采集日期，如 2026-03-15"])
    return save(wb)
