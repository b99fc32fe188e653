"""The delivery workbook reader: headers in any order, dates in the usual forms, bad cells named."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from imports.errors import WorkbookError
from settlement.execution.workbook import (
    build_delivery_template,
    parse_date,
    read_delivery_workbook,
)


def _book(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "发货"
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(("text", "day"), [("2026-10-05", date(2026, 10, 5)), ("2026/10/5", date(2026, 10, 5)),
                                           ("2026年10月5日", date(2026, 10, 5)), ("46300", date(2026, 10, 5)),
                                           ("2026-02-30", None), ("昨天", None), ("", None)])
def test_dates(text, day):
    assert parse_date(text) == day


def test_columns_in_another_order_full_width_digits_and_real_dates():
    data = _book(["quantity", "企业单号", "发货日期", "合同编号", "备注"],
                 [["１,２００", "PS-1", datetime(2026, 10, 5), " ht-1 "], [None, None, None, None],
                  ["3", "", "2026/10/06", "HT-2"]])
    parsed = read_delivery_workbook(data, filename="d.xlsx")
    assert parsed.ok, [e.message() for e in parsed.errors]
    assert [(r.contract_code, r.quantity, r.shipped_on) for r in parsed.rows] == [
        ("HT-1", 1200, date(2026, 10, 5)), ("HT-2", 3, date(2026, 10, 6))]


def test_bad_cells_are_named_and_missing_columns_refused():
    parsed = read_delivery_workbook(_book(["合同编号", "发货数量", "发货日期"], [["HT-1", "1.5", "2026-10-05"],
                                                                          ["HT-1", "0", "2026-10-05"],
                                                                          ["HT-1", "-2", "x"]]), filename="d.xlsx")
    cells = {e.cell for e in parsed.errors}
    assert {"B2", "B3", "B4"} <= cells and not parsed.ok
    missing = read_delivery_workbook(_book(["合同编号", "发货日期"], [["HT-1", "2026-10-05"]]), filename="d.xlsx")
    assert not missing.ok and "发货数量" in missing.errors[0].message()
    with pytest.raises(WorkbookError):
        read_delivery_workbook(b"not a workbook", filename="d.xlsx")


def test_template_reads_back_empty_with_a_clear_error():
    parsed = read_delivery_workbook(build_delivery_template([("HT-1", "医院", "YP001")]), filename="t.xlsx")
    assert not parsed.ok and parsed.errors[0].code == "empty"
