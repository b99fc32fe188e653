"""Exports carry numbers as numbers with the one number format, dates as dates (read back)."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from core import formats
from core.export import workbook_bytes


def test_cells_are_written_as_formatted_numbers_and_dates():
    row = [formats.yuan_cell(77720299), formats.price_cell(6244), formats.qty_cell(9000),
           formats.pct_cell(Decimal("0.5")), formats.date_cell(date(2026, 11, 22)),
           formats.datetime_cell(datetime(2026, 11, 22, 16, 30, tzinfo=UTC)), "=1+1", formats.yuan_cell(None)]
    sheet = load_workbook(io.BytesIO(workbook_bytes([("表", ["a"] * len(row), [row])]))).active
    a, b, c, d, e, f, g, h = sheet[2]
    assert (Decimal(str(a.value)), a.number_format) == (Decimal("777202.99"), "¥#,##0.00")
    assert (Decimal(str(b.value)), b.number_format) == (Decimal("0.6244"), "¥#,##0.0000")
    assert (c.value, c.number_format) == (9000, "#,##0")
    assert (Decimal(str(d.value)), d.number_format) == (Decimal("0.5"), "0.##%")
    assert e.is_date and e.value.date() == date(2026, 11, 22) and e.number_format == "yyyy-mm-dd"
    assert f.is_date and f.value == datetime(2026, 11, 23, 0, 30)  # Beijing time
    assert g.value == "'=1+1" and g.data_type == "s"  # text is still neutralised
    assert h.value is None
    assert all(cell.data_type == "n" for cell in (a, b, c, d))
