"""Workbook layer of jicai: bytes in, parsed rows and row-level errors out.

Nothing here touches a database or Flask. The building blocks (``xlsx_guard``,
``normalise``, ``headers``, ``reader``, ``errors_workbook``) are shared by every
Excel import; ``demand`` and ``template`` are the hospital demand sheet (报量).
"""

from imports.errors import CellError, ImportRejected, WorkbookError

__all__ = ["CellError", "ImportRejected", "WorkbookError"]
