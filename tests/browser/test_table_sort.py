"""Data tables sort in the browser: click a header, the order flips; money, thousands
separators and dates sort as numbers and times, Chinese text by zh-CN collation."""

from pathlib import Path

import pytest
from sqlmodel import select

from demo.seed import DEMO_PASSWORD, seed_demo
from procurement.models import Batch
from tests.browser.helpers import new_page, sign_in

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[2] / "web" / "static" / "tablesort.js"
PAGE_NOTE = "排序仅对本页显示的行有效"


def _sign_in(browser, live_server, username: str):
    """A fresh Chinese browser page signed in as ``username``, collecting console errors."""
    page = new_page(browser)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return sign_in(page, live_server, username, DEMO_PASSWORD)


def _column(table, index: int) -> list[str]:
    """The trimmed texts of one column of the table's body, in display order."""
    return [t.strip() for t in table.locator(f"tbody tr td:nth-child({index + 1})").all_inner_texts()]


def _money(text: str) -> float:
    """¥1,234.5678 → 1234.5678 (for checking the order only)."""
    return float(text.replace("¥", "").replace(",", ""))


def test_clicking_a_header_sorts_the_real_pages(db, live_server, browser, shot):
    with db.write_session() as s:
        seed_demo(s, hospitals=16, suppliers=3)
        code = s.exec(select(Batch.code)).first()
    page = _sign_in(browser, live_server, "officer")
    page.goto(f"{live_server}/batches/{code}")
    items = page.get_by_test_id("batch-items")
    price = items.locator("thead th").nth(5)
    assert "最高有效申报价" in price.inner_text()
    assert price.get_attribute("aria-sort") is None
    original = _column(items, 5)
    assert len(original) >= 10

    price.locator("button").click()
    ascending = _column(items, 5)
    assert price.get_attribute("aria-sort") == "ascending"
    assert [_money(v) for v in ascending] == sorted(_money(v) for v in original)
    assert ascending != original  # the demo's catalogue order is not the price order

    price.locator("button").click()
    assert price.get_attribute("aria-sort") == "descending"
    assert [_money(v) for v in _column(items, 5)] == sorted((_money(v) for v in original), reverse=True)

    name = items.locator("thead th").nth(1)
    name.locator("button").click()
    assert name.get_attribute("aria-sort") == "ascending" and price.get_attribute("aria-sort") is None
    names = _column(items, 1)
    expected = page.evaluate("(xs) => xs.slice().sort((a, b) => a.localeCompare(b, 'zh-CN', {numeric: true}))", names)
    assert names == expected
    shot(page, "table-sort-batch-items")

    page.goto(f"{live_server}/batches/{code}/demand/consolidated")
    per_item = page.get_by_test_id("per-item")
    committed = per_item.locator("thead th").nth(5)
    committed.locator("button").click()
    committed.locator("button").click()  # descending: the largest volume first
    volumes = [int(v.replace(",", "")) for v in _column(per_item, 5)]
    assert volumes == sorted(volumes, reverse=True) and max(volumes) >= 1000  # thousands separators parsed
    assert committed.get_attribute("title") != PAGE_NOTE  # the whole table is shown
    paged = page.get_by_test_id("per-region").locator("thead th").first
    assert paged.get_attribute("title") == PAGE_NOTE
    assert not [e for e in page.errors if "Content Security Policy" in e or "tablesort" in e], page.errors
    page.context.close()


TABLE = """<!doctype html><html><body data-sort-page-note="note"><table data-sortable="page" id="t">
<thead><tr><th>名称</th><th>金额</th><th>日期</th><th>数量</th><th></th></tr></thead><tbody>
<tr><td>乙</td><td>¥1,234.56</td><td>2026-11-02 09:00</td><td>1,200</td><td>x</td></tr>
<tr><td>甲</td><td>-¥5.00</td><td>2025-12-31 23:59</td><td>—</td><td>y</td></tr>
<tr><td>丙</td><td>¥99.10</td><td>2026-01-15 00:00</td><td>35</td><td>z</td></tr>
<tr><td>阿司匹林</td><td>¥10,000.00</td><td>—</td><td>9</td><td>w</td></tr>
</tbody></table></body></html>"""


def test_sorting_rules_money_dates_empties_and_direction(browser):
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_content(TABLE)
    page.add_script_tag(path=str(SCRIPT))
    table = page.locator("#t")
    heads = table.locator("thead th")
    assert heads.nth(4).locator("button").count() == 0  # an empty header is not a sort control
    assert heads.first.get_attribute("title") == "note"

    heads.nth(1).locator("button").click()
    assert _column(table, 1) == ["-¥5.00", "¥99.10", "¥1,234.56", "¥10,000.00"]
    heads.nth(1).locator("button").click()
    assert _column(table, 1) == ["¥10,000.00", "¥1,234.56", "¥99.10", "-¥5.00"]

    heads.nth(2).locator("button").click()  # chronological; the empty date stays last
    assert _column(table, 2) == ["2025-12-31 23:59", "2026-01-15 00:00", "2026-11-02 09:00", "—"]
    heads.nth(2).locator("button").click()
    assert _column(table, 2) == ["2026-11-02 09:00", "2026-01-15 00:00", "2025-12-31 23:59", "—"]

    heads.nth(3).locator("button").click()  # 9 < 35 < 1,200 (not "1,200" < "35" < "9")
    assert _column(table, 3) == ["9", "35", "1,200", "—"]

    heads.first.locator("button").click()
    names = _column(table, 0)
    assert names == page.evaluate("(xs) => xs.slice().sort((a, b) => a.localeCompare(b, 'zh-CN'))", names)
    assert heads.first.get_attribute("aria-sort") == "ascending"
    assert [heads.nth(i).get_attribute("aria-sort") for i in (1, 2, 3)] == [None, None, None]
    page.context.close()
