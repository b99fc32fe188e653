"""A hospital reads its contracts and its inbox in Chinese and in English: one money format,
quantities with separators, pack specs as plain decimals (never 2E+1mg×7), statuses and
notices in the reader's language."""

import re

import pytest

from demo.seed import DEMO_PASSWORD
from tests.browser.helpers import new_page, sign_in
from tests.web.test_every_page_chinese import advance_demo_to_contracts, bad_amounts

pytestmark = pytest.mark.browser

SPEC = re.compile(r"^\d+(?:\.\d*[1-9])?[A-Za-zμ]+×\d+$")  # 20mg×7, 0.5g×10


def _check_contracts(page, status_text: str) -> None:
    table = page.get_by_test_id("contracts")
    specs = page.get_by_test_id("pack-spec").all_inner_texts()
    assert specs and all(SPEC.match(s) for s in specs), specs
    assert not any("E+" in s or "E-" in s for s in specs)
    text = table.inner_text()
    assert bad_amounts(text) == [], bad_amounts(text)
    assert re.search(r"¥\d+\.\d{4}", text)  # unit prices with their four decimals
    assert status_text in text


def test_contracts_page_in_chinese_and_in_english(app, db, live_server, browser, shot):
    assert app.test_cli_runner().invoke(args=["seed", "--hospitals", "16", "--suppliers", "3"]).exit_code == 0
    advance_demo_to_contracts(db)
    page = sign_in(new_page(browser), live_server, "hospital", DEMO_PASSWORD)
    page.goto(f"{live_server}/batches/SD-2026-DEMO-B/contracts")
    _check_contracts(page, "已签订")
    assert "Signed" not in page.get_by_test_id("contracts").inner_text()
    shot(page, "contracts-zh")
    page.goto(f"{live_server}/inbox")  # a notice stored as a msgid reads in the reader's language
    inbox = page.get_by_test_id("inbox").inner_text()
    assert "中选结果已发布，请确认采购协议" in inbox and "please sign" not in inbox and "msgid" not in inbox
    page.get_by_role("button", name="English").click()
    page.goto(f"{live_server}/batches/SD-2026-DEMO-B/contracts")
    _check_contracts(page, "Signed")
    assert "已签订" not in page.get_by_test_id("contracts").inner_text()
    shot(page, "contracts-en")
    page.goto(f"{live_server}/inbox")
    inbox = page.get_by_test_id("inbox").inner_text()
    assert "Result published, please sign your contracts" in inbox and "中选结果已发布" not in inbox
    page.goto(f"{live_server}/batches/SD-2026-DEMO-B/contracts")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "contracts-en-390")
