"""A supplier bids through the browser (form and workbook), amends, withdraws and keeps its
receipts; after the opening time the officer opens the bids and reads the opening record."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from bidding.workbook import DATA_SHEET
from core.clock import utcnow
from tests.bidding.conftest import make_bidding_batch
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser
WINDOW = 45  # seconds the supplier has before the bid deadline


def _form_bid(page, base, code, item, price):
    page.goto(f"{base}/batches/{code}/bids/new?item={item}")
    page.fill("#strength", "20" if item == "YP001" else "5")
    page.fill("#strength_unit", "mg")
    page.fill("#units_per_pack", "7")
    page.fill("#pack_price", price)
    page.fill("#capacity", "3000000")
    page.get_by_test_id("preview-bid").click()
    page.get_by_test_id("confirm-bid").click()
    return page.get_by_test_id("receipt").inner_text()


def test_supplier_bids_and_officer_opens(app, db, session, world, ring, live_server, browser, shot, tmp_path):
    app.extensions["jicai.keyring"] = ring
    now = utcnow()
    code = make_bidding_batch(session, world, demand_deadline=now - timedelta(hours=1),
                              bid_deadline=now + timedelta(seconds=WINDOW),
                              opening_at=now + timedelta(seconds=WINDOW + 2))
    session.close()
    page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    sign_in(page, live_server, "a_supplier_rep")
    first = _form_bid(page, live_server, code, "YP001", "1.40")
    shot(page, "bid-receipt")
    # several bids by workbook (YP001 again = amend, and YP003)
    page.goto(f"{live_server}/batches/{code}/bids/upload")
    with page.expect_download() as dl:
        page.get_by_test_id("bid-template").click()
    template = tmp_path / "template.xlsx"
    dl.value.save_as(template)
    wb = load_workbook(template)
    ws = wb[DATA_SHEET]
    ws["B2"], ws["C2"], ws["D2"], ws["E2"], ws["F2"], ws["G2"] = "20", "mg", 7, "1.33", 3000000, "通过一致性评价仿制药"
    ws["B3"], ws["C3"], ws["D3"], ws["E3"], ws["F3"], ws["G3"] = "5", "mg", 7, "0.70", 2000000, "参比制剂"
    filled = tmp_path / "bids.xlsx"
    wb.save(filled)
    page.set_input_files("#file", str(filled))
    page.get_by_test_id("upload-bids").click()
    page.get_by_test_id("upload-done").wait_for()
    page.goto(f"{live_server}/batches/{code}/bids")
    page.get_by_test_id("withdraw-YP003").click()
    table = page.get_by_test_id("my-bids").inner_text()
    assert "已被修改替代" in table and "已撤回" in table and first[:4] in table
    shot(page, "my-bids")
    # wait for the opening time, then the officer opens
    remaining = (now + timedelta(seconds=WINDOW + 3) - utcnow()).total_seconds()
    time.sleep(max(0.0, remaining))
    officer = browser.new_context(locale="zh-CN").new_page()
    sign_in(officer, live_server, "a_price_officer")
    officer.goto(f"{live_server}/batches/{code}/bids")
    officer.get_by_test_id("open-bids").click()
    record = officer.get_by_test_id("opening-table").inner_text()
    assert "A supplier" in record and "¥0.1900" in record
    assert "苯磺酸氨氯地平片" not in record  # the withdrawn bid is not in the record
    shot(officer, "opening-record")
