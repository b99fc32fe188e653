"""Payment standards and price monitoring in the browser (issue #20): the national batch's
selected prices → standards derived by one officer → approved by a second (four-eyes) → published
on the page, in the workbook and over the API → a non-selected product's payment stepping down
across the transition years → an order line showing its standard and the patient / fund split → a monitoring run raising a
price-rise alert and a peer-outlier alert over real orders → the
officer follows one up and closes it; the report with its charts. Screenshots at desktop and 390 px."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from listing.models import ListedProduct
from tests.browser.helpers import nav, new_page, sign_in
from tests.conftest import aware
from tests.paystd.fixtures import LISTED_AT, NON_SELECTED, executed, list_non_selected
from tests.pricewatch import buying
from tests.pricewatch.buying import distributing, list_plain, ordered, received, reprice
from tests.pricewatch.test_monitoring import _raised_to_40

pytestmark = pytest.mark.browser


def _peer_lines(session, world):
    """Four hospitals buy one product through real orders, ordered in March 2024 as its price went
    from ¥100 to ¥200 (the fourth after the change), all received on 2024-04-05; and province A's
    hospital orders the non-selected ibuprofen in March (its line shows the payment split)."""
    distributing(session, world, LISTED_AT)
    product = list_plain(session, world, "100", LISTED_AT)
    buyers = [buying.hospital(session, world, f"PEER{n}", f"济南第{n + 1}医院") for n in range(4)]
    lines = [ordered(session, b, product, 10, aware(2024, 3, 2, 2)) for b in buyers[:3]]
    reprice(session, world, product, "200", aware(2024, 3, 3, 2))
    lines.append(ordered(session, buyers[3], product, 10, aware(2024, 3, 3, 2)))
    for buyer, line in zip(buyers, lines, strict=True):
        received(session, world, buyer, line, aware(2024, 4, 5, 2))
    ibuprofen = session.exec(select(ListedProduct).where(ListedProduct.code == NON_SELECTED)).one()
    own = ordered(session, world.actors[("A", Role.HOSPITAL_BUYER)], ibuprofen, 3, aware(2024, 3, 4, 2))
    order_id = own.order_id
    session.commit()
    return order_id


def test_standards_published_and_an_alert_followed_up(app, session, world, live_server, browser, shot):
    executed(session, world)
    product = list_non_selected(session, world, price="30")
    order_id = _peer_lines(session, world)
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

    hospital = sign_in(new_page(browser), base, "a_hospital_buyer")
    nav(hospital, "nav-paystd")
    caps = {}
    for day, year in (("2024-03-01", "1"), ("2025-03-01", "2"), ("2026-03-01", "3")):
        hospital.fill("#date", day)
        hospital.get_by_test_id("paystd-date").get_by_role("button").click()
        assert hospital.get_by_test_id("standard-YP902").inner_text() == "¥5.9588"
        assert hospital.get_by_test_id(f"year-{NON_SELECTED}").inner_text() == year
        caps[year] = hospital.get_by_test_id(f"cap-{NON_SELECTED}").inner_text()
    assert caps == {"1": "¥11.9176", "2": "¥8.9382", "3": "¥5.9588"}  # the step-down across the transition
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
