"""A 390 px phone: every main page of every role fits the screen, the header stays short with
its menu folded, and the menu opens; on a desktop the bureau pages, filters and sorts its
contracts on the server."""

from __future__ import annotations

import pytest

from tests.browser.helpers import sign_in
from tests.web.listing_fixtures import published_with_contracts

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HEADER_MAX = 120
PAGES = {
    "a_price_officer": ["/", "/batches", "/batches/DB1", "/batches/DB1/evaluations", "/batches/DB1/evaluations/1",
                        "/batches/DB1/review", "/batches/DB1/contracts", "/batches/DB1/opening",
                        "/batches/DB1/demand/progress", "/batches/DB1/demand/consolidated", "/catalog/items",
                        "/catalog/regions", "/inbox", "/jobs"],
    "a_hospital_buyer": ["/", "/batches", "/batches/DB1/result", "/batches/DB1/contracts", "/settlement/", "/inbox",
                         "/account"],
    "a_supplier_rep": ["/", "/batches", "/batches/DB1/bids", "/batches/DB1/opening", "/batches/DB1/result",
                       "/batches/DB1/contracts", "/settlement/", "/inbox"],
    "a_settlement_officer": ["/", "/settlement/officer/", "/batches/DB1/contracts", "/jobs"],
    "a_admin": ["/", "/admin/orgs", "/admin/users", "/admin/bank-changes", "/admin/orgs/new", "/batches"],
}


def _phone(browser):
    return browser.new_context(locale="zh-CN", viewport=PHONE).new_page()


def _fits(page) -> tuple[int, float]:
    """(document width, header height) of the page shown."""
    return (page.evaluate("document.documentElement.scrollWidth"),
            page.evaluate("document.querySelector('header.top').getBoundingClientRect().height"))


@pytest.mark.parametrize("username", sorted(PAGES))
def test_every_main_page_fits_a_phone(db, session, world, ring, live_server, browser, shot, username):
    published_with_contracts(db, session, world, ring)
    session.close()
    page = _phone(browser)
    page.goto(f"{live_server}/login")
    assert _fits(page)[0] <= PHONE["width"]
    sign_in(page, live_server, username)
    for path in PAGES[username]:
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        width, header = _fits(page)
        name = f"phone-{username}-{path.strip('/').replace('/', '-') or 'home'}"
        shot(page, name)
        assert width <= PHONE["width"], f"{path} is {width} px wide"
        assert header <= HEADER_MAX, f"{path}: header {header} px"
        assert not page.get_by_test_id("main-menu").is_visible()  # folded
    page.get_by_test_id("menu-button").click()
    menu = page.get_by_test_id("main-menu")
    assert menu.is_visible() and menu.locator("summary").count() >= 3  # its groups, folded
    page.get_by_test_id("menu-procurement").locator("summary").click()  # open one in place
    assert menu.get_by_role("link").count() >= 4
    assert _fits(page)[0] <= PHONE["width"]
    shot(page, f"phone-{username}-menu-open")
    menu.get_by_role("link", name="批次").click()
    page.wait_for_url("**/batches")
    assert not page.get_by_test_id("main-menu").is_visible()  # folded again on the next page


def test_a_wide_table_scrolls_inside_its_card_on_a_phone(db, session, world, ring, live_server, browser):
    published_with_contracts(db, session, world, ring)
    session.close()
    page = _phone(browser)
    sign_in(page, live_server, "a_price_officer")
    page.goto(f"{live_server}/batches/DB1/contracts")
    wrapper = page.locator(".table-scroll").filter(has=page.get_by_test_id("contracts"))
    inner, outer = wrapper.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert inner > outer  # wider than the screen: it scrolls …
    wrapper.evaluate("e => e.scrollLeft = e.scrollWidth")
    assert wrapper.evaluate("e => e.scrollLeft") > 0
    assert _fits(page)[0] <= PHONE["width"]  # … inside itself, the page does not


def test_the_bureau_pages_filters_and_sorts_the_contracts(db, session, world, ring, live_server, browser, shot):
    published_with_contracts(db, session, world, ring)
    session.close()
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, "a_price_officer")
    page.goto(f"{live_server}/batches/DB1/contracts?per_page=10")
    count = page.get_by_test_id("list-count")
    assert count.inner_text() == "共 15 条，第 1/2 页"
    page.get_by_test_id("filter-hospital").fill("测试医院")
    page.get_by_test_id("filter-submit").click()
    page.wait_for_url("**hospital=*")
    assert count.inner_text() == "共 14 条，第 1/2 页"
    page.get_by_test_id("pager-next").click()
    page.wait_for_url("**page=2*")
    assert count.inner_text() == "共 14 条，第 2/2 页"
    assert page.get_by_test_id("filter-hospital").input_value() == "测试医院"  # the filter stays
    rows = page.get_by_test_id("contracts").locator("tbody tr")
    assert rows.count() == 4
    page.locator("th[aria-sort] a[data-sort-key='hospital']").click()
    page.wait_for_url("**sort=hospital*")
    assert count.inner_text() == "共 14 条，第 1/2 页"  # a new order starts at page 1 …
    names = [rows.nth(i).get_by_test_id("contract-hospital").inner_text() for i in range(rows.count())]
    assert names == [f"测试医院{n:02d}" for n in range(10)]  # … sorted by hospital over all pages
    assert page.locator("th[aria-sort='ascending'] a[data-sort-key='hospital']").count() == 1
    shot(page, "contracts-filtered-sorted")
    page.get_by_test_id("filter-status").select_option("signed")
    page.get_by_test_id("filter-submit").click()
    page.wait_for_url("**status=signed*")
    assert count.inner_text() == "共 0 条，第 1/1 页"
    assert "sort=hospital" in page.url  # the sort stays with the new filter
