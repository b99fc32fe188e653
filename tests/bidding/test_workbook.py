"""The bid workbook: template round trip, every refusal on its cell, all-or-nothing upload."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from bidding.models import BidSubmission
from bidding.pricing import Strength
from bidding.validation import ItemTerms
from bidding.workbook import DATA_SHEET, build_bid_template, read_bid_workbook
from tests.bidding.conftest import bidding_open_now
from tests.conftest import csrf_token, fetch_held, login

TERMS = {"YP001": ItemTerms(Strength(Decimal(20), "mg"), 5000), "YP003": ItemTerms(Strength(Decimal(5), "mg"), 3000)}


def _filled(rows) -> bytes:
    """The template with the given (row index → values from column B) filled in."""
    wb = load_workbook(io.BytesIO(build_bid_template("B", "S", [("YP001", "阿托伐他汀钙片", "20mg"),
                                                                 ("YP003", "苯磺酸氨氯地平片", "5mg")])))
    ws = wb[DATA_SHEET]
    for r, values in rows.items():
        for c, v in enumerate(values, start=2):
            ws.cell(row=r, column=c, value=v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_filled_in_reads_cleanly():
    data = _filled({2: ["20", "mg", 7, "1.4", 5000000, "通过一致性评价仿制药", 1000000, "1.26"],
                    3: ["10", "mg", "１４", "0.70", "2,000,000", "参比制剂"]})
    parsed = read_bid_workbook(data, filename="b.xlsx", terms=TERMS)
    assert parsed.ok, parsed.errors
    first, second = parsed.rows
    assert (first.pack_price_e4, first.tiers[0].pack_price_e4) == (14000, 12600)
    assert (second.units_per_pack, second.capacity, second.eligibility.value) == (14, 2000000, "reference_drug")


def test_each_mistake_is_named_on_its_cell():
    data = _filled({2: ["20", "mg", 7, "3.6", 5000000, "通过一致性评价仿制药"],   # above max price
                    3: ["10", "mg", 14, "0.12345", 0, "不知道"]})                   # 5 decimals, capacity, eligibility
    parsed = read_bid_workbook(data, filename="b.xlsx", terms=TERMS)
    codes = {(e.cell, e.code) for e in parsed.errors}
    assert ("E2", "above_max_price") in codes  # columns: A item, B strength, C unit, D pack, E price
    assert ("E3", "money") in codes and ("G3", "eligibility") in codes
    assert not parsed.ok and parsed.rows == ()


def test_upload_is_all_or_nothing_through_the_page(client, session, world, db):
    code = bidding_open_now(session, world)
    session.close()
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, f"/batches/{code}/bids/upload")
    template = client.get(f"/batches/{code}/bids/template.xlsx")
    assert template.status_code == 200 and load_workbook(io.BytesIO(template.data))[DATA_SHEET]["A2"].value == "YP001"
    bad = _filled({2: ["20", "mg", 7, "1.4", 5000000, "通过一致性评价仿制药"], 3: ["5", "mg", 7, "9.9", 10, "参比制剂"]})
    page = client.post(f"/batches/{code}/bids/upload", data={"csrf_token": token, "file": (io.BytesIO(bad), "b.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "最高有效申报价" in page and "E3" in page
    with db.read_session() as s:
        assert s.exec(select(BidSubmission)).all() == []  # the good row was not stored either
    marked = fetch_held(client, page)
    assert marked.status_code == 200 and "错误汇总" in load_workbook(io.BytesIO(marked.data)).sheetnames
    not_xlsx = client.post(f"/batches/{code}/bids/upload", data={"csrf_token": token, "file": (io.BytesIO(b"hello"), "x.xlsx")},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "x.xlsx" in not_xlsx and "xlsx" in not_xlsx
    good = _filled({2: ["20", "mg", 7, "1.4", 5000000, "通过一致性评价仿制药"], 3: ["5", "mg", 7, "0.7", 10, "参比制剂"]})
    done = client.post(f"/batches/{code}/bids/upload", data={"csrf_token": token, "file": (io.BytesIO(good), "g.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="upload-done"' in done
    with db.read_session() as s:
        rows = s.exec(select(BidSubmission)).all()
    assert len(rows) == 2 and {r.source for r in rows} == {"workbook"}
