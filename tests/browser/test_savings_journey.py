"""Retained savings at the end of the demo execution batch's cycle, in the browser at a moved
clock: the demo hospital completes its agreed volume (deliveries recorded and accepted through
the services), then after the cycle the officer proposes, the same officer is refused the
approval, the second officer approves, the hospital sees its breakdown and objects, the officer
dismisses the objection, and after the period the payable amount is credited; the hospital's
statement downloads. Screenshots at desktop and 390 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from accounts.models import Organisation, User
from core.clock import moved_to
from demo.lifecycle import act_for
from demo.seed import DEMO_PASSWORD
from procurement.models import Batch
from review.models import Contract
from settlement import services as settlement
from settlement.models import Acceptance, Delivery
from tests.browser.helpers import nav, new_page, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, db):
    """The seeded demo; the execution batch with the demo hospital's agreed volume completed
    five days before the cycle ends."""
    result = app.test_cli_runner().invoke(args=["seed", "--hospitals", "12", "--suppliers", "4"])
    assert result.exit_code == 0, result.output
    code = re.search(r"(SD-\d{4}-DEMO-E) ", result.output).group(1)
    with db.write_session() as s:
        batch = s.exec(select(Batch).where(Batch.code == code)).one()
        hospital_user = s.exec(select(User).where(User.username == "hospital")).one()
        supplier_user = s.exec(select(User).where(User.username == "supplier")).one()
        when = datetime.combine(batch.cycle_end - timedelta(days=5), time(2), tzinfo=UTC)
        hospital = act_for(hospital_user, s.get(Organisation, hospital_user.org_id))
        for c in s.exec(select(Contract).where(Contract.batch_id == batch.id, Contract.status == "signed",
                                               Contract.hospital_org_id == hospital_user.org_id)).all():
            bought = s.exec(select(func.coalesce(func.sum(Acceptance.quantity - Acceptance.returned), 0))
                            .where(Acceptance.contract_id == c.id)).one()
            if bought >= c.agreed_volume:
                continue
            supplier = act_for(supplier_user, s.get(Organisation, c.supplier_org_id))
            settlement.record_deliveries(s, supplier, [settlement.DeliveryInput(
                c.code, c.agreed_volume - bought, when.date(), f"JY{c.id:05d}")], when, source="demo")
            d = s.exec(select(Delivery).where(Delivery.contract_id == c.id).order_by(Delivery.id.desc())).first()
            settlement.accept_delivery(s, hospital, d.id, d.quantity, when.date(), when)
        end = batch.cycle_end
        hospital_code = s.get(Organisation, hospital_user.org_id).code
    return code, end, hospital_code


def _as(browser, live_server, username):
    """A fresh signed-in page."""
    return sign_in(new_page(browser), live_server, username, DEMO_PASSWORD)


def _narrow(page, shot, name):
    """A screenshot at desktop width and at a phone's 390 px (nothing wider than the screen)."""
    shot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_savings_proposed_approved_objected_and_credited_at_cycle_end(demo, live_server, browser, shot):
    code, end, hospital_code = demo
    after = datetime.combine(end + timedelta(days=3), time(2), tzinfo=UTC)
    with moved_to(after):
        page = _as(browser, live_server, "settle")
        nav(page, "nav-savings")
        page.get_by_test_id(f"savings-batch-{code}").click()
        page.get_by_test_id("savings-hospitals").wait_for()
        assert page.get_by_test_id(f"savings-state-{hospital_code}").inner_text() == "按当前数据估算"
        page.get_by_test_id("savings-propose").click()
        assert "已提出" in page.locator(".flash.success").inner_text()
        page.get_by_test_id("savings-approve").click()
        assert "须由另一名经办人审核" in page.locator(".flash.error").inner_text()
        with page.expect_download() as download:
            page.get_by_test_id("savings-xlsx").click()
        assert download.value.suggested_filename == f"savings-{code}.xlsx"
        _narrow(page, shot, "savings-officer-list")
        page.context.close()

        page = _as(browser, live_server, "settle2")
        page.goto(f"{live_server}/savings/batches/{code}")
        page.get_by_test_id("savings-approve").click()
        assert "已审核通过" in page.locator(".flash.success").inner_text()
        assert page.get_by_test_id(f"savings-state-{hospital_code}").inner_text() == "已审核 · 异议期内"
        page.context.close()

        page = _as(browser, live_server, "hospital")
        nav(page, "nav-savings")
        page.get_by_test_id(f"savings-batch-{code}").click()
        page.get_by_test_id("savings-breakdown").wait_for()
        retained = page.get_by_test_id("savings-retained").inner_text()
        assert retained.startswith("¥") and retained != "¥0.00"
        assert page.get_by_test_id("savings-lines-total").inner_text() == retained  # the lines add up to it
        page.get_by_test_id("objection-text").fill("本院10月对账已按时完成，按时对账得分有误")
        page.get_by_test_id("objection-send").click()
        assert "异议已提交" in page.locator(".flash.success").inner_text()
        _narrow(page, shot, "savings-hospital-detail")
        page.context.close()

    with moved_to(after + timedelta(days=1)):
        page = _as(browser, live_server, "settle")
        page.goto(f"{live_server}/savings/batches/{code}/hospitals/{hospital_code}")
        page.get_by_test_id("answer-text").fill("经核对，对账时间以系统记录为准，计算无误")
        page.get_by_test_id("answer-dismiss").click()
        assert "异议已答复" in page.locator(".flash.success").inner_text()
        page.context.close()

    with moved_to(after + timedelta(days=11)):
        page = _as(browser, live_server, "settle")
        page.goto(f"{live_server}/savings/batches/{code}")
        assert page.get_by_test_id(f"savings-state-{hospital_code}").inner_text() == "可支付"
        page.get_by_test_id("savings-credit").click()
        assert "已计入下次医保基金结算" in page.locator(".flash.success").inner_text()
        assert page.get_by_test_id(f"savings-state-{hospital_code}").inner_text() == "已计入"
        page.context.close()

        page = _as(browser, live_server, "hospital")
        page.goto(f"{live_server}/savings/batches/{code}/hospitals/{hospital_code}")
        assert "赵结算" in page.get_by_test_id("savings-credited").inner_text()
        with page.expect_download() as download:
            page.get_by_test_id("savings-statement").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        _narrow(page, shot, "savings-hospital-credited")
        nav(page, "nav-dashboard")
        card = page.get_by_test_id(f"own-savings-{code}")
        assert "已计入" in card.inner_text() and card.get_by_test_id("own-savings-amount").inner_text() == retained
        card.scroll_into_view_if_needed()
        shot(page, "savings-hospital-dashboard")
        page.context.close()
