"""Payment standards and price monitoring in the browser (issue #20): the national batch's
selected prices → standards derived by one officer → approved by a second (four-eyes) → published
on the page, in the workbook and over the API → a non-selected product's payment stepping down
across the transition years → a monitoring run raising a price-rise and a peer-outlier alert → the
officer follows one up and closes it; the report with its charts. Screenshots at desktop and 390 px."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from api import services as api
from core.clock import utcnow
from pricewatch.models import Observation
from tests.browser.helpers import nav, new_page, sign_in
from tests.paystd.fixtures import NON_SELECTED, executed, list_non_selected
from tests.pricewatch.test_monitoring import _raised_to_40

pytestmark = pytest.mark.browser


def _peer_lines(session):
    """Four hospitals' order lines of one product in April 2024, one paying double the others."""
    for n, price in enumerate((1000000, 1100000, 1200000, 2000000)):
        org = accounts.create_organisation(session, None, code=f"PEER{n}", name=f"济南第{n + 1}医院",
                                           kind=OrgKind.HOSPITAL, region_code="370100")
        session.add(Observation(region_code="370000", source="order", ref=f"OL{n}", product_key="L999",
                                hospital_org_id=org.id, observed_on=date(2024, 4, 5), price_e4=price, quantity=10))
    session.commit()


def test_standards_published_and_an_alert_followed_up(app, session, world, live_server, browser, shot):
    executed(session, world)
    product = list_non_selected(session, world, price="30")
    _raised_to_40(session, world, product)
    _peer_lines(session)
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
