"""A month of direct settlement in the browser: the supplier records deliveries (form and
workbook), the hospital accepts them, the supplier applies, the hospital reconciles, officer A
runs the settlement, officer B approves and releases, the bank file is downloaded, the bank
return is imported, and the hospital's statement shows the deduction."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.money import format_yuan
from settlement import services
from settlement.models import Delivery, PaymentInstruction, SettlementRun
from tests.browser.helpers import nav, new_page, sign_in
from tests.settlement.fixtures_db import NOW, make_setup, second_officer

pytestmark = pytest.mark.browser


def _login(browser, base, username):
    """A fresh browser context signed in as ``username``."""
    return sign_in(new_page(browser), base, username)


def test_settlement_month_in_the_browser(app, db, session, world, live_server, browser, shot, tmp_path):
    setup = make_setup(session, world)
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    second_officer(session, world)
    session.commit()
    base = live_server
    c1, c3 = setup.contracts["YP001"].code, setup.contracts["YP003"].code

    supplier = _login(browser, base, "a_supplier_rep")
    nav(supplier, "nav-settlement")
    supplier.select_option("#contract_code", c1)
    supplier.fill("#quantity", "1000")
    supplier.fill("#shipped_on", "2026-10-03")
    supplier.fill("#supplier_ref", "PS-001")
    supplier.get_by_test_id("record-delivery").click()
    supplier.get_by_test_id("deliveries").wait_for()
    supplier.goto(f"{base}/settlement/deliveries/upload")
    with supplier.expect_download() as dl:
        supplier.get_by_test_id(f"delivery-template-{setup.code}").click()
    template = tmp_path / "template.xlsx"
    dl.value.save_as(template)
    wb = load_workbook(template)
    wb["发货"].append([c3, 333, "2026-10-20", "PS-002"])
    filled = tmp_path / "deliveries.xlsx"
    wb.save(filled)
    supplier.set_input_files("#file", str(filled))
    supplier.get_by_test_id("upload-deliveries").click()
    supplier.get_by_test_id("upload-done").wait_for()
    shot(supplier, "settlement-upload-done")

    hospital = _login(browser, base, "a_hospital_buyer")
    hospital.goto(f"{base}/settlement/")
    ids = [d.id for d in session.exec(select(Delivery).order_by(Delivery.id)).all()]
    session.commit()
    for delivery_id, day in zip(ids, ("2026-10-04", "2026-10-21"), strict=True):
        hospital.get_by_test_id(f"accept-date-{delivery_id}").fill(day)
        hospital.get_by_test_id(f"accept-{delivery_id}").click()
        hospital.get_by_test_id("lines").wait_for()
    shot(hospital, "settlement-hospital-accepted")

    supplier.goto(f"{base}/settlement/")
    supplier.select_option("#batch_code", setup.code)
    supplier.fill("#month", "2026-10")
    supplier.get_by_test_id("apply").click()
    supplier.get_by_test_id("lines").wait_for()

    hospital.goto(f"{base}/settlement/")
    radios = hospital.locator('[data-testid="to-reconcile"] input[type="radio"][value="confirm"]')
    for n in range(radios.count()):
        radios.nth(n).check()
    hospital.get_by_test_id("reconcile").click()
    hospital.get_by_test_id("reconcile-record").click()
    hospital.get_by_test_id("lines").wait_for()

    officer_a = _login(browser, base, "a_settlement_officer")
    officer_a.goto(f"{base}/settlement/officer/batches/{setup.code}")
    officer_a.fill("#month", "2026-10")
    officer_a.get_by_test_id("run").click()
    assert officer_a.get_by_test_id("run-status").inner_text() == "已计算，待复核"
    assert officer_a.get_by_test_id("run-status").get_attribute("data-status") == "computed"
    run = session.exec(select(SettlementRun)).one()
    session.commit()

    officer_b = _login(browser, base, "a_settlement_officer_2")
    officer_b.goto(f"{base}/settlement/officer/runs/{run.id}")
    officer_b.get_by_test_id("approve").click()
    officer_b.get_by_test_id("release").click()
    with officer_b.expect_download() as dl:
        officer_b.get_by_test_id("file-xml").click()
    xml = tmp_path / "pain001.xml"
    dl.value.save_as(xml)
    assert b"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09" in xml.read_bytes()
    inst = session.exec(select(PaymentInstruction)).one()
    session.commit()
    ret = tmp_path / "return.csv"
    ret.write_text(f"指令编号,状态\n{inst.reference},成功\n", encoding="utf-8")
    officer_b.set_input_files("#file", str(ret))
    officer_b.get_by_test_id("import-return").click()
    assert officer_b.get_by_test_id(f"status-{inst.reference}").inner_text().startswith("已支付")
    assert officer_b.get_by_test_id(f"status-{inst.reference}").get_attribute("data-status") == "paid"
    shot(officer_b, "settlement-run")

    hospital.goto(f"{base}/settlement/statements")
    deducted = hospital.get_by_test_id("deducted").first.inner_text()
    assert deducted == format_yuan(inst.amount_fen)
    shot(hospital, "settlement-statement")
    officer_a.goto(f"{base}/settlement/officer/batches/{setup.code}")
    shot(officer_a, "settlement-progress")
    for page in (supplier, hospital, officer_a, officer_b):
        page.context.close()
    session.close()
