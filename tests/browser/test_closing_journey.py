"""Closing a cycle in the browser (issue #16), at a moved clock after the cycle's end: the price
officer's batch page refuses ``close`` and lists what is still open, each with its link; the
settlement officer follows the prepayment link and records the recovery of the advance no run
offset; once October is settled and paid and the retained savings decided (proposed, approved, the
objection period over) the batch page offers ``close``, and the batch closes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from accounts.roles import OrgKind, Role
from core.clock import moved_to
from procurement.models import Batch
from savings import services as savings
from settlement import services
from settlement.models import PaymentInstruction
from tests.browser.helpers import new_page, sign_in
from tests.cycles.test_closing import AFTER, DECIDED, pay, release_and_pay
from tests.settlement.fixtures_db import NOW, make_setup, second_officer
from tests.settlement.payments.test_fund import give_account
from tests.settlement.test_services import actors, deliver_and_accept

pytestmark = pytest.mark.browser


def _as(browser, base, username, width=None):
    """A fresh signed-in page (at ``width`` px, when given)."""
    page = new_page(browser)
    if width:
        page.set_viewport_size({"width": width, "height": 900})
    return sign_in(page, base, username)


def test_close_refused_with_its_open_items_then_closed(app, db, session, world, live_server, browser, shot):
    setup = make_setup(session, world)
    officer_b = second_officer(session, world)
    supplier, hospital, officer = actors(world)
    hospital_org = world.orgs[("A", OrgKind.HOSPITAL)]
    give_account(session, world, hospital_org)
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    paid = services.approve_fund_payment(session, officer_b, services.propose_advance_payment(
        session, officer, setup.code, hospital_org.id, NOW).value.id, NOW).value
    release_and_pay(session, officer, paid.run_id, NOW)
    (acc,) = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 2)])
    session.commit()
    base = live_server

    with moved_to(AFTER):
        for width, name in ((None, "closing-refused"), (390, "closing-refused-phone")):
            page = _as(browser, base, "a_price_officer", width)
            page.goto(f"{base}/batches/{setup.code}")
            assert "尚不能结束" in page.get_by_test_id("waits-close").inner_text()
            items = page.get_by_test_id("closing-items").locator("li")
            assert items.evaluate_all("ls => ls.map(l => l.dataset.kind)") == ["month", "savings", "prepayment"]
            assert "2026-10 未结算完毕" in items.nth(0).inner_text()
            assert "结余留用尚未决定" in items.nth(1).inner_text()
            assert "既未冲抵也未收回" in items.nth(2).inner_text()
            assert page.locator('[data-testid="step-close"]').count() == 0
            shot(page, name)
            page.context.close()

    # October settled and paid (services); the advance's rest is recovered in the browser
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [acc.id], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    services.approve_run(session, officer_b, run.id, NOW)
    services.release_files(session, officer, run.id, NOW)
    for inst in session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all():
        pay(session, officer, inst, NOW)
    session.commit()

    with moved_to(AFTER):
        page = _as(browser, base, "a_price_officer")
        page.goto(f"{base}/batches/{setup.code}")
        page.get_by_test_id("closing-items").locator('li[data-kind="prepayment"] a').click()
        page.get_by_test_id("advances").wait_for()  # the price officer may look, not act
        assert page.locator('[data-testid="recover-A-hospital"]').count() == 0
        page.context.close()

        so = _as(browser, base, world.username("A", Role.SETTLEMENT_OFFICER))
        so.goto(f"{base}/settlement/officer/batches/{setup.code}#prepayment")
        form = so.get_by_test_id("recover-A-hospital")
        form.locator('select[name="method"]').select_option("refunded")
        form.locator('input[name="reason"]').fill("周期结束未冲抵")
        form.locator('input[name="bank_ref"]').fill("BK-REC-9")
        form.locator("button").click()
        row = so.get_by_test_id("advance-A-hospital")
        assert "已支付" in row.inner_text() and "¥0.00" in row.inner_text()
        shot(so, "closing-advance-recovered")
        so.context.close()

        page = _as(browser, base, "a_price_officer")
        page.goto(f"{base}/batches/{setup.code}")  # only the savings are left
        items = page.get_by_test_id("closing-items").locator("li")
        assert items.evaluate_all("ls => ls.map(l => l.dataset.kind)") == ["savings"]
        page.context.close()

    # the retained savings proposed and approved (services; their own journey is test_savings_journey)
    assert savings.propose(session, officer, setup.code, AFTER) == 1
    assert savings.approve(session, officer_b, setup.code, AFTER) == 1
    session.commit()

    with moved_to(DECIDED):  # the objection period is over
        page = _as(browser, base, "a_price_officer")
        page.goto(f"{base}/batches/{setup.code}")
        assert page.locator('[data-testid="closing-items"]').count() == 0
        step = page.get_by_test_id("step-close")
        step.get_by_test_id("confirm-close").check()
        step.locator("button").click()
        page.wait_for_load_state()
        assert page.locator('[data-testid="step-close"]').count() == 0
        shot(page, "closing-closed")
        page.context.close()
    session.expire_all()
    assert session.get(Batch, setup.batch_id).status == "closed"
    assert services.advance_states(session, setup.batch_id)[0].balance_fen == 0
