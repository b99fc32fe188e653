"""Listing in the browser (issue #17, layers 1–2): the supplier lists two products by the form
(one selected in a VBP batch, one not in VBP), a bad national code is refused naming the part;
the price officer approves both; the supplier asks for a price change with a reason and the
officer approves it; the hospital sees both products listed at the price in force; the supplier
names a distributor for the hospital's city and the distributor confirms. Also at 390 px."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from procurement import services as procurement
from tests.browser.helpers import nav, new_page, sign_in
from tests.listing.conftest import CONSUMABLE, DRUG

pytestmark = pytest.mark.browser


def _fill(page, **values):
    for name, value in values.items():
        if name == "vbp_status":
            page.select_option("#vbp_status", value)
        else:
            page.fill(f"#{name}", value)


DRUG_FORM = {"code": DRUG, "generic_name": "比卡鲁胺片", "dosage_form": "片剂", "spec": "50mg", "pack": "28片/盒",
             "mah": "示例制药有限公司", "price": "123.4567", "vbp_status": "selected", "vbp_batch_code": "SD-VBP-01"}
STENT_FORM = {"code": CONSUMABLE, "generic_name": "药物洗脱冠脉支架", "dosage_form": "钴铬合金", "spec": "3.0×18mm",
              "pack": "1个/盒", "mah": "示例医疗器械有限公司", "price": "5600", "vbp_status": "not_vbp",
              "vbp_batch_code": ""}


def test_supplier_lists_officer_approves_price_changes_hospital_sees(app, session, world, live_server, browser, shot):
    procurement.create_batch(session, world.actors[("A", Role.PRICE_OFFICER)], code="SD-VBP-01", name="第一批集采")
    session.commit()
    base = live_server

    supplier = sign_in(new_page(browser), base, "a_supplier_rep")
    nav(supplier, "nav-listing")
    supplier.get_by_test_id("listing-new").click()
    _fill(supplier, **{**DRUG_FORM, "code": "XL02BB1326A001010102180"})
    supplier.get_by_test_id("listing-submit").click()
    assert "第 7–10 位（1326）不是通用名码" in supplier.inner_text("body")
    shot(supplier, "listing-bad-code")
    _fill(supplier, **DRUG_FORM)
    supplier.get_by_test_id("listing-submit").click()
    assert supplier.get_by_test_id("listing-status").get_attribute("data-status") == "pending"
    supplier.goto(f"{base}/listing/new")
    _fill(supplier, **STENT_FORM)
    supplier.get_by_test_id("listing-submit").click()
    supplier.goto(f"{base}/listing")
    shot(supplier, "listing-supplier-list")
    assert supplier.locator("td[data-status=pending]").count() == 2

    officer = sign_in(new_page(browser), base, "a_price_officer")
    officer.goto(f"{base}/listing?status=pending")
    for code in (DRUG, CONSUMABLE):
        officer.goto(f"{base}/listing?status=pending")
        officer.get_by_test_id(f"product-{code}").get_by_role("link").click()
        if code == DRUG:
            shot(officer, "listing-officer-decides")
        officer.get_by_test_id("listing-approve").click()
        assert officer.get_by_test_id("listing-status").get_attribute("data-status") == "listed"
        assert officer.get_by_test_id("listing-approve").count() == 0  # decided: no button left

    supplier.goto(f"{base}/listing")
    supplier.get_by_test_id(f"product-{DRUG}").get_by_role("link").click()
    supplier.fill("#price", "99.5")
    supplier.fill("#effective_on", "2099-01-01")
    supplier.fill("#reason", "原料药采购成本下降")
    supplier.get_by_test_id("price-request").click()
    assert supplier.get_by_test_id("price-request").count() == 0  # one request at a time
    product_url = supplier.url

    officer.goto(product_url)
    assert "原料药采购成本下降" in officer.get_by_test_id("price-decision").inner_text()
    officer.get_by_test_id("price-approve").click()
    officer.fill("[data-testid=price-on]", "2099-01-01")
    officer.get_by_test_id("price-on-submit").click()
    assert "¥99.5000" in officer.get_by_test_id("price-in-force").inner_text()
    shot(officer, "listing-price-history")

    hospital = sign_in(new_page(browser), base, "a_hospital_buyer")
    nav(hospital, "nav-listing")
    rows = hospital.locator("[data-testid=products] tbody tr")
    assert rows.count() == 2
    assert "¥123.4567" in hospital.get_by_test_id(f"product-{DRUG}").inner_text()  # in force today
    assert "集采中选" in hospital.get_by_test_id(f"product-{DRUG}").inner_text()
    hospital.set_viewport_size({"width": 390, "height": 844})
    shot(hospital, "listing-hospital-390")
    hospital.get_by_test_id(f"product-{CONSUMABLE}").get_by_role("link").click()
    assert "¥5,600.0000" in hospital.get_by_test_id("price-in-force").inner_text()
    shot(hospital, "listing-hospital-product-390")


def test_supplier_names_a_distributor_who_confirms(app, session, world, live_server, browser, shot):
    session.commit()
    base = live_server
    supplier = sign_in(new_page(browser), base, "a_supplier_rep")
    nav(supplier, "nav-distribution")
    supplier.select_option("#distributor", "A-distributor")
    supplier.select_option("#region", "370100")
    supplier.get_by_test_id("relation-name").click()
    assert supplier.locator("td[data-status=pending]").count() == 1
    assert supplier.get_by_test_id("relation-confirm").count() == 0  # only the distributor confirms
    shot(supplier, "distribution-supplier-named")

    distributor = sign_in(new_page(browser), base, "a_distributor_rep")
    distributor.set_viewport_size({"width": 390, "height": 844})
    nav(distributor, "nav-distribution")  # through the folded phone menu
    shot(distributor, "distribution-distributor-390")
    distributor.get_by_test_id("relation-confirm").click()
    assert distributor.locator("td[data-status=confirmed]").count() == 1
    assert distributor.get_by_test_id("relation-confirm").count() == 0
    supplier.reload()
    assert supplier.locator("td[data-status=confirmed]").count() == 1
