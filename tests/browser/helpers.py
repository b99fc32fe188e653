"""Browser helpers shared by the journeys: a fresh Chinese page, and signing in through the form."""

from __future__ import annotations

from tests.conftest import PASSWORD


def new_page(browser):
    """A page in a fresh Chinese browser context that accepts downloads."""
    return browser.new_context(locale="zh-CN", accept_downloads=True).new_page()


def sign_in(page, base: str, username: str, password: str = PASSWORD):
    """Sign ``page`` in as ``username`` through the login form and wait for the landing page."""
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("landing-title").wait_for()
    page.wait_for_load_state()  # the style sheet too: before it, a folded menu would still show
    return page


def nav(page, testid: str):
    """Follow the main-menu link ``testid`` as a person would: on a phone open the menu first,
    then open the link's group (a ``<details>``) when it is folded, then click the link."""
    page.wait_for_load_state()  # styled: whether the menu is folded depends on the style sheet
    link = page.get_by_test_id(testid)
    button, menu = page.get_by_test_id("menu-button"), page.get_by_test_id("main-menu")
    if button.is_visible() and not menu.is_visible():
        button.click()
    if not link.is_visible():
        page.locator("details.menu-group").filter(has=link).locator("summary").click()
    link.click()
    return page
