"""The delivery workbook: template and reader, held to the demand-upload standard.

Pure: bytes in, typed lines and cell errors out (``imports.reader`` guards the file, matches
headers in any order and normalises cells). Contract checks need the database and happen in
:func:`settlement.execution.uploads.upload_deliveries`, which maps them back to cells the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl import Workbook
from openpyxl.styles import Font

from core.export import save
from imports.errors import CellError
from imports.headers import ColumnSpec
from imports.normalise import CellKind
from imports.reader import ErrorSink, SheetRead, read_sheet
from imports.xlsx_guard import GuardLimits

DATA_SHEET = "发货"
#: a day's lines of one supplier; the province's whole day is benchmarked at 20,000
DELIVERY_LIMITS = GuardLimits(max_rows=100_000)
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?: 00:00:00)?$")


def columns() -> tuple[ColumnSpec, ...]:
    """The delivery sheet's columns (Chinese names first, English aliases accepted)."""
    return (
        ColumnSpec("contract_code", "合同编号", "contract code", ("合同号", "contract"), True, CellKind.CODE),
        ColumnSpec("quantity", "发货数量", "quantity shipped", ("数量", "quantity"), True, CellKind.COUNT),
        ColumnSpec("shipped_on", "发货日期", "shipping date", ("日期", "date"), True, CellKind.TEXT),
        ColumnSpec("supplier_ref", "企业单号", "supplier reference", ("单号", "配送单号", "reference"), False,
                   CellKind.TEXT),
    )


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery line read from the workbook."""

    row: int
    contract_code: str
    quantity: int
    shipped_on: date
    supplier_ref: str


@dataclass(frozen=True)
class DeliveryParse:
    """Rows and cell errors; apply only when there is no error at all."""

    read: SheetRead
    rows: tuple[DeliveryRow, ...]
    errors: tuple[CellError, ...]
    error_count: int = 0

    @property
    def ok(self) -> bool:
        """True when the whole workbook may be applied."""
        return not self.errors


def parse_date(text: str | None) -> date | None:
    """``2026-10-05``, ``2026/10/5``, ``2026年10月5日`` or an Excel serial (e.g. 46300); else None."""
    if not text:
        return None
    m = DATE_RE.match(text.strip())
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if text.isdigit() and 30000 <= int(text) <= 80000:
            return date(1899, 12, 30) + timedelta(days=int(text))
    except ValueError:
        return None
    return None


def cell_error(read: SheetRead, row: int, key: str, value: object, zh: str, en: str, code: str) -> CellError:
    """An error at the cell of column ``key`` on ``row``."""
    label = read.column_name(key)
    return CellError(read.sheet, row, label, read.cell(key, row), "" if value is None else str(value), zh, en, code)


def read_delivery_workbook(data: bytes, *, filename: str, limits: GuardLimits = DELIVERY_LIMITS) -> DeliveryParse:
    """Read a delivery workbook; raises only ``WorkbookError`` (not a workbook, bombs, headers)."""
    read = read_sheet(data, columns(), filename=filename, preferred_sheets=(DATA_SHEET,), limits=limits)
    col = {spec.key: read.index(spec.key) for spec in read.specs}
    errors, rows = ErrorSink(), []
    errors.absorb(read.errors, read.error_count)
    for r in read.rows:
        if r.bad:
            continue
        v = {k: r.values[i] for k, i in col.items()}
        shipped = parse_date(v["shipped_on"])
        if shipped is None:
            errors.add(cell_error(read, r.row, "shipped_on", v["shipped_on"], "日期应为 2026-10-05 格式",
                                     "the date must look like 2026-10-05", "bad_date"))
            continue
        if not v["quantity"]:
            errors.add(cell_error(read, r.row, "quantity", v["quantity"], "发货数量须大于 0",
                                     "the quantity must be more than 0", "zero"))
            continue
        rows.append(DeliveryRow(r.row, v["contract_code"], v["quantity"], shipped, v["supplier_ref"] or ""))
    if not read.rows and not errors.count:
        errors.add(CellError(read.sheet, 1, "—", None, "", "没有发货数据行", "no delivery rows", "empty"))
    return DeliveryParse(read, tuple(rows), errors.listed(), errors.count)


def build_delivery_template(contracts: Sequence[tuple[str, str, str]]) -> bytes:
    """A template listing the supplier's contracts (code, hospital, item) as a reference sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append([s.label_zh for s in columns()])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ref = wb.create_sheet("合同")
    ref.append(["合同编号", "医疗机构", "品种"])
    for row in contracts:
        ref.append(list(row))
    return save(wb)
