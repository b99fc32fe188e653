"""Reconciliation in the browser (issue #14 item 1): five applied lines, nothing pre-selected,
each with its amount; the hospital confirms three, disputes one with a reason and leaves one
undecided, reads the summary, records it; then confirms the rest — the disputed line stays
disputed. Also at 390 px."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.money import format_yuan
from settlement.models import Acceptance
from tests.browser.helpers import new_page, sign_in
from tests.settlement.execution.test_reconciliation import FIVE, amount, five_applied_lines
from tests.settlement.fixtures_db import make_setup

pytestmark = pytest.mark.browser


def test_hospital_disputes_one_line_and_confirms_the_rest(app, db, session, world, live_server, browser, shot):
    setup = make_setup(session, world)
    ids = [a.id for a in five_applied_lines(session, world, setup)]
    fen = [amount(setup, item, qty) for item, qty in FIVE]
    session.commit()  # from here on the test reads the database only between the browser's writes
    page = sign_in(new_page(browser), live_server, "a_hospital_buyer")
    page.goto(f"{live_server}/settlement/")
    form = page.get_by_test_id("reconcile-form")
    assert form.locator("input:checked").count() == 0  # nothing pre-selected
    for pk, line_fen in zip(ids, fen, strict=True):
        assert page.get_by_test_id(f"line-amount-{pk}").inner_text() == format_yuan(line_fen)
    assert page.get_by_test_id("reconcile-total").inner_text() == format_yuan(sum(fen))
    for pk in ids[:3]:
        page.get_by_test_id(f"confirm-{pk}").check()
    page.get_by_test_id(f"dispute-{ids[3]}").check()
    page.get_by_test_id(f"reason-{ids[3]}").fill("数量与发货单不符")
    shot(page, "reconcile-decisions")
    page.get_by_test_id("reconcile").click()

    confirmed, disputed = sum(fen[:3]), fen[3]
    sentence = page.get_by_test_id("reconcile-sentence").inner_text()
    assert sentence == f"将确认 3 条明细 {format_yuan(confirmed)}，对 1 条明细提出异议 {format_yuan(disputed)}"
    assert "数量与发货单不符" in page.get_by_test_id("reconcile-reasons").inner_text()
    assert page.get_by_test_id("confirmed-total").inner_text() == format_yuan(confirmed)
    assert page.get_by_test_id("disputed-total").inner_text() == format_yuan(disputed)
    shot(page, "reconcile-summary")
    assert {a.reconcile_status for a in session.exec(select(Acceptance)).all()} == {"pending"}  # nothing yet
    session.commit()
    page.get_by_test_id("reconcile-record").click()
    page.get_by_test_id("lines").wait_for()
    assert "已确认 3 条明细" in page.inner_text("body")
    session.expire_all()
    states = {a.id: a.reconcile_status for a in session.exec(select(Acceptance)).all()}
    session.commit()
    assert states == {ids[0]: "confirmed", ids[1]: "confirmed", ids[2]: "confirmed", ids[3]: "disputed",
                      ids[4]: "pending"}

    # "confirm the rest": the disputed line comes back undecided and stays disputed
    assert page.get_by_test_id("reconcile-form").locator("input:checked").count() == 0
    row = page.get_by_test_id(f"reconcile-line-{ids[3]}")
    assert "有异议" in row.inner_text() and "数量与发货单不符" in row.inner_text()
    page.get_by_test_id(f"confirm-{ids[4]}").check()
    page.get_by_test_id("reconcile").click()
    assert page.get_by_test_id("reconcile-sentence").inner_text() == (
        f"将确认 1 条明细 {format_yuan(fen[4])}")
    page.get_by_test_id("reconcile-record").click()
    page.get_by_test_id("lines").wait_for()
    session.expire_all()
    states = {a.id: (a.reconcile_status, a.dispute_reason) for a in session.exec(select(Acceptance)).all()}
    session.commit()
    assert states[ids[3]] == ("disputed", "数量与发货单不符") and states[ids[4]] == ("confirmed", "")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "reconcile-after-390")
    page.context.close()
    session.close()
