"""Other provinces' prices from a workbook: every row or none, errors named by row and column;
hostile files refused readably before any row is read."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from imports.errors import WorkbookError
from pricewatch.models import ProvincePrice
from pricewatch.uploads import upload_province_prices
from pricewatch.workbook import build_province_template, read_day
from tests.paystd.fixtures import NON_SELECTED, executed, list_non_selected

NOW = datetime(2024, 4, 1, 2, tzinfo=UTC)
TODAY = date(2024, 4, 1)
HEADER = ["医保编码", "省份", "价格（元）", "采集日期", "来源"]


def workbook(*rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def officer(session, world):
    a, _b = executed(session, world)
    list_non_selected(session, world, price="10")
    return a


def test_a_good_workbook_stores_every_row_in_any_column_order(session, world, officer):
    data = workbook(("江苏", "９.５０", NON_SELECTED, "2024-03-15", "江苏省平台"),
                    ("浙江", "9,800.00", NON_SELECTED, datetime(2024, 3, 20), ""), (None, None, None, None, None),
                    header=["省份", "价格（元）", "医保编码", "采集日期", "来源"])
    result = upload_province_prices(session, officer, data, "p.xlsx", NOW, TODAY)
    assert (result.stored, result.errors) == (2, ())
    rows = session.exec(select(ProvincePrice).order_by(ProvincePrice.id)).all()
    assert [(r.province, r.price_e4, r.observed_on) for r in rows] == [("江苏", 95000, date(2024, 3, 15)),
                                                                       ("浙江", 98000000, date(2024, 3, 20))]


def test_one_bad_row_refuses_the_file_naming_row_and_column(session, world, officer):
    data = workbook((NON_SELECTED, "江苏", "9.5", "2024-03-15"), (NON_SELECTED, "浙江", "-1", "2024-03-15"),
                    (NON_SELECTED, "河北", "9.5", "昨天"), ("XL00000000000000000000", "广东", "9", "2024-03-01"),
                    (NON_SELECTED, "江苏", "9.5", "2024-03-15"), (NON_SELECTED, "山西", "9", "2024-05-01"))
    result = upload_province_prices(session, officer, data, "p.xlsx", NOW, TODAY)
    assert result.stored == 0
    shown = sorted((e.cell, e.code) for e in result.errors)
    assert shown == [("A5", "refused"), ("A6", "duplicate"), ("C3", "negative"), ("D4", "bad_date"),
                     ("D7", "refused")]
    assert session.exec(select(ProvincePrice)).all() == []


def test_a_missing_column_is_named(session, world, officer):
    result = upload_province_prices(session, officer, workbook((NON_SELECTED, "江苏"), header=HEADER[:2]),
                                    "p.xlsx", NOW, TODAY)
    assert result.stored == 0 and any("价格" in e.column for e in result.errors)


@pytest.mark.parametrize("data", [b"", b"hello", b"\xd0\xcf\x11\xe0" + b"\0" * 512, b"PK\x03\x04broken"])
def test_not_a_workbook_empty_old_xls_or_truncated_zip_is_refused_readably(session, world, officer, data):
    with pytest.raises(WorkbookError):
        upload_province_prices(session, officer, data, "p.xlsx", NOW, TODAY)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(session, world, officer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * 300_000_000)
    with pytest.raises(WorkbookError):
        upload_province_prices(session, officer, out.getvalue(), "p.xlsx", NOW, TODAY)


def test_dates_as_written_and_the_template():
    assert [read_day(t) for t in ("2024-03-15", "2024/3/5", "45366", "2024-03-15 00:00:00", "3/15", "2024-02-30")] == [
        date(2024, 3, 15), date(2024, 3, 5), date(2024, 3, 15), date(2024, 3, 15), None, None]
    assert [c.value for c in load_workbook(io.BytesIO(build_province_template())).active[1]] == HEADER
