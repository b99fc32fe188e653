"""The published-result workbook (中选结果): four sheets that mirror the JSON form of a result.

- ``批次信息`` — one row per field (项目 | 内容): source, document number and date, cycle start
  and length, the agreed-ratio rule, an optional fixed contract end date;
- ``品种`` — the items with their representative specification (and optionally an agreed-volume
  ratio of their own and the pre-VBP price, for savings);
- ``中选企业`` — each winner's product of each item: strength, pack, pack price, unit comparable price;
- ``供应地区`` — this region's primary and backup supplier per sub-region (city) and item; a row for
  the province itself is the rule for every city without its own row.

This module reads the sheets into rows (cells normalised, errors named by sheet, row and
column) and writes the template; ``results.document`` checks the rows as one document, the same
way for the workbook and the JSON file. Pure: bytes in, rows and errors out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from core.export import save
from imports.errors import CellError, ErrorSink
from imports.headers import ColumnSpec, header_key
from imports.normalise import CellKind
from imports.reader import read_sheet
from imports.xlsx_guard import GuardLimits

RESULT_LIMITS = GuardLimits(max_rows=50_000)

INFO, ITEMS, WINNERS, SUPPLY = "批次信息", "品种", "中选企业", "供应地区"
SECTIONS = {"items": ITEMS, "winners": WINNERS, "supply": SUPPLY}

INFO_COLUMNS = (
    ColumnSpec("field", "项目", "field", ("字段", "名称", "name"), True, CellKind.TEXT),
    ColumnSpec("value", "内容", "value", ("值", "取值"), False, CellKind.TEXT),
)

#: the result's header fields: key, Chinese label (the 项目 cell), English label, aliases, required
INFO_FIELDS: tuple[tuple[str, str, str, tuple[str, ...], bool], ...] = (
    ("source", "来源", "source", ("结果来源", "采购来源"), True),
    ("document_no", "文号", "document number", ("文件编号", "公告文号", "document no"), True),
    ("document_date", "发布日期", "document date", ("公告日期", "文件日期"), True),
    ("cycle_start", "采购周期开始", "cycle start", ("执行日期", "开始执行日期", "周期开始"), True),
    ("cycle_years", "采购周期（年）", "cycle years", ("采购周期", "周期年数"), True),
    ("agreed_ratio", "约定采购量比例", "agreed ratio", ("约定比例",), False),
    ("contract_end", "合同截止日期", "contract end", ("协议截止日期", "固定截止日期"), False),
)

COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    "items": (
        ColumnSpec("item_code", "品种编码", "item code", ("品种代码", "药品编码"), True, CellKind.CODE),
        ColumnSpec("rep_spec", "代表规格", "representative spec", ("规格",), False, CellKind.TEXT),
        ColumnSpec("agreed_ratio", "约定采购量比例", "agreed ratio", ("约定比例",), False, CellKind.TEXT),
        ColumnSpec("previous_price", "集采前价格", "previous price", ("原价格", "集采前单位价格"), False, CellKind.DECIMAL),
    ),
    "winners": (
        ColumnSpec("item_code", "品种编码", "item code", ("品种代码", "药品编码"), True, CellKind.CODE),
        ColumnSpec("supplier_code", "企业编码", "supplier code", ("中选企业编码", "企业代码"), True, CellKind.CODE),
        ColumnSpec("supplier_name", "企业名称", "supplier name", ("中选企业",), False, CellKind.TEXT),
        ColumnSpec("strength", "规格含量", "strength", ("含量",), False, CellKind.DECIMAL),
        ColumnSpec("units_per_pack", "包装数量", "units per pack", ("转换比", "包装"), True, CellKind.COUNT),
        ColumnSpec("pack_price", "包装价格", "pack price", ("中选价格", "申报价格", "中选价"), True, CellKind.DECIMAL),
        ColumnSpec("ucp", "单位可比价", "unit comparable price", ("单位可比价格",), True, CellKind.DECIMAL),
    ),
    "supply": (
        ColumnSpec("item_code", "品种编码", "item code", ("品种代码", "药品编码"), True, CellKind.CODE),
        ColumnSpec("region_code", "地区编码", "region code", ("供应地区编码", "地区代码"), True, CellKind.CODE),
        ColumnSpec("primary", "主供企业编码", "primary supplier", ("主供企业",), True, CellKind.CODE),
        ColumnSpec("backup", "备供企业编码", "backup supplier", ("备供企业",), False, CellKind.CODE),
    ),
}


@dataclass(frozen=True, slots=True)
class Cell:
    """Where a value stands, as the user sees it: sheet, row, column name, cell reference."""

    sheet: str
    row: int
    column: str
    ref: str | None


@dataclass(frozen=True)
class RawRow:
    """One row of a section: normalised values by column key, and where each came from."""

    row: int
    values: Mapping[str, object]
    cells: Mapping[str, Cell]
    bad: bool = False


@dataclass(frozen=True)
class ResultTables:
    """The sections of a result file as rows, with the errors found reading them."""

    info: Mapping[str, tuple[object, Cell]]
    sections: Mapping[str, tuple[RawRow, ...]]
    errors: tuple[CellError, ...]
    error_count: int


def info_field(label: object) -> str | None:
    """The header field a 项目 cell names (Chinese, English or an alias), or None."""
    key = header_key(label)
    for name, zh, en, aliases, _required in INFO_FIELDS:
        if key in {header_key(t) for t in (name, zh, en, *aliases)}:
            return name
    return None


def _section(data: bytes, filename: str, key: str, sink: ErrorSink) -> tuple[RawRow, ...]:
    """One section's sheet, read by name; a missing sheet is one error naming it."""
    specs, name = COLUMNS[key], SECTIONS[key]
    read = read_sheet(data, specs, filename=filename, preferred_sheets=(name,), limits=RESULT_LIMITS)
    if read.sheet != name:
        sink.add(CellError(name, 1, "—", None, "", f"缺少工作表「{name}」", f"the sheet '{name}' is missing",
                           "missing_sheet"))
        return ()
    sink.absorb(read.errors, read.error_count)
    rows = []
    for row in read.rows:
        values = {spec.key: row.values[read.index(spec.key)] for spec in specs}
        cells = {spec.key: Cell(name, row.row, read.column_name(spec.key), read.cell(spec.key, row.row)) for spec in specs}
        rows.append(RawRow(row.row, values, cells, row.bad))
    return tuple(rows)


