"""Orders in the browser (issue #17, layer 3): the hospital orders two listed products — one
selected in a VBP batch, one not in VBP — through the distributor confirmed for its city; the
distributor confirms both lines and ships them with lots and expiry dates; the hospital accepts the
shipment, the accepted amount is exact to the fen, and the lot traces back to the hospital. Also at
390 px."""

from __future__ import annotations

import pytest

from tests.browser.helpers import nav, new_page, sign_in
from tests.orders.conftest import PLAIN_CODE, VBP_CODE, listed

pytestmark = pytest.mark.browser


def test_hospital_orders_distributor_ships_with_lots_hospital_accepts(app, session, world, live_server, browser,
                                                                     shot):
    shop = listed(session, world)  # listed, approved and the distributor confirmed, by the real services
    session.commit()
    base = live_server

    hospital = sign_in(new_page(browser), base, "a_hospital_buyer")
    nav(hospital, "nav-orders")
    hospital.get_by_test_id("order-new").click()
    assert "集采中选" in hospital.get_by_test_id(f"order-product-{VBP_CODE}").inner_text()
    hospital.select_option("#distributor", "A-distributor")
    hospital.fill(f"[data-testid=qty-{VBP_CODE}]", "0")
    hospital.fill(f"[data-testid=qty-{PLAIN_CODE}]", "2")
    hospital.get_by_test_id("order-send").click()
    assert "数量须为大于零的整数包装数" in hospital.inner_text("body")  # refused, naming the line; nothing sent
    hospital.fill(f"[data-testid=qty-{VBP_CODE}]", "10")
    shot(hospital, "orders-new")
    hospital.get_by_test_id("order-send").click()
    assert hospital.get_by_test_id("order-status").get_attribute("data-status") == "sent"
    assert hospital.get_by_test_id("order-amount").inner_text() == "¥323.48"  # 10 × ¥12.3456 + 2 × ¥100.01
    order_url = hospital.url

    distributor = sign_in(new_page(browser), base, "a_distributor_rep")
    nav(distributor, "nav-orders")
    assert "A hospital" in distributor.get_by_test_id("orders").inner_text()
    distributor.locator("[data-testid=orders] tbody a").first.click()
    shot(distributor, "orders-distributor-decides")
    distributor.get_by_test_id("decide-submit").click()
    assert distributor.locator("[data-testid=order-lines] td[data-status=confirmed]").count() == 2
    for n in (1, 2):
        distributor.fill(f"[data-testid=lot-{n}]", f"LOT-{n}")
        distributor.fill(f"[data-testid=expiry-{n}]", "2099-06-30")
    distributor.fill("[data-testid=ship-1]", "1")  # line 1 (the plain product) partly: 1 of 2
    distributor.get_by_test_id("ship-submit").click()
    assert distributor.get_by_test_id("shipment-1").is_visible()
    distributor.fill("[data-testid=lot-1]", "LOT-1B")
    distributor.fill("[data-testid=expiry-1]", "2099-07-31")
    distributor.get_by_test_id("ship-submit").click()  # the rest of line 1 in a second shipment
    assert distributor.get_by_test_id("shipment-2").is_visible()
    assert distributor.get_by_test_id("ship-card").count() == 0  # all shipped
    shot(distributor, "orders-distributor-shipped")

    hospital.goto(order_url)
    shot(hospital, "orders-hospital-to-accept")
    first = hospital.locator("input[data-testid^=accept-qty-]").first
    first.fill("9")  # more than the 1 pack shipped in it: refused, nothing accepted
    hospital.locator("button[data-testid^=accept-]").first.click()
    assert "超过已配送且尚未验收或拒收的" in hospital.inner_text("body")
    while hospital.locator("button[data-testid^=accept-]").count():  # accept each shipped line in full
        hospital.locator("button[data-testid^=accept-]").first.click()
    assert hospital.get_by_test_id("order-accepted").inner_text() == "¥323.48"
    shot(hospital, "orders-hospital-accepted")
    hospital.set_viewport_size({"width": 390, "height": 844})
    shot(hospital, "orders-hospital-accepted-390")
    hospital.goto(f"{base}/orders/trace?product={VBP_CODE}&lot=LOT-2")
    assert "A hospital" in hospital.get_by_test_id("trace").inner_text()

    supplier = sign_in(new_page(browser), base, "a_supplier_rep")
    supplier.goto(f"{base}/orders")
    assert "¥323.48" in supplier.get_by_test_id("orders").inner_text()
    officer = sign_in(new_page(browser), base, "a_price_officer")
    officer.set_viewport_size({"width": 390, "height": 844})
    officer.goto(f"{base}/orders")
    shot(officer, "orders-officer-390")
    assert shop.vbp.code == VBP_CODE
