"""core.charts: one Chart gives the island the browser draws, the table rows and the workbook."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.charts import Chart, Series, find


def _chart() -> Chart:
    return Chart("k", "Paid", "Month", ("2026-10", "2026-11"),
                 (Series("Paid", "元", "yuan", (123456, None)),
                  Series("Share", "%", "pct", (Decimal("0.125"), Decimal("1")), kind="line"),
                  Series("Lines", "", "qty", (3, 4), drawn=False)))


def test_island_carries_display_units_and_only_drawn_series():
    island = _chart().island()
    assert island["categories"] == ["2026-10", "2026-11"]
    assert [s["values"] for s in island["series"]] == [["1234.56", None], ["12.5", "100"]]
    assert [s["name"] for s in island["series"]] == ["Paid", "Share"]


def test_rows_and_header_hold_every_series():
    chart = _chart()
    assert chart.header == ["Month", "Paid (元)", "Share (%)", "Lines"]
    assert chart.rows()[0] == ("2026-10", [("yuan", 123456), ("pct", Decimal("0.125")), ("qty", 3)])


def test_workbook_has_numbers_with_formats():
    ws = load_workbook(io.BytesIO(_chart().workbook())).active
    assert [c.value for c in ws[1]] == ["Month", "Paid (元)", "Share (%)", "Lines"]
    assert ws["B2"].value == Decimal("1234.56") or ws["B2"].value == pytest.approx(1234.56)
    assert ws["B2"].number_format == "¥#,##0.00" and ws["C2"].number_format == "0.##%"
    assert ws["B3"].value is None and ws["D3"].value == 4


def test_a_series_must_match_the_categories_and_formats_are_known():
    with pytest.raises(ValueError, match="2 categories"):
        Chart("k", "t", "c", ("a", "b"), (Series("s", "", "qty", (1,)),))
    with pytest.raises(ValueError, match="format"):
        Series("s", "", "float", (1,))
    assert find([_chart()], "k") is not None and find([_chart()], "x") is None


def test_sheet_title_drops_what_excel_refuses():
    from core.charts import sheet_title

    assert sheet_title("进度/目标: [2026]?") == "进度 目标   2026"
    assert sheet_title("'''") == "chart" and len(sheet_title("长" * 40)) == 31
