"""The listing workbook: all or nothing, errors named by row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from accounts.roles import Role
from imports.errors import WorkbookError
from listing.models import ListedProduct
from listing.uploads import upload_listings
from listing.workbook import build_listing_template
from tests.conftest import aware
from tests.listing.conftest import CONSUMABLE, DRUG

NOW = aware(2026, 12, 1, 2)
HEADER = ["医保编码", "通用名", "剂型", "规格", "包装", "上市许可持有人", "挂网价格（元）", "集采状态", "集采批次"]


def workbook(*rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


DRUG_ROW = (DRUG, "比卡鲁胺片", "片剂", "50mg", "28片/盒", "示例制药", 123.4567, "未集采", None)
STENT_ROW = (CONSUMABLE, "冠脉支架", "钴铬合金", "3.0×18mm", "1个/盒", "示例器械", "5,600", "未集采", "")


def test_a_good_workbook_lists_every_row(session, world):
    result = upload_listings(session, world.actors[("A", Role.SUPPLIER_REP)], workbook(DRUG_ROW, STENT_ROW),
                             "p.xlsx", NOW)
    assert (result.listed, result.errors) == (2, ())
    prices = session.exec(select(ListedProduct.code, ListedProduct.price_e4).order_by(ListedProduct.id)).all()
    assert prices == [(DRUG, 1234567), (CONSUMABLE, 56000000)]


def test_columns_in_another_order_are_read_by_name(session, world):
    order = [8, 7, 6, 5, 4, 3, 2, 1, 0]
    data = workbook([DRUG_ROW[i] for i in order], header=[HEADER[i] for i in order])
    assert upload_listings(session, world.actors[("A", Role.SUPPLIER_REP)], data, "p.xlsx", NOW).listed == 1


def test_one_bad_row_refuses_the_file_naming_row_and_column(session, world):
    bad_code = (DRUG[:-1], *DRUG_ROW[1:])
    bad_status = (*STENT_ROW[:7], "也许", "")
    result = upload_listings(session, world.actors[("A", Role.SUPPLIER_REP)],
                             workbook(DRUG_ROW, bad_code, bad_status), "p.xlsx", NOW)
    assert result.listed == 0
    shown = [(e.row, e.cell, e.reason_en) for e in result.errors]
    assert shown == [(4, "H4", "the VBP status must be 中选, 非中选 or 未集采")]  # the reader's errors come first
    result = upload_listings(session, world.actors[("A", Role.SUPPLIER_REP)], workbook(DRUG_ROW, bad_code),
                             "p.xlsx", NOW)
    assert [(e.row, e.cell) for e in result.errors] == [(3, "A3")]
    assert "22 characters" in result.errors[0].reason_en
    assert session.exec(select(ListedProduct)).all() == []


def test_a_missing_column_is_named(session, world):
    data = workbook(DRUG_ROW[:6], header=HEADER[:6])
    result = upload_listings(session, world.actors[("A", Role.SUPPLIER_REP)], data, "p.xlsx", NOW)
    assert result.listed == 0 and any("挂网价格" in e.column for e in result.errors)


def test_not_a_workbook_is_refused_readably(session, world):
    with pytest.raises(WorkbookError):
        upload_listings(session, world.actors[("A", Role.SUPPLIER_REP)], b"hello", "p.xlsx", NOW)


def test_the_template_has_the_header_the_reader_wants_and_the_batches():
    book = load_workbook(io.BytesIO(build_listing_template([("GY-2026-01", "第一批")])))
    assert [c.value for c in book.active[1]] == HEADER
    assert [c.value for c in book["集采批次"][2]] == ["GY-2026-01", "第一批"]
