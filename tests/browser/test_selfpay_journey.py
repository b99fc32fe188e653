"""Self-settled payments in the browser (issue #17): the hospital accepted the VBP line and the
non-VBP line 40 days ago (the real services at a moved time); the non-VBP line is overdue on its
payments page, a wrong amount is refused with the reason, then the hospital records its payment of
the line; the bureau sees the hospital's on-time rate and the figures. Also at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import moved_to, utcnow
from core.formats import local_date
from tests.browser.helpers import nav, new_page, sign_in
from tests.orders.conftest import listed
from tests.selfpay.conftest import NOW, accept_all

pytestmark = pytest.mark.browser


def test_hospital_pays_its_non_vbp_line_and_the_bureau_sees_the_rate(app, session, world, live_server, browser, shot):
    done = accept_all(session, listed(session, world), NOW)  # accepted on 2026-12-01, due by 2026-12-31
    session.commit()
    with moved_to(NOW + timedelta(days=40)):  # the served app lives on 2027-01-10
        _journey(live_server, browser, shot, done)


def _journey(base, browser, shot, done):

    hospital = sign_in(new_page(browser), base, "a_hospital_buyer")
    nav(hospital, "nav-selfpay")
    assert hospital.locator(f"[data-testid=selfpay-line-{done.vbp.id}]").count() == 0  # the fund settles it
    row = hospital.get_by_test_id(f"selfpay-line-{done.plain.id}")
    assert "¥400.04" in row.inner_text() and row.locator("[data-status=overdue]").count() == 1
    assert "已逾期 10 天" in row.inner_text()
    shot(hospital, "selfpay-hospital-overdue")
    hospital.get_by_test_id(f"selfpay-tick-{done.plain.id}").check()
    hospital.fill("[data-testid=selfpay-amount]", "400.00")
    hospital.fill("[data-testid=selfpay-ref]", "CMB-2026-0001")
    hospital.get_by_test_id("selfpay-submit").click()
    assert "不等于所选明细合计 ¥400.04" in hospital.inner_text("body")  # refused, nothing recorded
    hospital.get_by_test_id(f"selfpay-tick-{done.plain.id}").check()
    hospital.fill("[data-testid=selfpay-amount]", "400.04")
    hospital.fill("[data-testid=selfpay-ref]", "CMB-2026-0001")
    hospital.get_by_test_id("selfpay-submit").click()
    assert "付款已登记" in hospital.inner_text("body")
    assert hospital.locator(f"[data-testid=selfpay-line-{done.plain.id}]").count() == 0
    assert "CMB-2026-0001" in hospital.get_by_test_id("selfpay-payments").inner_text()
    assert local_date(utcnow().date()) in hospital.get_by_test_id("selfpay-payments").inner_text()
    assert hospital.get_by_test_id("selfpay-rate").inner_text().startswith("0%")  # paid, but after the deadline
    shot(hospital, "selfpay-hospital-paid")
    hospital.set_viewport_size({"width": 390, "height": 844})
    shot(hospital, "selfpay-hospital-paid-390")

    officer = sign_in(new_page(browser), base, "a_price_officer")
    nav(officer, "nav-selfpay")
    assert officer.get_by_test_id(f"rate-{done.shop.hospital.org_id}").inner_text() == "0%"
    assert "A hospital" in officer.get_by_test_id("selfpay-hospitals").inner_text()
    shot(officer, "selfpay-bureau")
    with officer.expect_download() as download:
        officer.get_by_test_id("selfpay-xlsx").click()
    assert download.value.suggested_filename == "self-settled-payments.xlsx"
    officer.set_viewport_size({"width": 390, "height": 844})
    shot(officer, "selfpay-bureau-390")
