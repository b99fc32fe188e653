"""Tiny workbooks for the reader tests, built with openpyxl, plus the batch context."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal

import pytest
from openpyxl import Workbook

from imports.demand import BatchItem, BrandOption, BulkDemandContext, DemandContext

HEADER = ["医院编码", "品种编码", "上年用量", "承诺年采购量", "意向品牌", "原因"]
ITEMS = tuple(BatchItem(f"I00{i}", f"药品{i}", "片剂", "10mg×7片", "片") for i in range(1, 6))
BRANDS = (BrandOption("B01", "甲制药"), BrandOption("B02", "乙制药", frozenset({"I001"})))
CONTEXT = DemandContext("H001", "第一人民医院", "B2026", ITEMS, Decimal("0.8"), BRANDS)


def make_xlsx(rows: Sequence[Sequence[object]], *, sheet: str = "报量", merges: Sequence[str] = (), first: str | None = None) -> bytes:
    """A one-sheet workbook (optionally after a sheet named ``first``) holding ``rows`` from A1."""
    wb = Workbook()
    ws = wb.active
    if first:
        ws.title = first
        ws["A1"] = "说明"
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for cells in merges:
        ws.merge_cells(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_part(data: bytes, part: str, pattern: bytes, replacement: bytes) -> bytes:
    """The same zip with a regex substitution applied to one part (for cached formula values etc.)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == part:
                body = re.sub(pattern, replacement, body)
            dst.writestr(info.filename, body)
    return out.getvalue()


def row(item: str = "I001", last: object = 1000, committed: object = 900, brand: object = None, reason: object = None, hospital: object = "H001") -> list[object]:
    """One data row in HEADER order."""
    return [hospital, item, last, committed, brand, reason]


@pytest.fixture
def context() -> DemandContext:
    """Hospital H001 in batch B2026 with five items and two brands."""
    return CONTEXT


@pytest.fixture
def bulk_context() -> BulkDemandContext:
    """The bureau view of the same batch with three hospitals."""
    return BulkDemandContext("B2026", ITEMS, frozenset({"H001", "H002", "H003"}), Decimal("0.8"), BRANDS)
