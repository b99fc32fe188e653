"""The per-batch, per-hospital demand template (openpyxl).

Sheets: 填写说明 (instructions, Chinese), 报量 (data: one row per batch item, hospital code and
name pre-filled), and a hidden 品牌列表 sheet feeding the preferred-brand dropdown. Volume
columns carry whole-number (≥ 0) validation; the sheet is protected with only the input
cells (volumes, brand, reason) unlocked, so the header and the pre-filled columns stay put.
Text from the catalog is written as text and neutralised by ``core.export.save`` (formula injection).
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.export import save
from imports.demand import DATA_SHEET, DemandContext

BRAND_SHEET = "品牌列表"
HEADERS: tuple[tuple[str, int], ...] = (
    ("医院编码", 14),
    ("医院名称", 24),
    ("品种编码", 14),
    ("通用名", 22),
    ("剂型", 10),
    ("代表规格", 16),
    ("最小单位", 10),
    ("上年用量", 14),
    ("承诺年采购量", 16),
    ("意向品牌", 24),
    ("原因", 30),
)
INPUT_FROM = 8  # columns H.. (1-based) are filled in by the hospital
_HEAD_FILL = PatternFill("solid", fgColor="FFDDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFFFF9E6")


def set_text(cell: Cell, value: str) -> None:
    """Write text that stays text (``core.export.save`` neutralises it if it starts like a formula)."""
    cell.value = value
    cell.data_type = "s"


def _instructions(ws: Worksheet, context: DemandContext) -> None:
    """Fill the 填写说明 sheet."""
    pct = f"{(context.floor_ratio * 100).normalize():f}%"
    lines = (
        f"集中带量采购 报量模板 — 批次 {context.batch_code}",
        f"医疗机构：{context.hospital_name}（{context.hospital_code}）",
        "",
        "填写说明：",
        f"1. 请在「{DATA_SHEET}」工作表中填写，每个品种一行；医院、品种信息已预填，请勿修改。",
        "2. 「上年用量」「承诺年采购量」按最小单位（片/支/个）填写整数，不采购的品种请填 0。",
        f"3. 承诺年采购量原则上不低于上年用量的 {pct}；低于时请在「原因」列说明理由。",
        "4. 「意向品牌」可选，从下拉列表中选择；不指定请留空。",
        "5. 请勿增删列或修改表头；可以删除空行。保存为 .xlsx 格式后上传。",
        "6. 上传有误时，系统会返回标注了错误单元格的工作簿，修改后重新上传即可；截止前可多次上传，以最后一次为准。",
        "",
        "English: fill in the 报量 sheet, one row per item; volumes are whole minimal units (0 if not used);",
        f"committed volume ≥ {pct} of last year's use unless a reason is given; save as .xlsx and upload.",
    )
    for row, line in enumerate(lines, start=1):
        set_text(ws.cell(row=row, column=1), line)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110


def _brands(wb: Workbook, labels: Sequence[str]) -> str | None:
    """Write the hidden brand list; return the range formula for the dropdown, or None."""
    if not labels:
        return None
    ws = wb.create_sheet(BRAND_SHEET)
    for row, label in enumerate(labels, start=1):
        set_text(ws.cell(row=row, column=1), label)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return f"'{BRAND_SHEET}'!$A$1:$A${len(labels)}"


def _validations(ws: Worksheet, last_row: int, brand_range: str | None) -> None:
    """Whole-number validation on the volume columns and the brand dropdown."""
    whole = DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorTitle="数量须为整数", error="请填写不小于 0 的整数（最小单位）",
        showInputMessage=True, promptTitle="数量", prompt="整数，最小单位；不采购填 0",
    )
    whole.add(f"H2:I{last_row}")
    ws.add_data_validation(whole)
    if brand_range:
        brand = DataValidation(type="list", formula1=brand_range, allow_blank=True, showErrorMessage=True, errorTitle="意向品牌", error="请从下拉列表中选择")
        brand.add(f"J2:J{last_row}")
        ws.add_data_validation(brand)


def build_demand_template(context: DemandContext) -> bytes:
    """The .xlsx template for one hospital and one batch, as bytes."""
    wb = Workbook()
    _instructions(wb.active, context)
    wb.active.title = "填写说明"
    ws = wb.create_sheet(DATA_SHEET)
    for col, (title, width) in enumerate(HEADERS, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font, cell.fill = Font(bold=True), _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    unlocked = Protection(locked=False)
    for row, item in enumerate(context.items, start=2):
        fixed = (context.hospital_code, context.hospital_name, item.code, item.name, item.form, item.spec, item.unit)
        for col, value in enumerate(fixed, start=1):
            set_text(ws.cell(row=row, column=col), value)
        for col in range(INPUT_FROM, len(HEADERS) + 1):
            cell = ws.cell(row=row, column=col)
            cell.protection, cell.fill = unlocked, _INPUT_FILL
    last_row = max(len(context.items) + 1, 2)
    _validations(ws, last_row, _brands(wb, [brand.label for brand in context.brands]))
    ws.freeze_panes = "C2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    wb["填写说明"].sheet_view.tabSelected = False
    wb.active = wb.index(ws)
    return save(wb)