def _info(data: bytes, filename: str, sink: ErrorSink) -> dict[str, tuple[object, Cell]]:
    """The 批次信息 sheet: field → (text, its 内容 cell); unknown or repeated fields are errors."""
    read = read_sheet(data, INFO_COLUMNS, filename=filename, preferred_sheets=(INFO,), limits=RESULT_LIMITS)
    if read.sheet != INFO:
        sink.add(CellError(INFO, 1, "—", None, "", f"缺少工作表「{INFO}」", f"the sheet '{INFO}' is missing",
                           "missing_sheet"))
        return {}
    sink.absorb(read.errors, read.error_count)
    found: dict[str, tuple[object, Cell]] = {}
    for row in read.rows:
        label, value = row.values[read.index("field")], row.values[read.index("value")]
        name = info_field(label) if label is not None else None
        where = Cell(INFO, row.row, read.column_name("field"), read.cell("field", row.row))
        if name is None:
            sink.add(CellError(INFO, row.row, where.column, where.ref, str(label or ""), "未知的项目",
                               "unknown field", "unknown_field"))
        elif name in found:
            sink.add(CellError(INFO, row.row, where.column, where.ref, str(label), f"项目重复（第 {found[name][1].row} 行已填写）",
                               f"field given twice (already on row {found[name][1].row})", "duplicate"))
        else:
            found[name] = (value, Cell(INFO, row.row, read.column_name("value"), read.cell("value", row.row)))
    return found


def read_result_workbook(data: bytes, *, filename: str = "") -> ResultTables:
    """Read the four sheets of a result workbook; raise only ``WorkbookError`` (file-level)."""
    sink = ErrorSink()
    info = _info(data, filename, sink)
    sections = {key: _section(data, filename, key, sink) for key in SECTIONS}
    return ResultTables(info, sections, sink.listed(), sink.count)


def _header_row(ws, labels: Sequence[str]) -> None:
    """A bold, frozen header row."""
    ws.append(list(labels))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def result_workbook(document: Mapping | None = None) -> bytes:
    """The result workbook: empty (the template, with the field names to fill in) or holding
    ``document`` — a result in its JSON form (``results.document``), values as the JSON gives them."""
    document = document or {}
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(INFO)
    _header_row(ws, [spec.label_zh for spec in INFO_COLUMNS])
    for name, zh, _en, _aliases, _required in INFO_FIELDS:
        value = document.get(name)
        ws.append([zh, "" if value is None else str(value)])
    for key, title in SECTIONS.items():
        ws = wb.create_sheet(title)
        specs = COLUMNS[key]
        _header_row(ws, [spec.label_zh for spec in specs])
        for entry in document.get(key, ()):
            ws.append([_cell(entry.get(spec.key), spec.kind) for spec in specs])
    return save(wb)


def _cell(value: object, kind: CellKind) -> object:
    """A JSON value as a workbook cell: counts and decimals as numbers (a decimal written from
    its exact text; Excel keeps 15 significant digits, which the reader reads back exactly), the
    rest as text."""
    if value is None:
        return None
    if kind is CellKind.COUNT and isinstance(value, int):
        return value
    if kind is CellKind.DECIMAL:
        try:
            return Decimal(str(value))
        except ArithmeticError:
            return str(value)
    return str(value)
