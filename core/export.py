"""The one safe workbook writer: every .xlsx the platform produces is serialised by :func:`save`.

* **Formula injection.** Before writing, every cell is neutralised: text starting like a formula
  (``= + - @``, tab, CR) gets a leading apostrophe, and a formula cell is written as that text.
  Numbers stay numbers (a negative amount is a number, and so is text that is just a signed
  number such as ``-12.50``). Sheets that hold a user's own upload returned to that user (the
  annotated error workbook) are named in ``verbatim`` and written exactly as read.
* **No temporary files.** openpyxl spools each worksheet to a file in the temp dir while saving;
  :func:`save` keeps every part in memory, so a workbook with sealed bid figures never touches
  the disk in clear.

``workbook_bytes`` builds plain export sheets (title, header, rows) on top of it; values wrapped
in ``core.formats.Cell`` become numbers and dates with their number format.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.writer.excel import ExcelWriter

from core.formats import Cell

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SIGNED_NUMBER = re.compile(r"^[+-]\d+(?:\.\d+)?$")


def safe_text(text: str) -> str:
    """``text`` with a leading apostrophe when it starts like a formula (a signed number stays)."""
    if text.startswith(DANGEROUS) and not _SIGNED_NUMBER.match(text):
        return "'" + text
    return text


def safe_cell(value: object) -> object:
    """A cell value that cannot run as a formula: text is neutralised, anything else is kept."""
    return safe_text(value) if isinstance(value, str) else value


def _neutralise(wb: Workbook, verbatim: Collection[str]) -> None:
    """Rewrite every cell outside ``verbatim`` sheets so that none is a formula or formula-like text."""
    for ws in wb.worksheets:
        if ws.title in verbatim:
            continue
        for cell in ws._cells.values():
            value = cell.value
            if isinstance(value, (ArrayFormula, DataTableFormula)):
                value = str(getattr(value, "text", None) or "=")
            elif isinstance(value, CellRichText):
                value = str(value)
            elif not isinstance(value, str) or cell.data_type not in ("s", "f"):
                continue  # numbers, dates, booleans, error values (#N/A)
            safe = safe_text(value)
            if safe is not cell.value or cell.data_type == "f":
                cell._value, cell.data_type = safe, "s"


class _MemoryWriter(ExcelWriter):
    """openpyxl's writer with each worksheet serialised into memory instead of a temp file."""

    def write_worksheet(self, ws) -> None:
        """As ``ExcelWriter.write_worksheet`` for a normal workbook, into a BytesIO."""
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def save(wb: Workbook, *, verbatim: Collection[str] = ()) -> bytes:
    """The workbook as .xlsx bytes, neutralised (except the ``verbatim`` sheets), built in memory."""
    if wb.write_only or wb.read_only:
        raise ValueError("save() writes normal openpyxl workbooks only")
    _neutralise(wb, frozenset(verbatim))
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    _MemoryWriter(wb, archive).save()
    return buffer.getvalue()


def workbook_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[object]]]]) -> bytes:
    """An .xlsx with one sheet per (title, header, rows); the header row is bold and frozen.

    A :class:`core.formats.Cell` is written as its number or date with its number format
    (amounts ``¥#,##0.00``, prices ``¥#,##0.0000``, quantities ``#,##0``, dates ``yyyy-mm-dd``)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append([safe_cell(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in rows:
            ws.append([c.value if isinstance(c, Cell) else safe_cell(c) for c in row])
            for cell, given in zip(ws[ws.max_row], row, strict=False):
                if isinstance(given, Cell):
                    cell.number_format = given.number_format
    return save(wb)
