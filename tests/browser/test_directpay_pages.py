"""The direct-settlement scope page in the browser: the price officer follows the menu to
直接结算范围, sets the whole province to all listed products from a later day, and sees it in
the history — at 1280 px and on a 390 px phone (screenshots under test-output/screenshots)."""

from __future__ import annotations

import pytest

from accounts.roles import Role
from core.clock import utcnow
from listing.services import local_date
from tests.browser.helpers import nav, new_page, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_price_officer_sets_the_scope(live_server, browser, shot, session, world, width):
    session.commit()
    page = new_page(browser)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, world.username("A", Role.PRICE_OFFICER))
    nav(page, "nav-directpay")
    page.get_by_test_id("directpay-in-force").wait_for()
    page.get_by_test_id("directpay-phase").select_option("all")
    day = local_date(utcnow()).replace(year=local_date(utcnow()).year + 1)
    page.get_by_test_id("directpay-from").fill(day.isoformat())
    page.get_by_test_id("directpay-reason").fill("全部挂网产品纳入直接结算")
    page.get_by_test_id("directpay-submit").click()
    page.get_by_text("新的范围已保存").wait_for()
    assert "全部挂网产品" in page.get_by_test_id("directpay-history").inner_text()
    shot(page, f"directpay-scope-{width}")
