"""Error types of the workbook layer: one exception family and one cell-error record."""

from __future__ import annotations

from dataclasses import dataclass


class WorkbookError(Exception):
    """A file-level problem: the upload cannot be read at all (Chinese first, English alongside).

    Readers raise only this family; problems inside row data are collected as
    :class:`CellError` instead.
    """

    code = "workbook"

    def __init__(self, zh: str, en: str) -> None:
        """Keep both language versions of the message."""
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en


class NotXlsxError(WorkbookError):
    """The upload is not an .xlsx workbook (text, image, old .xls, empty, renamed file)."""

    code = "not_xlsx"


class CorruptWorkbookError(WorkbookError):
    """The upload looks like an .xlsx but its zip or XML is damaged or truncated."""

    code = "corrupt"


class UnsafeWorkbookError(WorkbookError):
    """The upload is refused before parsing: zip bomb, XML entity bomb, too many parts."""

    code = "unsafe"


ImportRejected = WorkbookError
"""Alias used by services: an import refused as a whole."""


@dataclass(frozen=True, slots=True)
class CellError:
    """One problem in the data, located as the user sees it in Excel.

    ``row`` is the Excel row number (1-based); ``cell`` is a reference such as ``"E7"``,
    or ``None`` when the problem has no single cell (a missing column, say).
    """

    sheet: str
    row: int
    column: str
    cell: str | None
    value: str
    reason_zh: str
    reason_en: str
    code: str = "invalid"

    def message(self) -> str:
        """One line for a page or a terminal: where, what, why (zh / en)."""
        where = f"{self.sheet}!{self.cell}" if self.cell else f"{self.sheet} 第{self.row}行"
        shown = f"「{self.value}」" if self.value else ""
        return f"{where} {self.column}{shown}: {self.reason_zh} / {self.reason_en}"
