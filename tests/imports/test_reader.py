"""The generic sheet reader, as a later bid or delivery import would use it."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from imports.headers import ColumnSpec
from imports.normalise import CellKind
from imports.reader import read_sheet

PRICE_SPECS = (
    ColumnSpec("item_code", "品种编码", "item code", kind=CellKind.CODE),
    ColumnSpec("pack_price", "申报价", "pack price", ("报价",), kind=CellKind.DECIMAL),
    ColumnSpec("capacity", "供应能力", "supply capacity", kind=CellKind.COUNT),
    ColumnSpec("note", "备注", "note", required=False),
)


def sheet_at_offset() -> bytes:
    """A sheet whose table starts at C3 (blank rows and columns before it)."""
    wb = Workbook()
    ws = wb.active
    ws["C3"], ws["D3"], ws["E3"] = "供应能力", "Item Code", "报价（元/盒）"
    ws["C4"], ws["D4"], ws["E4"] = 10000, "I001", "12.35"
    ws["C5"], ws["D5"], ws["E5"] = 2.5, "I002", "１,２34.5"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_generic_reader_with_decimal_and_count_columns():
    read = read_sheet(sheet_at_offset(), PRICE_SPECS, filename="bid.xlsx")
    assert read.header is not None and read.header.row == 3
    price = read.index("pack_price")
    assert [r.values[price] for r in read.rows] == [Decimal("12.35"), Decimal("1234.5")]
    assert [(e.cell, e.row, e.column, e.code) for e in read.errors] == [("C5", 5, "供应能力", "not_whole")]


def test_cell_references_follow_the_sheet_offset():
    read = read_sheet(sheet_at_offset(), PRICE_SPECS, filename="bid.xlsx")
    assert read.cell("item_code", 4) == "D4" and read.cell("note", 4) is None


def test_errors_are_capped_but_all_counted():
    wb = Workbook()
    ws = wb.active
    ws.append(["品种编码", "申报价", "供应能力"])
    for n in range(5):
        ws.append([f"I{n}", "x", -1])
    out = io.BytesIO()
    wb.save(out)
    read = read_sheet(out.getvalue(), PRICE_SPECS, max_errors=3)
    assert read.error_count == 10 and len(read.errors) == 3
