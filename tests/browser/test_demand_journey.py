"""A hospital buyer reports demand in the browser: template, mistakes, errors, fix, accepted;
then a price officer sees the submission progress."""

import io
import re

import pytest
from openpyxl import load_workbook

from demo.seed import DEMO_PASSWORD, seed_demo
from tests.browser.helpers import nav, new_page, sign_in

pytestmark = pytest.mark.browser


def _sign_in(browser, live_server, username: str):
    """A fresh Chinese browser page signed in as the demo user ``username``."""
    return sign_in(new_page(browser), live_server, username, DEMO_PASSWORD)


def _fill(template: bytes, path, *, mistakes: bool) -> None:
    """Fill every row of the template (optionally with two mistakes) and save it to ``path``."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb["报量"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=8, value=1000 + row)
        ws.cell(row=row, column=9, value=900 + row)
    if mistakes:
        ws["I2"] = 100  # far below 80% of last year's use, and no reason given
        ws["H3"] = "一千二"  # not a number
    wb.save(path)


def test_hospital_reports_demand_and_officer_sees_progress(db, live_server, browser, shot, tmp_path):
    with db.write_session() as s:
        seed_demo(s, hospitals=16, suppliers=3)
    page = _sign_in(browser, live_server, "hospital")
    page.locator("[data-testid=task-submit_demand], [data-testid=task-demand_submitted]").first.click()
    state = page.get_by_test_id("demand-state").inner_text()  # the demo may have reported for us
    before = int(re.search(r"第 (\d+) 版", state).group(1)) if "已提交" in state else 0
    hospital_code = page.get_by_test_id("hospital-name").locator("..").inner_text().split()[-1]
    with page.expect_download() as info:
        page.get_by_test_id("template-download").click()
    template = info.value.path().read_bytes()

    bad, good = tmp_path / "报量_有误.xlsx", tmp_path / "报量.xlsx"
    _fill(template, bad, mistakes=True)
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_test_id("upload-submit").click()
    errors = page.get_by_test_id("error-table").inner_text()
    assert "低于下限" in errors and "I2" in errors and "H3" in errors and "一千二" in errors
    assert "上传未被接受" in page.get_by_test_id("rejection").inner_text()
    with page.expect_download() as marked:
        page.get_by_test_id("error-download").click()
    assert "错误汇总" in load_workbook(io.BytesIO(marked.value.path().read_bytes())).sheetnames
    assert marked.value.suggested_filename.endswith("_错误标注.xlsx")
    shot(page, "demand-rejected")

    _fill(template, good, mistakes=False)
    page.set_input_files("input[type=file]", str(good))
    page.get_by_test_id("upload-submit").click()
    assert f"上传成功：第 {before + 1} 版" in page.locator(".flash.success").inner_text()
    assert f"已提交：第 {before + 1} 版" in page.get_by_test_id("demand-state").inner_text()
    assert page.get_by_test_id("current-lines").locator("tbody tr").count() == 20
    shot(page, "demand-accepted")

    officer = _sign_in(browser, live_server, "officer")
    nav(officer, "nav-demand")
    officer.locator("[data-testid^=demand-SD-]").first.click()
    total = officer.get_by_test_id("progress-total").inner_text()
    done, hospitals = map(int, re.search(r"(\d+) 家医院中已有 (\d+) 家提交", total).groups()[::-1])
    assert hospitals == 16 and done >= 1
    missing = officer.get_by_test_id("missing").inner_text()
    assert hospital_code not in missing
    assert officer.get_by_test_id("missing").locator("tbody tr").count() == max(hospitals - done, 1)
    shot(officer, "demand-progress")
    officer.get_by_test_id("consolidated-link").click()
    assert officer.get_by_test_id("per-item").locator("tbody tr").count() == 20
    first = officer.get_by_test_id("per-item").locator("tbody tr").first.inner_text()
    assert "YP001" in first
    shot(officer, "demand-consolidated")
