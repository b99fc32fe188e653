"""Charts in the browser (ECharts, vendored): on the seeded demo's execution batch the officer
sees the progress chart drawn, with the table folded beside it and its Excel export; no script
is refused by the content security policy; the page holds at a phone's width."""

from __future__ import annotations

import re

import pytest

from demo.seed import DEMO_PASSWORD
from tests.browser.conftest import OUTPUT
from tests.browser.helpers import nav, new_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    """The demo seeded through `flask seed`; the execution batch's code."""
    result = app.test_cli_runner().invoke(args=["seed", "--hospitals", "20", "--suppliers", "5"])
    assert result.exit_code == 0, result.output
    return re.search(r"(SD-\d{4}-DEMO-E) ", result.output).group(1)


def _watch(page) -> list[str]:
    """Console errors and CSP refusals of ``page``, collected as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_officer_sees_the_progress_chart_drawn(demo, live_server, browser, shot):
    page = sign_in(new_page(browser), live_server, "settle", DEMO_PASSWORD)
    errors = _watch(page)
    page.goto(f"{live_server}/settlement/officer/batches/{demo}")
    drawn = page.locator("[data-chart='progress'][data-drawn='true']")
    drawn.wait_for()
    assert drawn.locator("canvas").count() >= 1
    table = page.locator("[data-chart-table='progress']")
    assert table.get_attribute("open") is None  # folded once the chart is drawn, one click away
    table.locator("summary").click()
    assert page.get_by_test_id("chart-table-progress").is_visible()
    with page.expect_download() as download:
        page.get_by_test_id("chart-export-progress").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.get_by_test_id("chart-progress").scroll_into_view_if_needed()
    shot(page, "chart-officer-progress")
    page.get_by_test_id("chart-progress").screenshot(path=str(OUTPUT / "chart-progress-only.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "chart-officer-progress-390")
    page.get_by_test_id("chart-progress").screenshot(path=str(OUTPUT / "chart-progress-only-390.png"))
    assert errors == []
    page.context.close()


def test_officer_and_hospital_dashboards(demo, live_server, browser, shot):
    for username, charts in (("settle", ("by-batch", "by-city", "savings", "cuts")), ("hospital", ("by-batch", "savings"))):
        page = sign_in(new_page(browser), live_server, username, DEMO_PASSWORD)
        errors = _watch(page)
        nav(page, "nav-dashboard")
        page.get_by_test_id("dashboard-title").wait_for()
        for key in charts:
            page.locator(f"[data-chart='{key}'][data-drawn='true']").wait_for()
        assert "（演示：执行中）" in page.get_by_test_id("chart-table-by-batch").text_content()  # folded, still there
        assert page.get_by_test_id("kpi-platform-share").inner_text().startswith("尚无数据")
        if username == "settle":
            assert page.get_by_test_id("chart-by-city").count() == 1
        else:
            assert page.get_by_test_id("chart-by-city").count() == 0
        shot(page, f"dashboard-{username}")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, f"dashboard-{username}-390")
        assert errors == []
        page.context.close()
