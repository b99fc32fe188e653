"""Charts in the browser (ECharts, vendored): on the seeded demo's execution batch the officer
sees the progress chart drawn, with the table folded beside it and its Excel export; no script
is refused by the content security policy; the page holds at a phone's width."""

from __future__ import annotations

import re

import pytest

from demo.seed import DEMO_PASSWORD
from tests.browser.conftest import OUTPUT
from tests.browser.helpers import nav, new_page, sign_in
from tests.orders.conftest import listed
from tests.orders.test_shares import bought

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
        assert page.get_by_test_id("kpi-platform-share-drug").inner_text().startswith("尚无数据")
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


def test_hospital_reports_its_spend_and_the_bureau_sees_the_platform_shares(app, session, world, live_server,
                                                                            browser, shot):
    """Orders accepted (VBP, non-selected of the VBP generic, not in VBP: ¥423.48 in 2026-12); the
    hospital reports ¥500 of drug spend by the dashboard's form; its platform share is 84.7 %,
    below the 90 % target; the bureau sees the same figures per city and hospital, drawn."""
    bought(session, world, listed(session, world))
    session.commit()
    hospital = sign_in(new_page(browser), live_server, "a_hospital_buyer")
    errors = _watch(hospital)
    hospital.goto(f"{live_server}/dashboard/?period=2026-12")
    assert hospital.get_by_test_id("kpi-platform-share-drug").inner_text().startswith("尚无数据")
    hospital.fill("#month", "2026-12")
    hospital.fill("#amount", "500")
    hospital.get_by_test_id("spend-submit").click()
    assert "¥500.00" in hospital.get_by_test_id("spend-rows").inner_text()
    hospital.goto(f"{live_server}/dashboard/?period=2026-12")
    assert hospital.get_by_test_id("kpi-platform-share-drug").inner_text().startswith("84.7%")
    assert "未达目标" in hospital.get_by_test_id("kpi-platform-share-drug").inner_text()
    assert hospital.get_by_test_id("kpi-vbp-share").inner_text().startswith("29.15%")
    assert hospital.get_by_test_id("kpi-non-selected").inner_text().startswith("44.75%")
    hospital.locator("[data-chart='shares-by-hospital'][data-drawn='true']").wait_for()
    shot(hospital, "dashboard-shares-hospital")
    hospital.set_viewport_size({"width": 390, "height": 844})
    hospital.wait_for_timeout(300)
    assert hospital.evaluate("document.documentElement.scrollWidth") <= 390
    shot(hospital, "dashboard-shares-hospital-390")
    assert errors == []

    officer = sign_in(new_page(browser), live_server, "a_settlement_officer")
    errors = _watch(officer)
    officer.goto(f"{live_server}/dashboard/?period=2026")
    officer.locator("[data-chart='shares-by-city'][data-drawn='true']").wait_for()
    assert officer.get_by_test_id("kpi-platform-share-drug").inner_text().startswith("84.7%")
    officer.get_by_test_id("chart-shares-by-city").scroll_into_view_if_needed()
    shot(officer, "dashboard-shares-bureau")
    officer.set_viewport_size({"width": 390, "height": 844})
    officer.wait_for_timeout(300)
    assert officer.evaluate("document.documentElement.scrollWidth") <= 390
    shot(officer, "dashboard-shares-bureau-390")
    assert errors == []
