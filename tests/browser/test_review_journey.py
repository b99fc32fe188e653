"""Officer A runs the evaluation, officer B sends it back, A re-runs, B approves; a supplier
objects during publicity and gets an answer; publication; the hospital signs its contract."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from core.clock import utcnow
from tests.browser.helpers import new_page, sign_in
from tests.conftest import PASSWORD
from tests.evaluation.fixtures import opened_batch

pytestmark = pytest.mark.browser


def _as(browser, base, username):
    """A fresh Chinese browser page signed in as ``username``."""
    return sign_in(new_page(browser), base, username)


def _run_evaluation(page, base, code, version):
    page.goto(f"{base}/batches/{code}/evaluations")
    page.get_by_test_id("run-evaluation").click()
    page.wait_for_url(f"**/evaluations/{version}")
    page.get_by_test_id("progress").filter(has_text="2 / 2").wait_for(timeout=60_000)


def test_review_publicity_and_signing(app, db, session, world, ring, live_server, browser, shot):
    code = opened_batch(session, world, ring)
    accounts.create_user(session, None, username="a_officer_2", display_name="审核员", password=PASSWORD,
                         role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    session.close()
    a = _as(browser, live_server, "a_price_officer")
    _run_evaluation(a, live_server, code, 1)
    shot(a, "evaluation-v1")
    a.goto(f"{live_server}/batches/{code}/review")
    a.get_by_test_id("submit-v1").click()

    b = _as(browser, live_server, "a_officer_2")
    b.goto(f"{live_server}/batches/{code}/review")
    b.fill("#reason", "请复核 YP101 的产能约束")
    b.get_by_test_id("send-back").click()
    assert "已退回" in b.content()

    _run_evaluation(a, live_server, code, 2)
    a.goto(f"{live_server}/batches/{code}/review")
    a.get_by_test_id("submit-v2").click()
    assert "双人审核" in a.get_by_test_id("decision-waits").inner_text()  # the submitter sees why, no button
    assert a.get_by_test_id("approve").count() == 0
    b.goto(f"{live_server}/batches/{code}/review")
    b.get_by_test_id("approve").click()
    assert "公示" in b.content()
    assert "公示期尚未结束" in b.get_by_test_id("publish-waits").inner_text()  # no publish button during publicity
    assert b.get_by_test_id("publish").count() == 0
    shot(b, "review-approved")

    s = _as(browser, live_server, "a_supplier_rep")
    s.goto(f"{live_server}/batches/{code}/result")
    s.fill("#text", "我司对中选数量有疑问")
    s.get_by_test_id("lodge-objection").click()
    assert "异议已提交" in s.content()

    b.goto(f"{live_server}/batches/{code}/review")
    b.locator("textarea[data-testid^='answer-']").fill("有效申报 2 家，按规则中选 1 家。")
    b.locator("button[data-testid^='send-answer-']").click()
    with db.engine.begin() as conn:  # the publicity period ends
        conn.execute(text("UPDATE publicity SET ends_at = :t"), {"t": utcnow() - timedelta(seconds=1)})
    b.goto(f"{live_server}/batches/{code}/review")
    b.get_by_test_id("publish").click()
    assert b.get_by_test_id("confirm-publish").evaluate("e => e.validity.valueMissing")  # asks first
    b.get_by_test_id("confirm-publish").check()
    b.get_by_test_id("publish").click()
    assert "已发布" in b.content()

    s.goto(f"{live_server}/batches/{code}/result")
    assert "有效申报 2 家" in s.get_by_test_id("objection-answer").inner_text()

    h = _as(browser, live_server, "a_hospital_buyer")
    h.goto(f"{live_server}/batches/{code}/contracts")
    h.get_by_test_id("sign-all").click()
    assert "将签署 1 份协议" in h.get_by_test_id("sign-all-count").inner_text()
    shot(h, "sign-all-confirm")
    h.get_by_test_id("sign-all-check").check()
    h.get_by_test_id("sign-all-go").click()
    table = h.get_by_test_id("contracts").inner_text()
    assert "B supplier" in table and "500" in table
    shot(h, "contracts-hospital")
