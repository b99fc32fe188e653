"""The supply-guarantee journey of issue 19 in the browser: the hospital reports a failure → the
supplier answers late → the officer escalates and moves three cities to the backup (a second
officer approves) → the backup signs and delivers → settlement pays the backup for the moved
volume and the failed winner for the rest → the breach is confirmed → the rating is published
→ the supplier's bid in a later batch is refused with the reason and the rating's reference, and
its listed product is suspended for the region's hospitals (挂网暂停); the officer exports the
takeovers and ratings to Excel.

Steps of other journeys (the other hospitals signing and accepting, the suppliers' applications,
reconciliation) run through the same services; the supplier answers on a clock moved three days
on (``supply.views.utcnow``), so its answer is late."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.clock import utcnow
from credit.models import Rating
from listing.services import decide_listing, submit_listing
from review import services as review
from settlement import services as settlement
from settlement.models import Acceptance, Delivery
from supply.models import Takeover
from tests.bidding.conftest import bidding_open_now
from tests.browser.helpers import new_page, sign_in
from tests.listing.conftest import product_input
from tests.settlement.fixtures_db import second_officer
from tests.supply.fixtures import build

pytestmark = pytest.mark.browser


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _login(browser, base, username, width: int | None = None):
    page = new_page(browser)
    if width:
        page.set_viewport_size({"width": width, "height": 900})
    return sign_in(page, base, username)


def test_failure_takeover_settlement_rating_and_refused_bid(app, db, session, world, ring, live_server, browser, shot,
                                                             monkeypatch, tmp_path):
    app.extensions["jicai.keyring"] = ring
    today = utcnow().date()
    cycle, moved_from = _month_start(today, 2), _month_start(today, 1)  # the takeover runs from last month
    ex = build(db, session, world, ring, datetime.combine(cycle - timedelta(days=30), time(2), tzinfo=UTC),
               rules={"prepayment_ratio": "0"})  # no advance: each instruction is the gross of its lines
    early = datetime.combine(cycle + timedelta(days=5), time(2), tzinfo=UTC)
    for city, qty in (("370100", 1000), ("370300", 800)):  # the failed winner delivered in the first month
        contract = ex.contract(session, city)
        settlement.record_deliveries(session, ex.failed, [settlement.DeliveryInput(contract.code, qty, early.date())], early)
    for d in session.exec(select(Delivery).order_by(Delivery.id)).all():
        city = "370100" if d.hospital_org_id == ex.orgs["A-hospital"].id else "370300"
        settlement.accept_delivery(session, ex.hospitals[city], d.id, d.quantity, early.date() + timedelta(days=1),
                                   early + timedelta(days=2))
    second_officer(session, world)
    listed = submit_listing(session, ex.failed, product_input(), early).id
    decide_listing(session, ex.officer, listed, True, "", early)
    later = bidding_open_now(session, world, days=3)
    a_contract = ex.contract(session, "370100")
    session.commit()
    base = live_server

    hospital = _login(browser, base, "a_hospital_buyer")
    hospital.goto(f"{base}/batches/{ex.code}/contracts")
    hospital.get_by_test_id(f"report-problem-{a_contract.id}").click()
    hospital.select_option("#kind", "late")
    hospital.fill("#due_on", today.isoformat())
    hospital.fill("#description", "约定今日到货，企业电话告知无法供货")
    evidence = tmp_path / "订单.pdf"
    evidence.write_bytes(b"%PDF-1.4 order")
    hospital.set_input_files("#evidence", str(evidence))
    hospital.get_by_test_id("problem-submit").click()
    hospital.get_by_test_id("problem-report").wait_for()
    problem_url = hospital.url
    shot(hospital, "supply-problem-reported")

    real = utcnow
    monkeypatch.setattr("supply.views.utcnow", lambda: real() + timedelta(days=3))  # the supplier answers 3 days on
    failed = _login(browser, base, "a_supplier_rep")
    failed.goto(problem_url)
    failed.fill("#answer", "原料药断货，预计下月恢复")
    failed.get_by_test_id("answer-submit").click()
    failed.get_by_test_id("answered-late").wait_for()
    monkeypatch.setattr("supply.views.utcnow", real)
    assert "逾期答复" in failed.get_by_test_id("problem-answer").inner_text()
    shot(failed, "supply-answered-late")

    officer = _login(browser, base, "a_price_officer")
    officer.goto(problem_url)
    officer.fill("#note", "电话提醒企业履行保供义务")
    officer.get_by_test_id("escalate-reminder").click()
    officer.get_by_test_id("escalate-interview").wait_for()
    officer.get_by_test_id("declare-failure").click()
    for city in ("370100", "370300", "370400"):
        officer.get_by_test_id(f"unit-{city}").check()
    officer.fill("#starts_on", moved_from.isoformat())
    officer.fill("#reason", "中选企业断供，约谈后仍无法供货")
    officer.get_by_test_id("takeover-preview").click()
    officer.get_by_test_id("takeover-plan").wait_for()
    assert officer.get_by_test_id("plan-taker").inner_text() == "A2 备供药业"
    shot(officer, "supply-takeover-preview")
    officer.get_by_test_id("takeover-propose").click()
    officer.get_by_test_id("decision-waits").wait_for()  # four-eyes: the proposer cannot approve
    takeover_url = officer.url

    officer2 = _login(browser, base, "a_officer_2")
    officer.goto(f"{base}/batches/{ex.code}/takeovers")
    with officer.expect_download() as download:
        officer.get_by_test_id("takeovers-xlsx").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
    assert [sheet.cell(2, 1).value, sheet.cell(2, 4).value] == [session.exec(select(Takeover)).one().reference,
                                                                "A2 备供药业"]
    session.commit()  # end the read: the server writes next

    officer2.goto(takeover_url)
    officer2.get_by_test_id("confirm-approve").check()
    officer2.get_by_test_id("takeover-approve").click()
    assert officer2.get_by_test_id("takeover-status").get_attribute("data-status") == "approved"
    assert officer2.get_by_test_id("moved-total").inner_text() == "12,600"  # 5,000 + 4,000 + 3,600
    shot(officer2, "supply-takeover-approved")

    takeover = session.exec(select(Takeover)).one()
    for city in ("370100", "370300", "370400"):
        review.sign_all(session, ex.hospitals[city], ex.code, utcnow())
    session.commit()
    backup = _login(browser, base, "a2_supplier_rep")
    backup.goto(f"{base}/batches/{ex.code}/contracts/sign-all")
    assert "3 份" in backup.get_by_test_id("sign-all-count").inner_text()
    backup.get_by_test_id("sign-all-check").check()
    backup.get_by_test_id("sign-all-go").click()
    backup.get_by_test_id("all-signed").wait_for()
    for city, qty, day in (("A-hospital", "700", 10), ("H-370300", "300", 12)):
        backup.goto(f"{base}/settlement/")
        backup.select_option("#contract_code", f"BG1-YP101-{city}-T{takeover.id}")
        backup.fill("#quantity", qty)
        backup.fill("#shipped_on", (moved_from + timedelta(days=day)).isoformat())
        backup.get_by_test_id("record-delivery").click()
        backup.get_by_test_id("deliveries").wait_for()
    shot(backup, "supply-backup-delivered")

    deliveries = session.exec(select(Delivery).where(Delivery.supplier_org_id == ex.orgs["A2-supplier"].id)
                              .order_by(Delivery.id)).all()
    session.commit()
    hospital.goto(f"{base}/settlement/")
    hospital.get_by_test_id(f"accept-date-{deliveries[0].id}").fill((moved_from + timedelta(days=11)).isoformat())
    hospital.get_by_test_id(f"accept-{deliveries[0].id}").click()
    hospital.get_by_test_id("lines").wait_for()
    settlement.accept_delivery(session, ex.hospitals["370300"], deliveries[1].id, 300,
                               moved_from + timedelta(days=13), utcnow())
    month = f"{moved_from:%Y-%m}"
    for rep in (ex.failed, ex.backup):
        settlement.apply_for_settlement(session, rep, deliveries[0].batch_id, month, utcnow())
    for city in ("370100", "370300"):
        org = ex.orgs["A-hospital" if city == "370100" else "H-370300"]
        ids = session.exec(select(Acceptance.id).where(Acceptance.hospital_org_id == org.id)).all()
        settlement.reconcile(session, ex.hospitals[city], list(ids), True, "", utcnow())
    session.commit()

    settle = _login(browser, base, "a_settlement_officer")
    settle.goto(f"{base}/settlement/officer/batches/{ex.code}")
    settle.fill("#month", month)
    settle.get_by_test_id("run").click()
    assert settle.get_by_test_id("run-status").get_attribute("data-status") == "computed"
    run_url = settle.url
    settle2 = _login(browser, base, "a_settlement_officer_2")
    settle2.goto(run_url)
    settle2.get_by_test_id("approve").click()
    rows = {r.split("\t")[1]: r.split("\t")[3] for r in
            settle2.get_by_test_id("instructions").locator("tbody tr").all_inner_texts()}
    assert rows == {"A supplier": "¥180.00",  # the failed winner: 1,800 units at ¥0.1000, before the takeover
                    "A2 备供药业": "¥120.00"}  # the backup: 1,000 moved units at its own ¥0.1200
    shot(settle2, "supply-settlement-run")

    officer.goto(takeover_url)
    officer.get_by_test_id("record-breach").click()
    officer.fill("#occurred_on", moved_from.isoformat())
    officer.fill("#description", "中选后无正当理由断供，约谈后仍未恢复，已由备供企业接替")
    officer.set_input_files("#evidence", str(evidence))
    officer.get_by_test_id("breach-submit").click()
    officer.get_by_test_id("decision-waits").wait_for()  # the supplier may state its case first
    breach_url = officer.url

    failed.goto(breach_url)
    failed.fill("#text", "上游原料药停产所致，已寻找替代来源")
    failed.get_by_test_id("statement-submit").click()
    failed.get_by_test_id("statement").wait_for()

    officer.goto(breach_url)
    officer.fill("#note", "原料药停产不属于不可抗力，企业未履行保供义务")
    officer.get_by_test_id("breach-confirm").click()
    assert officer.get_by_test_id("breach-status").get_attribute("data-status") == "confirmed"
    officer.goto(f"{base}/credit/suppliers/{ex.orgs['A-supplier'].id}")
    assert officer.get_by_test_id("derived-grade").get_attribute("data-status") == "serious"
    officer.get_by_test_id("propose-rating").click()
    officer.get_by_test_id("confirm-waits").wait_for()
    rating_url = officer.url
    shot(officer, "credit-rating-proposed")

    officer2.goto(rating_url)
    officer2.get_by_test_id("confirm-rating").check()
    officer2.get_by_test_id("rating-approve").click()
    assert officer2.get_by_test_id("rating-status").get_attribute("data-status") == "published"
    reference = session.exec(select(Rating)).one().reference
    session.commit()
    shot(officer2, "credit-rating-published")
    officer2.goto(f"{base}/credit/")
    with officer2.expect_download() as download:
        officer2.get_by_test_id("ratings-xlsx").click()
    assert load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0].cell(2, 1).value == reference

    hospital.goto(f"{base}/listing/{listed}")  # the rating suspends the supplier's listings in the province
    suspended = hospital.get_by_test_id("listing-suspended").inner_text()
    assert reference in suspended and "暂停挂网" in suspended
    assert hospital.get_by_test_id("listing-suspensions").locator("td[data-status=suspended]").count() == 1
    shot(hospital, "listing-suspended-by-rating")

    failed.goto(f"{base}/batches/{later}/bids/new?item=YP001")
    failed.fill("#strength", "20")
    failed.fill("#strength_unit", "mg")
    failed.fill("#units_per_pack", "7")
    failed.fill("#pack_price", "1.40")
    failed.fill("#capacity", "3000000")
    failed.get_by_test_id("preview-bid").click()
    refusal = failed.get_by_test_id("preview").inner_text()
    assert reference in refusal and "不能申报" in refusal and "严重" in refusal
    assert failed.get_by_test_id("confirm-bid").count() == 0
    shot(failed, "credit-bid-refused")

    phone = _login(browser, base, "a_price_officer", width=390)
    phone.goto(takeover_url)
    shot(phone, "supply-takeover-phone")
    phone.goto(rating_url)
    shot(phone, "credit-rating-phone")
    phone_hospital = _login(browser, base, "a_hospital_buyer", width=390)
    phone_hospital.goto(f"{base}/listing/{listed}")
    phone_hospital.get_by_test_id("listing-suspended").wait_for()
    shot(phone_hospital, "listing-suspended-phone")
    for page in (hospital, failed, officer, officer2, backup, settle, settle2, phone, phone_hospital):
        page.context.close()
    session.close()
