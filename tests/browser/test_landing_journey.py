"""Each demo role signs in through the browser and sees its landing page in Chinese."""

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.helpers import new_page, sign_in

pytestmark = pytest.mark.browser

EXPECTED = {
    "admin": "系统管理员",
    "officer": "价格招采处",
    "settle": "医保经办结算员",
    "hospital": "医疗机构采购员",
    "supplier": "医药企业申报员",
}


def test_each_demo_role_lands_in_chinese(db, live_server, browser, shot):
    with db.write_session() as s:
        seed_demo(s, hospitals=16, suppliers=3)
    for username, role_title in EXPECTED.items():
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.goto(f"{live_server}/")
        assert "/login" in page.url
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.get_by_test_id("login-submit").click()
        title = page.get_by_test_id("landing-title")
        title.wait_for()
        assert role_title in title.inner_text()
        assert "待办事项" in page.content()
        if username == "hospital":
            # the demo batch is in demand collection: report, or (already reported) a new version
            assert page.locator("[data-testid^='task-submit_demand'], [data-testid^='task-demand_']").count() == 1
        if username == "officer":
            assert "跟踪报量进度" in page.content()
        shot(page, f"landing-{username}")
        context.close()


def test_officer_creates_a_batch_in_the_browser(db, live_server, browser, shot):
    with db.write_session() as s:
        seed_demo(s, hospitals=16, suppliers=3)
    page = sign_in(new_page(browser), live_server, "officer", DEMO_PASSWORD)
    page.goto(f"{live_server}/batches/new")
    page.fill("#code", "SD-TEST-02")
    page.fill("#name", "浏览器创建的批次")
    page.get_by_test_id("batch-create").click()
    assert page.get_by_test_id("batch-status").inner_text() == "草稿"
    page.fill("input[name='rule.fuse_multiple']", "0.9")
    page.click("text=保存规则")
    assert "请修正标出的字段" in page.locator(".flash.error").inner_text()
    assert page.locator("[data-error-for=rule-fuse_multiple]").inner_text() == "须大于 1×。"  # on the field
    shot(page, "batch-rule-refused")
