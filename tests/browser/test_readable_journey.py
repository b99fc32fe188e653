"""Items 8, 13 and 15 of issue #14 in a real browser: an officer reads an evaluation run by name
with the anchor, the price-spread line and why a bid lost; a supplier prints its bid receipt
(company name and verification code, no JSON); a hospital reads its contracts by name."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.roles import Role
from evaluation import services as evaluation
from settlement import services
from settlement.execution.deliveries import DeliveryInput
from tests.bidding.conftest import bidding_open_now
from tests.browser.helpers import new_page, sign_in
from tests.evaluation.fixtures import OPENING, opened_batch
from tests.settlement.fixtures_db import NOW, make_setup

pytestmark = pytest.mark.browser


def _phone(page):
    """The same page at a 390 px phone width."""
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def test_officer_reads_an_evaluation_run_by_name(app, db, session, world, ring, live_server, browser, shot):
    code = opened_batch(session, world, ring)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    run = evaluation.request_evaluation(session, officer, code, OPENING).value
    session.close()
    evaluation.claim_and_run(db, run.id, officer)  # the real solve, as the background thread does it
    page = sign_in(new_page(browser), live_server, "a_price_officer")
    page.goto(f"{live_server}/batches/{code}/evaluations/1")
    card = page.get_by_test_id("item-YP101")
    # the anchor and how it was derived, by the supplier's name
    assert card.get_by_test_id("anchor").inner_text() == "锚点价 ¥0.1300：最低有效单位可比价，由B supplier报出。"
    lines = card.get_by_test_id("thresholds").inner_text()
    assert "锚点价的 1.8 倍" in lines and "¥0.2340/片" in lines and "最高有效申报价" in lines
    bids = card.get_by_test_id("bids-YP101")
    won = bids.locator("tr[data-supplier='B-supplier']").get_by_test_id("why").inner_text()
    lost = bids.locator("tr[data-supplier='A-supplier']").get_by_test_id("why").inner_text()
    assert won.startswith("报价 ¥0.1300/片，不高于锚点价 ¥0.1300 的 1.8 倍（¥0.2340），中选，分配")
    assert "A-city-1" in won and "A-city-2" in won  # regions by name
    assert lost == ("报价 ¥0.1400/片 通过价格判定，但在 2 家有效报价中排第 2 名；有效报价 2 家时最多 1 家中选，不中选。")
    status = card.get_by_test_id("solver-status").inner_text()
    assert "最优解" in status and "gap" not in status and "e-" not in status
    text = page.inner_text("main")
    assert "370100" not in text and "min_regions_" not in text
    shot(page, "readable-evaluation")
    with page.expect_download() as download:
        page.get_by_test_id("run-export").click()
    assert download.value.suggested_filename == f"evaluation-{code}-v1.xlsx"
    page.goto(f"{live_server}/batches/{code}/review")
    assert "报价 ¥0.1400/片 通过价格判定" in page.get_by_test_id("item-YP101").inner_text()
    assert page.get_by_test_id("review-export").is_visible()
    shot(_phone(page), "readable-review-390")


def test_supplier_prints_a_bid_receipt(app, session, world, ring, live_server, browser, shot):
    app.extensions["jicai.keyring"] = ring
    code = bidding_open_now(session, world, days=2)
    session.close()
    page = sign_in(new_page(browser), live_server, "a_supplier_rep")
    page.add_init_script("window.print = function () { window.__printed = (window.__printed || 0) + 1; };")
    page.goto(f"{live_server}/batches/{code}/bids/new?item=YP001")
    page.fill("#strength", "20")
    page.fill("#strength_unit", "mg")
    page.fill("#units_per_pack", "7")
    page.fill("#pack_price", "1.40")
    page.fill("#capacity", "3000000")
    page.get_by_test_id("preview-bid").click()
    page.get_by_test_id("confirm-bid").click()
    slip = page.get_by_test_id("receipt-slip")
    receipt = slip.get_by_test_id("receipt").inner_text()
    assert len(receipt) == 64
    assert slip.get_by_test_id("slip-company").inner_text() == "A supplier"
    assert slip.get_by_test_id("short-receipt").inner_text() == "-".join(receipt[i:i + 4] for i in range(0, 16, 4))
    text = slip.inner_text()
    assert "{" not in text and "salt" not in text and "a_supplier_rep" not in text and "核验" in text
    assert page.locator("textarea").count() == 0
    page.get_by_test_id("print-receipt").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")  # on paper: the slip alone, no menu, no buttons
    assert not page.locator("header.top").is_visible() and not page.get_by_test_id("print-receipt").is_visible()
    assert slip.is_visible()
    shot(page, "receipt-print")
    page.emulate_media(media="screen")
    # reprinted later from My bids
    page.goto(f"{live_server}/batches/{code}/bids")
    page.locator("a[data-testid^='receipt-']").first.click()
    assert page.get_by_test_id("receipt").inner_text() == receipt
    assert page.get_by_test_id("slip-company").inner_text() == "A supplier"
    shot(_phone(page), "receipt-390")


def test_hospital_reads_its_contracts_by_name(app, session, world, live_server, browser, shot):
    setup = make_setup(session, world)
    services.record_delivery(session, world.actors[("A", Role.SUPPLIER_REP)],
                             DeliveryInput(setup.contracts["YP003"].code, 500, date(2026, 10, 3)), NOW)
    session.commit()
    session.close()
    page = sign_in(new_page(browser), live_server, "a_hospital_buyer")
    page.goto(f"{live_server}/batches/{setup.code}/contracts")
    rows = page.get_by_test_id("contracts").locator("tbody tr")
    first = rows.filter(has_text="阿托伐他汀钙片").inner_text()
    # drug by generic name and spec, the supplier, the price and the amount; the code secondary
    assert "阿托伐他汀钙片 片剂 20mg" in first and "A supplier" in first and "¥0.1234" in first
    assert "¥12,340.00" in first  # 100,000 agreed tablets × ¥0.1234
    assert setup.contracts["YP001"].code in first
    assert rows.count() == 2
    shot(page, "hospital-contracts")
    page.goto(f"{live_server}/settlement/")
    delivery = page.get_by_test_id("to-accept").locator("tbody tr").first.inner_text()
    assert "苯磺酸氨氯地平片 片剂 5mg" in delivery and "A supplier" in delivery and "¥0.0567/片" in delivery
    shot(_phone(page), "hospital-settlement-390")
