"""Credit through the pages: a breach with evidence, the statement, the decision; the credit file,
a rating proposed and confirmed four-eyes; the bid refused with the rating's reference; repair;
the region's credit rules; the bidders' ratings on the opening page."""

from __future__ import annotations

import io

from sqlmodel import select

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from credit.models import Breach, Rating
from tests.bidding.conftest import bidding_open_now
from tests.conftest import PASSWORD, csrf_token, login


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data}, follow_redirects=True)


def test_breach_rating_and_refused_bid_through_the_pages(app, client, session, world):
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    accounts.create_user(session, None, username="a_officer_2", display_name="复核", password=PASSWORD,
                         role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    code = bidding_open_now(session, world, days=2)
    session.commit()
    login(client, "a_price_officer")
    url = f"/credit/breaches/new?supplier={supplier.id}"
    page = client.get(url).get_data(as_text=True)
    assert "A supplier" in page and "B supplier" not in page  # only the suppliers the bureau deals with
    no_evidence = client.post(url, data={"csrf_token": csrf_token(client, url), "supplier": str(supplier.id),
                                         "kind": "supply_failure", "occurred_on": "2026-11-20", "description": "断供"},
                              follow_redirects=True).get_data(as_text=True)
    assert "失信事项须附证据" in no_evidence
    done = client.post(url, data={"csrf_token": csrf_token(client, url), "supplier": str(supplier.id),
                                  "kind": "supply_failure", "occurred_on": "2026-11-20", "description": "连续断供三周",
                                  "evidence": (io.BytesIO(b"%PDF-1.4"), "约谈记录.pdf")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "失信事项已记录" in done and 'data-testid="decision-waits"' in done and 'data-testid="breach-confirm"' not in done
    breach = session.exec(select(Breach)).one()
    session.commit()
    _logout(client)

    login(client, "a_supplier_rep")
    stated = _post(client, f"/credit/breaches/{breach.id}/statement", text="原料短缺，已恢复").get_data(as_text=True)
    assert "申辩已提交" in stated and "原料短缺" in stated
    assert client.get(f"/credit/suppliers/{supplier.id}").status_code == 200  # its own file
    assert client.get(f"/credit/suppliers/{world.orgs[('B', OrgKind.SUPPLIER)].id}").status_code == 404
    _logout(client)

    login(client, "a_price_officer")
    confirmed = _post(client, f"/credit/breaches/{breach.id}/decide", decision="confirm", note="证据确凿")
    assert "失信事项已确认" in confirmed.get_data(as_text=True)
    file = client.get(f"/credit/suppliers/{supplier.id}").get_data(as_text=True)
    assert 'data-status="serious"' in file and 'data-testid="propose-rating"' in file
    proposed = _post(client, f"/credit/suppliers/{supplier.id}/rate").get_data(as_text=True)
    assert "评级已提出" in proposed and 'data-testid="confirm-waits"' in proposed
    rating = session.exec(select(Rating)).one()
    session.commit()
    _logout(client)

    login(client, "a_officer_2")
    unticked = _post(client, f"/credit/ratings/{rating.id}/decide", decision="approve").get_data(as_text=True)
    assert "请勾选确认" in unticked
    published = _post(client, f"/credit/ratings/{rating.id}/decide", decision="approve", confirm="y").get_data(as_text=True)
    assert "评级已发布" in published and 'data-status="published"' in published and "暂停本地区申报和挂网" in published
    session.expire_all()
    reference = session.get(Rating, rating.id).reference
    session.commit()
    _logout(client)

    login(client, "a_supplier_rep")
    bid_url = f"/batches/{code}/bids/new"
    refused = client.post(bid_url, data={"csrf_token": csrf_token(client, bid_url), "item_code": "YP001", "strength": "20",
                                         "strength_unit": "mg", "units_per_pack": "7", "pack_price": "1.4",
                                         "capacity": "5000000", "eligibility": "consistency_generic", "confirm": "1"},
                          follow_redirects=True).get_data(as_text=True)
    assert reference in refused and "不能申报" in refused and "回执" not in refused
    page = client.get(f"/credit/ratings/{rating.id}").get_data(as_text=True)
    assert 'data-testid="repair-apply"' in page
    applied = _post(client, f"/credit/ratings/{rating.id}/repair", text="承诺足量供应").get_data(as_text=True)
    assert "信用修复已申请" in applied
    _logout(client)

    login(client, "a_price_officer")
    page = client.get(f"/credit/ratings/{rating.id}").get_data(as_text=True)
    assert 'data-testid="repair-waits"' in page and 'data-testid="repair-grant"' not in page  # the waiting period
    listing = client.get("/credit/?r_status=published").get_data(as_text=True)
    assert reference in listing


def test_the_credit_rules_page_reads_and_saves_labelled_settings(client, world):
    login(client, "a_price_officer")
    page = client.get("/credit/policy").get_data(as_text=True)
    assert "评定周期" in page and "适用默认规则" in page and 'data-testid="save-credit-rules"' in page
    saved = _post(client, "/credit/policy", **{"credit.statement_days": "7", "credit.lookback_days": "730",
                                               "credit.base_grade.kickback": "serious"}).get_data(as_text=True)
    assert "信用评价规则已保存" in saved and "第 1 版" in saved
    refused = _post(client, "/credit/policy", **{"credit.lookback_days": "5"}).get_data(as_text=True)
    assert "未保存" in refused and 'data-error-for="lookback_days"' in refused
    bad = _post(client, "/credit/policy", **{"credit.statement_days": "七"}).get_data(as_text=True)
    assert 'data-error-for="statement_days"' in bad
    _logout(client)
    login(client, "a_admin")
    page = client.get("/credit/policy").get_data(as_text=True)
    assert 'data-testid="save-credit-rules"' not in page and "7 天" in page
    assert _post(client, "/credit/policy", **{"credit.statement_days": "9"}).status_code == 403


def test_the_opening_review_and_evaluation_pages_show_each_bidders_rating(app, client, db, session, world, ring):
    from datetime import UTC, datetime, timedelta

    from bidding import services as bidding
    from credit import services as credit
    from evaluation import services as evaluation
    from tests.bidding.conftest import bid, make_bidding_batch

    officer = world.actors[("A", Role.PRICE_OFFICER)]
    second = accounts.actor_for(session, accounts.create_user(
        session, None, username="a_officer_2", display_name="复核", password=PASSWORD, role=Role.PRICE_OFFICER,
        org_id=world.orgs[("A", OrgKind.BUREAU)].id))
    kickbacker = world.orgs[("A", OrgKind.SUPPLIER)]
    t = datetime.now(UTC) - timedelta(days=20)  # the rating is in force today, when the pages are read
    breach = credit.record_breach(session, officer, credit.BreachInput(kickbacker.id, "kickback",
                                                                       (t - timedelta(days=5)).date(),
                                                                       "回扣", ("e.pdf", b"x")), t)
    credit.decide_breach(session, officer, breach.id, True, "查实", t + timedelta(days=11))
    rating = credit.propose_rating(session, officer, kickbacker.id, t + timedelta(days=12))
    credit.decide_rating(session, second, rating.id, True, "", t + timedelta(days=12))  # medium: a warning
    code = make_bidding_batch(session, world, demand_deadline=datetime(2026, 6, 20, tzinfo=UTC),
                              bid_deadline=datetime(2026, 7, 1, tzinfo=UTC), opening_at=datetime(2026, 7, 1, 1, tzinfo=UTC))
    for side, price in (("A", 14000), ("B", 13300)):
        bidding.submit_bid(session, world.actors[(side, Role.SUPPLIER_REP)], code, bid(pack_price_e4=price), ring,
                           datetime(2026, 6, 25, tzinfo=UTC))
    bidding.open_bids(session, None, code, ring, datetime(2026, 7, 1, 1, tzinfo=UTC))
    run = evaluation.request_evaluation(session, officer, code, datetime(2026, 7, 1, 2, tzinfo=UTC)).value
    session.close()
    evaluation.claim_and_run(db, run.id, officer)
    login(client, "a_price_officer")
    for url in (f"/batches/{code}/opening", f"/batches/{code}/review", f"/batches/{code}/evaluations/{run.version}"):
        page = client.get(url).get_data(as_text=True)
        card = page.split('data-testid="bidder-ratings"')[1]
        assert "中等" in card.split('data-testid="bidder-rating-A-supplier"')[1].split("</tr>")[0], url
        assert "无有效评级" in card.split('data-testid="bidder-rating-B-supplier"')[1].split("</tr>")[0], url
    _logout(client)
    login(client, "a_supplier_rep")
    assert 'data-testid="bidder-ratings"' not in client.get(f"/batches/{code}/opening").get_data(as_text=True)
