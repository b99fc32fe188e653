"""A failed payment in the browser (issue #14 item 4): officer A imports the bank's return
(退票: 收款账户已冻结); the supplier sees the failure on its settlement page, in My payments
(reason, bank reference, the lines, the remittance advice) and in its inbox; after its account
is corrected, officer A requests the re-issue and cannot approve it himself; officer B approves
it, releases the next bank file (to the new account); the supplier sees the payment re-issued.
The supplier's payments also at 390 px."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.money import format_yuan
from settlement.models import PaymentInstruction
from tests.browser.helpers import new_page, sign_in
from tests.settlement.fixtures_db import make_setup, second_officer
from tests.settlement.payments.test_reissue import (
    NEW_ACCOUNT,
    change_supplier_account,
    released_payment,
)

pytestmark = pytest.mark.browser


def test_supplier_sees_a_failed_payment_and_two_officers_re_issue_it(app, db, session, world, live_server, browser,
                                                                    shot, tmp_path):
    setup = make_setup(session, world)
    officer_b = second_officer(session, world)
    inst = released_payment(session, world, setup, officer_b)
    ref, amount, run_id, inst_id = inst.reference, inst.amount_fen, inst.run_id, inst.id
    session.commit()
    base = live_server

    officer_a = sign_in(new_page(browser), base, "a_settlement_officer")
    officer_a.goto(f"{base}/settlement/officer/runs/{run_id}")
    ret = tmp_path / "return.csv"
    ret.write_text(f"指令编号,状态,失败原因,银行流水号\n{ref},退票,收款账户已冻结,BK20261108001\n", encoding="utf-8")
    officer_a.set_input_files("#file", str(ret))
    officer_a.get_by_test_id("import-return").click()
    assert officer_a.get_by_test_id(f"status-{ref}").get_attribute("data-status") == "failed"

    supplier = sign_in(new_page(browser), base, "a_supplier_rep")
    assert supplier.get_by_test_id("task-payment_failed").count() == 1  # on the supplier's to-do list
    supplier.goto(f"{base}/settlement/")
    assert "1 笔付款支付失败" in supplier.get_by_test_id("failed-payments-note").inner_text()
    supplier.get_by_test_id("payments-link").click()
    status = supplier.get_by_test_id(f"payment-status-{ref}")
    assert status.get_attribute("data-status") == "failed" and "支付失败: 收款账户已冻结" in status.inner_text()
    assert "BK20261108001" in supplier.get_by_test_id(f"payment-{ref}").inner_text()
    shot(supplier, "payments-failed")
    with supplier.expect_download() as dl:
        supplier.get_by_test_id(f"advice-{ref}").click()
    advice = tmp_path / "advice.xlsx"
    dl.value.save_as(advice)
    head = {r[0]: r[1] for r in load_workbook(advice)["汇款通知"].iter_rows(max_row=12, values_only=True)}
    assert head["付款指令 Reference"] == ref and head["状态 Status"] == "支付失败"
    supplier.get_by_test_id(f"payment-link-{ref}").click()
    assert supplier.get_by_test_id("payment-amount").inner_text() == format_yuan(amount)
    assert supplier.get_by_test_id("paid-total").inner_text() == format_yuan(amount)
    assert supplier.get_by_test_id("payment-lines").locator("tbody tr").count() == 2
    shot(supplier, "payment-detail")
    supplier.goto(f"{base}/inbox")
    inbox = supplier.get_by_test_id("inbox").inner_text()
    assert "支付失败" in inbox and ref in inbox and "收款账户已冻结" in inbox

    change_supplier_account(session, world)  # the admins' four-eyes account change (its own journey)
    session.commit()
    officer_a.goto(f"{base}/settlement/officer/batches/{setup.code}")
    officer_a.get_by_test_id("failed-payments-link").click()
    assert NEW_ACCOUNT in officer_a.get_by_test_id(f"account-now-{ref}").inner_text()
    officer_a.get_by_test_id(f"reissue-note-{ref}").fill("企业账户已更正")
    officer_a.get_by_test_id(f"request-reissue-{ref}").click()
    officer_a.get_by_test_id(f"awaits-second-{ref}").wait_for()
    assert officer_a.get_by_test_id(f"approve-reissue-{ref}").count() == 0  # never the requester
    shot(officer_a, "reissue-requested")

    officer_b_page = sign_in(new_page(browser), base, "a_settlement_officer_2")
    officer_b_page.get_by_test_id("task-approve_reissue").click()  # on the second officer's to-do list
    officer_b_page.get_by_test_id(f"approve-reissue-{ref}").click()
    officer_b_page.get_by_test_id("release").wait_for()
    new = session.exec(select(PaymentInstruction).where(PaymentInstruction.reissue_of_id == inst_id)).one()
    new_ref = new.reference
    session.commit()
    assert officer_b_page.get_by_test_id(f"status-{new_ref}").get_attribute("data-status") == "issued"
    officer_b_page.get_by_test_id("release").click()
    with officer_b_page.expect_download() as dl:
        officer_b_page.get_by_test_id("file-xml").click()
    xml = tmp_path / "reissue.xml"
    dl.value.save_as(xml)
    assert NEW_ACCOUNT.encode() in xml.read_bytes() and new_ref.encode() in xml.read_bytes()
    shot(officer_b_page, "reissue-run")

    supplier.goto(f"{base}/settlement/payments")
    old = supplier.get_by_test_id(f"payment-status-{ref}")
    assert old.get_attribute("data-status") == "reissued" and f"已重新支付为 {new_ref}" in old.inner_text()
    assert supplier.get_by_test_id(f"payment-status-{new_ref}").get_attribute("data-status") == "issued"
    assert supplier.get_by_test_id("month-total-2026-10").inner_text() == format_yuan(amount)  # counted once
    supplier.set_viewport_size({"width": 390, "height": 844})
    shot(supplier, "payments-reissued-390")
    supplier.goto(f"{base}/inbox")
    assert new_ref in supplier.get_by_test_id("inbox").inner_text()
    for page in (supplier, officer_a, officer_b_page):
        page.context.close()
    session.close()
