"""On the seeded demo (every stage of the lifecycle), each role signs in and finds its to-dos
with their due dates; the officers walk the execution batch to its settled months and the
failed payment."""

from __future__ import annotations

import re

import pytest

from demo.lifecycle import FROZEN
from demo.seed import DEMO_PASSWORD
from tests.browser.helpers import nav, new_page, sign_in

pytestmark = pytest.mark.browser

#: login → to-dos it must see, and those of them shown with a due date
TODOS = {
    "officer": (("start_evaluation", "answer_objections", "awaiting_second_officer"), ("answer_objections",)),
    "officer2": (("approve_review", "answer_objections"), ("answer_objections",)),
    "hospital": (("see_publicity", "accept_deliveries"), ("see_publicity",)),
    "supplier": (("submit_bids", "see_result", "apply_settlement"), ("submit_bids", "apply_settlement")),
    "settle": (("run_settlement",), ()),
}


#: login → the batch whose notice it must find in its inbox
NOTICES = {"officer2": "（演示：待审核）", "officer": "（演示：公示中）", "hospital": "（演示：公示中）"}


@pytest.fixture
def demo(app):
    """The demo seeded through `flask seed`; the execution batch's code."""
    result = app.test_cli_runner().invoke(args=["seed", "--hospitals", "20", "--suppliers", "5"])
    assert result.exit_code == 0, result.output
    return re.search(r"(SD-\d{4}-DEMO-E) ", result.output).group(1)


def test_each_role_sees_its_todos_with_due_dates(demo, live_server, browser, shot):
    for username, (tasks, due) in TODOS.items():
        page = sign_in(new_page(browser), live_server, username, DEMO_PASSWORD)
        for code in tasks:
            assert page.get_by_test_id(f"task-{code}").count() >= 1, (username, code)
        for code in due:
            badge = page.get_by_test_id(f"due-{code}").first
            assert re.search(r"\d{4}-\d{2}-\d{2}", badge.inner_text()), (username, code)
        if username == "officer":  # the submitter waits, and is told since when
            assert re.search(r"\d{4}-\d{2}-\d{2}", page.get_by_test_id("since-awaiting_second_officer").inner_text())
        shot(page, f"demo-todos-{username}")
        if username in NOTICES:  # the notice written at the waiting step is in the inbox
            nav(page, "nav-inbox")
            inbox = page.get_by_test_id("inbox")
            inbox.wait_for()
            assert NOTICES[username] in inbox.inner_text(), username
            shot(page, f"demo-inbox-{username}")
        if username == "supplier":
            page.set_viewport_size({"width": 390, "height": 844})
            shot(page, "demo-todos-supplier-390")
        page.context.close()


def test_officers_walk_the_execution_batch_to_its_settled_months(demo, live_server, browser, shot):
    page = sign_in(new_page(browser), live_server, "settle", DEMO_PASSWORD)
    # the execution batch's own task (the national result and the 保供 batch are in execution too)
    page.locator(f'[data-testid="task-run_settlement"][href$="/{demo}"]').first.click()
    runs = page.get_by_test_id("runs")
    runs.wait_for()
    rows = runs.locator("tbody tr")
    assert rows.count() == 3  # three settled months
    months = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
    assert len(set(months)) == 3 and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
    assert runs.locator("[data-status=released]").count() == 3
    shot(page, "demo-execution-runs")
    last = max(months)
    rows.filter(has_text=last).locator("a").first.click()
    failed = page.locator("[data-testid^=status-][data-status=failed]")
    failed.wait_for()
    assert FROZEN in failed.inner_text()
    assert page.get_by_test_id("bank-return-template").count() == 1
    shot(page, "demo-execution-failed-payment")
    page.context.close()
    # the price officer sees the same months on the batch's settlement page
    page = sign_in(new_page(browser), live_server, "officer", DEMO_PASSWORD)
    page.goto(f"{live_server}/settlement/officer/batches/{demo}")
    assert page.get_by_test_id("runs").locator("[data-status=released]").count() == 3
    shot(page, "demo-execution-officer")
    page.context.close()
