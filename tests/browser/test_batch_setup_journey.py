"""An officer sets up a batch in Chromium: a contradictory timeline is refused on its fields
with the values kept, the draft's name and timeline are saved from the edit form, rule settings
read in Chinese with units (also for a supplier) and a bad one is refused on its field, a step
that must wait says until when, and cancelling asks for a confirmation first."""

from __future__ import annotations

import pytest
from sqlmodel import select

from accounts.roles import Role
from procurement.models import Batch, Item
from tests.browser.helpers import new_page, sign_in

pytestmark = pytest.mark.browser

GOOD = {"#demand_deadline": "2099-01-10T17:00", "#bid_deadline": "2099-02-10T17:00",
        "#opening_at": "2099-02-11T09:30", "#cycle_start": "2099-04-01", "#cycle_end": "2100-03-31"}


def _fill(page, values):
    for selector, value in values.items():
        page.fill(selector, value)


def _status(session, code):
    session.expire_all()
    status = session.exec(select(Batch.status).where(Batch.code == code)).one()
    session.rollback()
    return status


def test_batch_setup_timeline_rules_and_safe_buttons(app, session, world, live_server, browser, shot):
    session.add(Item(code="YP003", kind="drug", generic_name="苯磺酸氨氯地平片", minimal_unit="片"))
    session.commit()
    session.close()
    base = live_server
    page = sign_in(new_page(browser), base, world.username("A", Role.PRICE_OFFICER))

    # creation: a contradictory and past timeline is refused field by field, nothing is lost
    page.goto(f"{base}/batches/new")
    page.fill("#code", "BR1")
    page.fill("#name", "浏览器批次")
    _fill(page, {**GOOD, "#demand_deadline": "2099-03-01T17:00", "#opening_at": "2000-01-01T09:00",
                 "#cycle_start": "2100-05-01"})
    page.get_by_test_id("batch-create").click()
    assert "报量截止时间须早于申报截止时间" in page.locator("[data-error-for=demand_deadline]").inner_text()
    assert "开标时间已过" in page.locator("[data-error-for=opening_at]").inner_text()
    assert "采购周期开始须早于结束" in page.locator("[data-error-for=cycle_start]").inner_text()
    assert page.input_value("#name") == "浏览器批次" and page.input_value("#demand_deadline") == "2099-03-01T17:00"
    shot(page, "batch-new-refused")
    _fill(page, GOOD)
    page.get_by_test_id("batch-create").click()
    page.get_by_test_id("batch-status").wait_for()

    # the draft's name and timeline save from the edit form
    page.fill("#name", "浏览器批次（改）")
    page.fill("#bid_deadline", "2099-02-12T17:00")
    page.fill("#opening_at", "2099-02-13T09:00")
    page.get_by_role("button", name="保存", exact=True).first.click()
    assert "已保存" in page.content()
    assert page.input_value("#name") == "浏览器批次（改）" and page.input_value("#bid_deadline") == "2099-02-12T17:00"
    page.fill("#opening_at", "2099-02-01T09:00")
    page.get_by_role("button", name="保存", exact=True).first.click()
    assert "开标时间不能早于申报截止时间" in page.locator("[data-error-for=opening_at]").inner_text()
    assert page.input_value("#opening_at") == "2099-02-01T09:00"
    page.fill("#opening_at", "2099-02-13T09:00")
    page.get_by_role("button", name="保存", exact=True).first.click()

    # rule settings: labelled controls in percent and days; a bad one refused on its field
    rules = page.get_by_test_id("rules")
    assert "公示期" in rules.inner_text() and page.input_value("[name='rule.half_mean_k']") == "50"
    page.fill("[name='rule.publicity_days']", "0")
    page.fill("[name='rule.half_mean_k']", "60")
    page.get_by_test_id("save-rules").click()
    assert page.locator("[data-error-for=rule-publicity_days]").inner_text() == "不能小于 1 天。"
    assert page.input_value("[name='rule.half_mean_k']") == "60"
    shot(page, "batch-rules-refused")
    page.fill("[name='rule.publicity_days']", "5")
    page.get_by_test_id("save-rules").click()
    assert "已保存" in page.content()

    # cancelling asks first: without the box the browser does not submit
    cancel = page.get_by_test_id("step-cancel")
    assert "此操作不可撤销" in cancel.inner_text()
    cancel.locator("textarea").fill("测试取消")
    cancel.locator("button[data-action=cancel]").click()
    assert page.get_by_test_id("confirm-cancel").evaluate("e => e.validity.valueMissing")
    assert _status(session, "BR1") == "draft"

    # a complete draft opens demand; closing demand waits for its deadline and says so
    page.fill("#item_code", "YP003")
    page.fill("#max_valid_price", "0.3")
    page.get_by_role("button", name="添加品种").click()
    page.fill("#region_codes", "370100")
    page.locator("form[action$='/regions'] button").click()
    page.locator("button[data-action=open_demand]").click()
    assert page.get_by_test_id("batch-status").get_attribute("data-status") == "demand"
    waits = page.get_by_test_id("waits-close_demand").inner_text()
    assert "2099-01-10 17:00" in waits and "后可结束报量" in waits
    assert page.locator("button[data-action=close_demand]").count() == 0
    shot(page, "batch-demand-waits")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "batch-demand-waits-390")

    # a supplier reads the settings in Chinese with units, never the internals
    supplier = sign_in(new_page(browser), base, world.username("A", Role.SUPPLIER_REP))
    supplier.goto(f"{base}/batches/BR1")
    shown = supplier.get_by_test_id("rules")
    assert shown.locator("[data-rule=half_mean_k]").inner_text() == "60 %"
    assert shown.locator("[data-rule=publicity_days]").inner_text() == "5 天"
    assert shown.locator("[data-rule=anchor]").inner_text() == "最低有效申报价"
    assert "最多 10 家" in shown.locator("[data-rule=max_winners]").inner_text()
    text = shown.inner_text()
    assert "fuse_multiple" not in text and "lowest" not in text and "false" not in text
    shot(supplier, "batch-rules-supplier")

    # with the box ticked the cancellation goes through
    page.set_viewport_size({"width": 1280, "height": 900})
    cancel = page.get_by_test_id("step-cancel")
    cancel.locator("textarea").fill("测试取消")
    page.get_by_test_id("confirm-cancel").check()
    cancel.locator("button[data-action=cancel]").click()
    assert page.get_by_test_id("batch-status").get_attribute("data-status") == "cancelled"
