"""Payment standards and price monitoring in the browser (issue #20): the national batch's
selected prices → standards derived by one officer → approved by a second (four-eyes) → published
on the page, in the workbook and over the API → a non-selected product's payment stepping down
across the transition years (the page read at a moved clock in each year) → an order line showing its standard and the patient / fund split → a monitoring run raising a
price-rise alert and a peer-outlier alert over real orders → the
officer follows one up and closes it; the report with its charts. Screenshots at desktop and 390 px."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from api import services as api
from core.clock import moved_to, utcnow
from tests.browser.helpers import nav, new_page, sign_in
from tests.paystd.fixtures import LISTED_AT, NON_SELECTED, executed, list_non_selected
from tests.pricewatch.buying import peer_lines
from tests.pricewatch.test_monitoring import _raised_to_40

pytestmark = pytest.mark.browser


def test_standards_published_and_an_alert_followed_up(app, session, world, live_server, browser, shot):
    executed(session, world)
    product = list_non_selected(session, world, price="30")
    order_id = peer_lines(session, world, LISTED_AT, with_ibuprofen=NON_SELECTED)
    _raised_to_40(session, world, product)
    plain, _row = api.create_token(session, world.actors[("A", Role.HOSPITAL_BUYER)], "his", utcnow())
    session.commit()
    base = live_server

    officer = sign_in(new_page(browser), base, "a_price_officer")
    nav(officer, "nav-paystd")
    officer.get_by_test_id("paystd-derive").click()
    officer.select_option("#batch", "NAT9")
    officer.fill("#reason", "第九批国家集采中选结果执行，按同通用名最高中选价确定支付标准")
    shot(officer, "paystd-derive")
    officer.get_by_test_id("derive-submit").click()
    assert officer.get_by_test_id("version-status").get_attribute("data-status") == "proposed"
    assert officer.get_by_test_id("decision-waits").is_visible()  # four-eyes
    version_url = officer.url

    second = sign_in(new_page(browser), base, "a_officer_2")
    second.goto(version_url)
    shot(second, "paystd-version-approve")
    second.get_by_test_id("version-approve").click()
    assert second.get_by_test_id("version-status").get_attribute("data-status") == "approved"

    caps = {}  # the served page with no date shows today's standards: read at a moved clock in each year
    for when, year in ((datetime(2024, 3, 5, 2, tzinfo=UTC), "1"), (datetime(2025, 3, 5, 2, tzinfo=UTC), "2"),
                       (datetime(2026, 3, 5, 2, tzinfo=UTC), "3")):
        with moved_to(when):
            page = sign_in(new_page(browser), base, "a_hospital_buyer")
            nav(page, "nav-paystd")
            assert page.get_by_test_id("standard-YP902").inner_text() == "¥5.9588"
            assert page.get_by_test_id(f"year-{NON_SELECTED}").inner_text() == year
            caps[year] = page.get_by_test_id(f"cap-{NON_SELECTED}").inner_text()
            if year == "2":
                shot(page, "paystd-year-two")
            page.context.close()
    assert caps == {"1": "¥11.9176", "2": "¥8.9382", "3": "¥5.9588"}  # the step-down across the transition
    hospital = sign_in(new_page(browser), base, "a_hospital_buyer")
    nav(hospital, "nav-paystd")
    hospital.fill("#date", "2025-03-01")
    hospital.get_by_test_id("paystd-date").get_by_role("button").click()
    assert hospital.get_by_test_id(f"cap-{NON_SELECTED}").inner_text() == "¥8.9382"  # any date asked for
    shot(hospital, "paystd-published")
    with hospital.expect_download() as download:
        hospital.get_by_test_id("paystd-xlsx").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert {r[0]: r[5] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)}["YP902"] == 5.9588
    answer = hospital.request.get(f"{base}/api/v1/payment-standards?date=2026-03-01",
                                  headers={"Authorization": f"Bearer {plain}"})
    assert answer.ok and answer.json()["products"][0]["cap"] == "5.9588"
    hospital.set_viewport_size({"width": 390, "height": 844})
    shot(hospital, "paystd-published-390")
    hospital.set_viewport_size({"width": 1280, "height": 900})
    hospital.goto(f"{base}/orders/{order_id}")  # its March order of the ibuprofen: year 1 of the transition
    assert hospital.get_by_test_id("standard-1").inner_text().startswith("¥5.9588")
    assert hospital.get_by_test_id("cap-1").inner_text() == "支付上限 ¥11.9176"
    assert (hospital.get_by_test_id("fund-1").inner_text(), hospital.get_by_test_id("patient-1").inner_text()) == (
        "¥25.03", "¥64.97")
    assert hospital.get_by_test_id("basis-1").inner_text() == "暂按下单日"  # nothing accepted yet
    shot(hospital, "order-payment-split")
    hospital.set_viewport_size({"width": 390, "height": 844})
    shot(hospital, "order-payment-split-390")

    officer.goto(f"{base}/pricewatch/")
    officer.fill("#month", "2024-04")
    officer.get_by_test_id("run-monitoring").click()
    assert officer.get_by_test_id("alert-listed_raise").count() == 1
    assert officer.get_by_test_id("alert-peer_median").count() == 1
    shot(officer, "pricewatch-alerts")
    officer.get_by_test_id("alert-listed_raise").click()
    assert "上涨 33.3%" in officer.get_by_test_id("alert-evidence").inner_text()
    officer.select_option("#kind", "explain")
    officer.fill("#note", "请企业说明涨价原因并提供成本依据")
    officer.get_by_test_id("followup-submit").click()
    assert "已要求说明" in officer.get_by_test_id("followups").inner_text()
    officer.fill("#close-note", "企业已说明原料成本上涨，价格调整合规")
    officer.get_by_test_id("close-alert").click()
    assert officer.get_by_test_id("alert-status").get_attribute("data-status") == "closed"
    shot(officer, "pricewatch-alert-closed")
    officer.set_viewport_size({"width": 390, "height": 844})
    shot(officer, "pricewatch-alert-closed-390")
    officer.set_viewport_size({"width": 1280, "height": 900})
    officer.goto(f"{base}/pricewatch/report?month=2024-04")
    officer.locator("[data-chart=alerts] canvas, [data-chart=alerts] svg").first.wait_for()
    shot(officer, "pricewatch-report")
