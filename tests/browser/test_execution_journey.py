"""The national result in the browser, the served app's clock moved through its life
(``core.clock.moved_to``): the officer loads the result (a refused file first, every error
listed), puts its allocation under publicity and publishes it — contracts per city with the
period rule and yearly volumes; a year later the officer opens the re-confirmation, the hospital
proposes a change with a reason, the officer approves; near the end of year 2 the officer creates
the renewal ("只议价不带量" refused). Steps between the pages (demand, signing, deliveries) are the
real use cases at the same moved times; the renewal's own tender is the service story's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from core.clock import moved_to
from procurement import services as procurement
from procurement.demand.services import submit_bulk_demand
from procurement.models import Batch
from tests.browser.helpers import new_page, sign_in
from tests.cycles.story import CODE, REPORTED, deliver, officer, sign_everything
from tests.results.fixtures import NATIONAL_JSON, bulk_demand, national_document, national_world

pytestmark = pytest.mark.browser


def _as(browser, base, username, width=None):
    page = new_page(browser)
    if width:
        page.set_viewport_size({"width": width, "height": 900})
    return sign_in(page, base, username)


def test_a_national_result_put_into_effect_run_and_renewed_in_the_browser(app, db, session, world, live_server,
                                                                         browser, shot, tmp_path):
    national_world(session, world)
    session.commit()
    base = live_server
    bad = national_document()
    bad["winners"][1]["pack_price"] = "63.50001"
    bad["supply"].append({"item_code": "YP902", "region_code": "370000", "primary": "S0004", "backup": None})
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")

    with moved_to(datetime(2024, 1, 8, 2, tzinfo=UTC)):
        a = _as(browser, base, "a_price_officer")
        a.goto(f"{base}/batches")
        a.get_by_test_id("new-result-batch").click()
        for field, value in (("#code", CODE), ("#name", "第九批国家组织药品集采（山东落地）"),
                             ("#demand_deadline", "2024-01-31T17:00")):
            a.fill(field, value)
        a.set_input_files("#file", str(tmp_path / "bad.json"))
        a.get_by_test_id("result-create").click()
        codes = a.locator('[data-testid="error-table"] tr[data-code]').evaluate_all("rs => rs.map(r => r.dataset.code)")
        assert {"price_places", "two_primaries"} <= set(codes)
        shot(a, "execution-result-refused")
        a.set_input_files("#file", str(NATIONAL_JSON))
        a.get_by_test_id("result-create").click()
        assert a.get_by_test_id("batch-procedure").get_attribute("data-procedure") == "result"
        assert a.locator('[data-testid="step-open_demand"]').count() == 1
        a.get_by_test_id("step-open_demand").locator("button").click()
        a.get_by_test_id("allocation-link").click()
        assert "恒瑞" in a.get_by_test_id("supply-YP901").locator('tr[data-region="370100"]').inner_text()
        assert "齐鲁" in a.get_by_test_id("supply-YP901").locator('tr[data-region="370200"]').inner_text()
        shot(a, "execution-allocation")
        a.context.close()
    assert submit_bulk_demand(session, officer(world), CODE, bulk_demand(REPORTED), "全国报量.xlsx",
                              datetime(2024, 1, 10, tzinfo=UTC)).accepted
    session.commit()

    with moved_to(datetime(2024, 2, 1, 2, tzinfo=UTC)):
        a = _as(browser, base, "a_price_officer")
        a.goto(f"{base}/batches/{CODE}/allocation")
        a.get_by_test_id("start-publicity").click()
        assert "公示期尚未结束" in a.get_by_test_id("publish-waits").inner_text()
        a.context.close()
    with moved_to(datetime(2024, 2, 6, 2, tzinfo=UTC)):
        a = _as(browser, base, "a_price_officer")
        a.goto(f"{base}/batches/{CODE}/allocation")
        a.get_by_test_id("confirm-publish").check()
        a.get_by_test_id("publish").click()
        a.goto(f"{base}/batches/{CODE}/contracts")
        rules = a.get_by_test_id("period-rule").all_inner_texts()
        assert "4 家中选 → 3 年" in rules and "3 家中选 → 2 年" in rules
        assert "第 3 年" in a.get_by_test_id("contract-years").first.inner_text()
        shot(a, "execution-contracts")
        a.context.close()
    session.expire_all()
    sign_everything(session, world, CODE, datetime(2024, 2, 8, tzinfo=UTC))
    procurement.transition_batch(session, officer(world), CODE, "start_execution", now=datetime(2024, 3, 1, 1, tzinfo=UTC))
    for day in (date(2024, 5, 10), date(2024, 10, 10)):
        deliver(session, world, CODE, day, Decimal("0.5"))
    session.commit()

    with moved_to(datetime(2025, 1, 15, 2, tzinfo=UTC)):
        a = _as(browser, base, "a_price_officer")
        a.goto(f"{base}/batches/{CODE}/volumes")
        a.get_by_test_id("open-year").click()
        h = _as(browser, base, "a_hospital_buyer", width=390)
        h.goto(f"{base}/batches/{CODE}/volumes")
        row = h.get_by_test_id(f"answer-{CODE}-YP902-A-hospital")
        row.locator('input[name="volume"]').fill("3600")
        row.locator("textarea").fill("去年实际用量已超约定量")
        row.locator("button").click()
        h.get_by_test_id("confirm-all").click()
        shot(h, "execution-volumes-hospital-phone")
        a.goto(f"{base}/batches/{CODE}/volumes")
        a.get_by_test_id("approve-year").click()
        assert "3,600" in a.get_by_test_id(f"year-row-{CODE}-YP902-A-hospital").get_by_test_id("agreed").inner_text()
        shot(a, "execution-volumes-approved")
        h.context.close()
        a.context.close()

    with moved_to(datetime(2025, 10, 15, 2, tzinfo=UTC)):
        a = _as(browser, base, "a_price_officer")
        a.goto(f"{base}/batches/{CODE}")
        a.get_by_test_id("renewal-link").click()
        assert a.get_by_test_id("previous-YP902").inner_text() == "¥4.8500"
        a.select_option("#mode", "price_only")
        a.get_by_test_id("create-renewal").click()
        assert "只议价不带量" in a.content()
        a.select_option("#mode", "with_volume")
        a.fill("#code", "SD-JX-2026")
        a.get_by_test_id("create-renewal").click()
        assert "接续自" in a.get_by_test_id("renewal-links").inner_text()
        shot(a, "execution-renewal-draft")
        a.context.close()
    session.expire_all()
    renewal = session.exec(select(Batch).where(Batch.code == "SD-JX-2026")).one()
    assert (renewal.cycle_start, renewal.procedure) == (date(2026, 3, 1), "tender")
    assert renewal.cycle_start - timedelta(days=1) == date(2026, 2, 28)  # the old contracts' last day
