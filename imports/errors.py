"""Error types of the workbook layer: one exception family and one cell-error record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.i18n import current_language

MAX_ERRORS = 10_000


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

    def shown(self, language: str | None = None) -> str:
        """The same line in one language (the reader's, by default): where, what, why."""
        shown = f"「{self.value}」" if self.value else ""
        if (language or current_language()) == "zh":
            where = f"{self.sheet}!{self.cell}" if self.cell else f"{self.sheet} 第{self.row}行"
            return f"{where} {self.column}{shown}：{self.reason_zh}"
        where = f"{self.sheet}!{self.cell}" if self.cell else f"{self.sheet} row {self.row}"
        return f"{where} {self.column}{shown}: {self.reason_en}"


MORE_ERRORS = "more_errors"


class ErrorSink:
    """Collects cell errors up to a cap and counts all of them (error lists stay linear in the
    input and bounded: every reader's rule errors go through one sink)."""

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        """Start empty with the given cap."""
        self.items: list[CellError] = []
        self.count = 0
        self.limit = limit

    def add(self, error: CellError) -> None:
        """Count the error; keep it while under the cap."""
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(error)

    def absorb(self, errors: Sequence[CellError], count: int) -> None:
        """Take over an earlier list (kept errors, of ``count`` in all; a "more" note is dropped)."""
        kept = [error for error in errors if error.code != MORE_ERRORS]
        for error in kept:
            self.add(error)
        self.count += max(count - len(kept), 0)

    def listed(self) -> tuple[CellError, ...]:
        """The kept errors in sheet order, then one line saying how many more there are."""
        items = sorted(self.items, key=lambda e: (e.row, e.cell or ""))
        more = self.count - len(items)
        if more > 0 and items:
            last = items[-1]
            items.append(CellError(
                last.sheet, last.row, "—", None, "",
                f"另有 {more} 个错误未列出（共 {self.count} 个，只列出前 {len(self.items)} 个）；请先改正以上错误后重新上传",
                f"{more} more errors not listed ({self.count} in all, the first {len(self.items)} shown); correct these and upload again",
                MORE_ERRORS,
            ))
        return tuple(items)
