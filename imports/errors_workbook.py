"""The error workbook: the user's own upload with each bad cell filled red and commented,
plus a 错误汇总 sheet listing row, column, value and reason (Chinese and English). The user's own
sheets are returned as they were uploaded (their formulas included); what the platform writes —
the summary's quoted values — is neutralised against formula injection (``core.export``).

Two ways to build it, same result: a fast in-place edit of the .xlsx parts (large uploads:
100,000 rows in about a second, see ``xlsx_patch``), and openpyxl (small or unusual files,
e.g. a re-uploaded error workbook that already carries our comments, which are replaced).
openpyxl holds every cell as an object (~0.5 KB), so an unusual file past
``OPENPYXL_MAX_CELLS`` gets a workbook holding the summary sheet alone (memory stays bounded).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.export import safe_text, save
from imports.errors import CellError, CorruptWorkbookError, WorkbookError
from imports.reader import MORE_ERRORS
from imports.template import set_text
from imports.xlsx_guard import check_xlsx, sheet_parts
from imports.xlsx_patch import RED, PatchUnsupported, patch_workbook, xml_text

SUMMARY_SHEET = "错误汇总"
AUTHOR = "jicai"
SUMMARY_HEADERS = ("序号", "工作表 Sheet", "行 Row", "列 Column", "单元格 Cell", "填写的值 Value", "原因", "Reason")
_WIDTHS = (8, 14, 8, 22, 10, 18, 60, 60)
_FILL = PatternFill("solid", fgColor=RED)
OPENPYXL_MAX_CELLS = 200_000


def _summary_rows(errors: Sequence[CellError]) -> Iterable[tuple[object, ...]]:
    """One summary line per error, in sheet/row order."""
    for n, error in enumerate(errors, start=1):
        yield (n, error.sheet, error.row, error.column, error.cell or "", error.value, error.reason_zh, error.reason_en)


def comment_texts(errors: Sequence[CellError]) -> dict[str, dict[str, str]]:
    """Sheet → cell → comment text (all reasons for that cell, Chinese then English)."""
    marks: dict[str, dict[str, list[str]]] = {}
    for error in errors:
        if error.cell:
            marks.setdefault(error.sheet, {}).setdefault(error.cell, []).append(f"{error.reason_zh}\n{error.reason_en}")
    return {sheet: {ref: "\n".join(lines) for ref, lines in cells.items()} for sheet, cells in marks.items()}


def summary_sheet_xml(errors: Sequence[CellError]) -> bytes:
    """The 错误汇总 worksheet as SpreadsheetML with inline strings (text stays text)."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(_WIDTHS, start=1))
    rows = []
    for r, values in enumerate((SUMMARY_HEADERS, *_summary_rows(errors)), start=1):
        cells = []
        for c, value in enumerate(values, start=1):
            ref = f"{get_column_letter(c)}{r}"
            if value == "":
                continue
            if isinstance(value, int) and r > 1:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xml_text(safe_text(str(value)))}</t></is></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{"".join(rows)}</sheetData></worksheet>'
    ).encode()


def _unique_name(existing: Iterable[str]) -> str:
    """The summary sheet name, numbered if the upload already has one (a re-uploaded error workbook)."""
    taken, name, n = set(existing), SUMMARY_SHEET, 1
    while name in taken:
        n += 1
        name = f"{SUMMARY_SHEET}{n}"
    return name


def _with_openpyxl(data: bytes, marks: Mapping[str, Mapping[str, str]], errors: Sequence[CellError], name: str) -> bytes:
    """Annotate with openpyxl: replace our earlier marks, fill and comment bad cells, add the summary."""
    wb = load_workbook(io.BytesIO(data))
    for old in [ws for ws in wb.worksheets if ws.title.startswith(SUMMARY_SHEET) and len(wb.worksheets) > 1]:
        wb.remove(old)
    name = _unique_name(wb.sheetnames)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None
                    if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED:
                        cell.fill = PatternFill()
    for sheet, cells in marks.items():
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        for ref, text in cells.items():
            cell = ws[ref]
            if isinstance(cell, MergedCell):
                continue
            cell.fill = _FILL
            cell.comment = Comment(text, AUTHOR, width=240, height=80)
    summary = _add_summary(wb, errors, name)
    return save(wb, verbatim=[ws.title for ws in wb.worksheets if ws is not summary])


def _summary_only(errors: Sequence[CellError], name: str) -> bytes:
    """A workbook holding only the summary sheet (for files too large to annotate with openpyxl)."""
    wb = Workbook()
    wb.remove(wb.active)
    _add_summary(wb, errors, name)
    return save(wb)


def _add_summary(wb: Workbook, errors: Sequence[CellError], name: str) -> Worksheet:
    """Append the summary sheet: one line per error, bold frozen header; return it."""
    summary = wb.create_sheet(name)
    for values in (SUMMARY_HEADERS, *_summary_rows(errors)):
        summary.append([None] * len(values))
        for col, value in enumerate(values, start=1):
            cell = summary.cell(row=summary.max_row, column=col)
            if isinstance(value, int) and summary.max_row > 1:
                cell.value = value
            else:
                set_text(cell, safe_text(str(value)))
    for col, width in enumerate(_WIDTHS, start=1):
        summary.column_dimensions[get_column_letter(col)].width = width
        summary.cell(row=1, column=col).font = Font(bold=True)
    summary.freeze_panes = "A2"
    return summary


def build_error_workbook(data: bytes, errors: Sequence[CellError], *, filename: str = "", fast: bool | None = None) -> bytes:
    """The user's workbook with bad cells marked and a summary sheet; raises only ``WorkbookError``.

    ``fast`` forces the in-place path (True) or openpyxl (False); by default the fast path is
    tried first and openpyxl is used when the file has something it does not edit.
    """
    info = check_xlsx(data, filename=filename)
    errors = sorted(errors, key=lambda e: (e.sheet, e.row, e.code == MORE_ERRORS, e.cell or ""))
    marks = comment_texts(errors)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            name = _unique_name(sheet_parts(zf))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fast is not False:
                try:
                    return patch_workbook(data, marks, name, summary_sheet_xml(errors))
                except PatchUnsupported:
                    if fast:
                        raise
            if info.cells > OPENPYXL_MAX_CELLS:
                return _summary_only(errors, name)
            return _with_openpyxl(data, marks, errors, name)
    except WorkbookError:
        raise
    except Exception as exc:  # the error workbook must fail as cleanly as the reader
        raise CorruptWorkbookError("无法生成错误标注工作簿", f"cannot build the annotated workbook ({type(exc).__name__})") from exc
