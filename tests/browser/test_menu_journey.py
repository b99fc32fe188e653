"""The grouped main menu in a real browser, on the seeded demo: on a 1280 px desktop it is one
line whose groups drop open one at a time; on a 390 px phone it folds behind the menu button and
its groups open in place; it works with the keyboard alone."""

from __future__ import annotations

import pytest

from demo.seed import DEMO_PASSWORD
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

#: demo login -> the groups it sees
GROUPS = {
    "officer": ["procurement", "trade", "money", "oversight", "settings"],
    "hospital": ["procurement", "trade", "money", "oversight", "settings"],
    "supplier": ["procurement", "trade", "oversight", "settings"],  # 结算与支付 alone: a plain link
    "distributor": ["procurement", "trade", "settings"],  # 医保支付标准 alone: a plain link
    "settle": ["procurement", "trade", "money", "oversight", "settings"],
}


@pytest.fixture
def demo(app):
    """The demo seeded through `flask seed` (small)."""
    result = app.test_cli_runner().invoke(args=["seed", "--hospitals", "20", "--suppliers", "5"])
    assert result.exit_code == 0, result.output


def _page(browser, width: int):
    """A fresh Chinese page of ``width`` px (set before the first page is drawn)."""
    return browser.new_context(locale="zh-CN", viewport={"width": width, "height": 844 if width < 700 else 800}).new_page()


def _groups(page) -> list[str]:
    return page.locator("#main-menu details.menu-group").evaluate_all("els => els.map(e => e.dataset.testid.slice(5))")


def test_desktop_menu_is_one_line_of_groups_opening_one_at_a_time(demo, live_server, browser, shot):
    for username, groups in GROUPS.items():
        page = sign_in(_page(browser, 1280), live_server, username, DEMO_PASSWORD)
        assert _groups(page) == groups, username
        menu = page.get_by_test_id("main-menu")
        assert menu.bounding_box()["height"] < 50, username  # one line, not two or three
        plain = 3 if username in ("distributor", "supplier") else 2  # 我的待办, 消息 (+ a group of one)
        assert menu.get_by_role("link").count() == plain, username  # the rest folded in groups
        for key in groups:
            group = page.get_by_test_id(f"menu-{key}")
            group.locator("summary").click()
            links = group.get_by_role("link")
            assert links.count() >= 1 and links.first.is_visible(), (username, key)
            box = group.locator(".menu-panel").bounding_box()
            assert box["x"] + box["width"] <= 1280, (username, key)  # the panel stays on screen
            assert page.locator("#main-menu details[open]").count() == 1  # opening one folds the other
        page.get_by_test_id(f"menu-{groups[-2]}").locator("summary").click()
        shot(page, f"menu-desktop-{username}")
        page.context.close()


def test_phone_menu_folds_and_opens_its_groups_in_place(demo, live_server, browser, shot):
    for username, groups in GROUPS.items():
        page = sign_in(_page(browser, 390), live_server, username, DEMO_PASSWORD)
        menu = page.get_by_test_id("main-menu")
        assert not menu.is_visible()
        shot(page, f"menu-phone-{username}-folded")
        page.get_by_test_id("menu-button").click()
        assert menu.is_visible() and _groups(page) == groups
        assert menu.locator("summary").evaluate_all("els => els.every(e => e.offsetWidth > 300)")  # full-width rows
        page.get_by_test_id("menu-procurement").locator("summary").click()
        batches = page.get_by_test_id("nav-batches")
        assert batches.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, f"menu-phone-{username}-open")
        batches.click()
        page.wait_for_url("**/batches")
        page.context.close()


def test_the_menu_works_with_the_keyboard_alone(demo, live_server, browser):
    page = sign_in(_page(browser, 1280), live_server, "officer", DEMO_PASSWORD)
    on_summary = "document.activeElement.closest('[data-testid=menu-oversight]') !== null"
    for _ in range(15):  # Tab along the header to the 监管 group
        page.keyboard.press("Tab")
        if page.evaluate(on_summary):
            break
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.get_by_test_id("menu-oversight").get_attribute("open") is not None
    page.keyboard.press("Tab")  # into the panel: its first entry
    assert page.evaluate("document.activeElement.dataset.testid") == "nav-dashboard"
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/**")
    current = page.get_by_test_id("menu-oversight")
    assert "current" in current.get_attribute("class") and current.get_attribute("open") is None
