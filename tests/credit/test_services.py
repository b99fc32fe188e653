"""Breaches with the supplier's statement and the officer's decision; ratings derived, confirmed
four-eyes, published with validity and superseded; repair after a commitment and a waiting
period; the consequences bidding enforces (refusal with the reason and the rating's reference)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from accounts import services as accounts
from accounts.actor import Forbidden
from accounts.roles import OrgKind, Role
from bidding import services as bidding
from bidding.models import OpenedBid
from credit import services
from credit.models import Breach, Rating
from credit.policy import parse_credit_rules
from notices.models import Notification
from tests.bidding.conftest import bid, make_bidding_batch
from tests.conftest import PASSWORD

T = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
EVIDENCE = ("约谈记录.pdf", b"%PDF-1.4 evidence")


@pytest.fixture
def officers(session, world):
    """Province A's officer and a second one (four-eyes)."""
    user = accounts.create_user(session, None, username="a_officer_2", display_name="复核", password=PASSWORD,
                                role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    return world.actors[("A", Role.PRICE_OFFICER)], accounts.actor_for(session, user)


def _supplier(world):
    return world.orgs[("A", OrgKind.SUPPLIER)]


def _record(session, world, officer, kind="supply_failure", on=date(2026, 5, 20), now=T, **kw):
    return services.record_breach(session, officer, services.BreachInput(
        _supplier(world).id, kind, on, kw.pop("description", "连续三周未按合同配送"), kw.pop("evidence", EVIDENCE),
        kw.pop("takeover_id", None)), now)


def _confirmed(session, world, officer, **kw):
    breach = _record(session, world, officer, **kw)
    services.decide_breach(session, officer, breach.id, True, "证据确凿", kw.get("now", T) + timedelta(days=11))
    return breach


def _published(session, world, officers, at=T + timedelta(days=12)):
    a, b = officers
    rating = services.propose_rating(session, a, _supplier(world).id, at)
    return services.decide_rating(session, b, rating.id, True, "", at + timedelta(hours=1))


def test_a_breach_waits_for_the_statement_then_the_decision(session, world, officers):
    a, _b = officers
    breach = _record(session, world, a)
    assert breach.reference.startswith("SX370000-2026-") and breach.statement_due_at == T + timedelta(days=10)
    assert session.exec(select(Notification).where(Notification.kind == "credit_breach")).one().org_id == _supplier(world).id
    with pytest.raises(services.CreditError, match="state its case until"):
        services.decide_breach(session, a, breach.id, True, "确认", T + timedelta(days=1))
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    services.state_breach(session, supplier, breach.id, "因原料短缺，已恢复生产", T + timedelta(days=2))
    with pytest.raises(services.CreditError, match="given or the breach decided"):
        services.state_breach(session, supplier, breach.id, "补充", T + timedelta(days=3))
    with pytest.raises(services.CreditError, match="reason"):
        services.decide_breach(session, a, breach.id, True, " ", T + timedelta(days=2))
    services.decide_breach(session, a, breach.id, False, "确因不可抗力", T + timedelta(days=2))
    assert session.get(Breach, breach.id).status == "dismissed"
    with pytest.raises(services.CreditError, match="decided"):
        services.decide_breach(session, a, breach.id, True, "改判", T + timedelta(days=3))


def test_a_statement_after_its_period_is_refused_and_the_decision_may_follow(session, world, officers):
    a, _b = officers
    breach = _record(session, world, a)
    with pytest.raises(services.CreditError, match="statement period ended"):
        services.state_breach(session, world.actors[("A", Role.SUPPLIER_REP)], breach.id, "迟到的申辩",
                              T + timedelta(days=11))
    services.decide_breach(session, a, breach.id, True, "逾期未申辩", T + timedelta(days=11))
    assert session.get(Breach, breach.id).status == "confirmed"


@pytest.mark.parametrize(("kw", "why"), [
    ({"kind": "rumour"}, "kind of breach"), ({"on": date(2026, 6, 2)}, "after today"),
    ({"evidence": None}, "evidence"), ({"description": ""}, "fill in"),
])
def test_bad_breaches_are_refused_with_the_reason(session, world, officers, kw, why):
    with pytest.raises(services.CreditError, match=why):
        _record(session, world, officers[0], **kw)


def test_a_rating_without_a_confirmed_breach_is_refused(session, world, officers):
    a, _b = officers
    with pytest.raises(services.CreditError, match="no confirmed breach"):
        services.propose_rating(session, a, _supplier(world).id, T)
    _record(session, world, a)  # recorded, not confirmed
    with pytest.raises(services.CreditError, match="no confirmed breach"):
        services.propose_rating(session, a, _supplier(world).id, T + timedelta(days=1))


def test_ratings_are_confirmed_four_eyes_and_published_with_validity(session, world, officers):
    a, b = officers
    _confirmed(session, world, a)
    at = T + timedelta(days=12)
    rating = services.propose_rating(session, a, _supplier(world).id, at)
    assert (rating.grade, rating.consequence, rating.status, rating.reference) == ("serious", "suspension", "proposed",
                                                                                   None)
    with pytest.raises(services.CreditError, match="already awaits"):
        services.propose_rating(session, b, _supplier(world).id, at)
    with pytest.raises(services.CreditError, match="Four-eyes"):
        services.decide_rating(session, a, rating.id, True, "", at)
    published = services.decide_rating(session, b, rating.id, True, "", at)
    assert published.status == "published" and published.reference.startswith("XY370000-2026-")
    assert (published.valid_from, published.valid_until) == (at.date(), at.date() + timedelta(days=364))
    texts = [n.text for n in session.exec(select(Notification).where(Notification.kind == "credit_rating_published"))]
    assert published.reference in texts[0]


def test_a_later_rating_supersedes_the_earlier_and_repetition_raises_the_grade(session, world, officers):
    a, _b = officers
    _confirmed(session, world, a)
    first = _published(session, world, officers)
    _confirmed(session, world, a, kind="refusal_to_deliver", on=date(2026, 6, 20), now=T + timedelta(days=20))
    second = _published(session, world, officers, at=T + timedelta(days=40))
    session.expire_all()
    assert session.get(Rating, first.id).status == "superseded"
    assert (second.grade, second.consequence) == ("particularly_serious", "exclusion")


def test_rejecting_a_rating_needs_a_reason(session, world, officers):
    a, b = officers
    _confirmed(session, world, a)
    rating = services.propose_rating(session, a, _supplier(world).id, T + timedelta(days=12))
    with pytest.raises(services.CreditError, match="reason"):
        services.decide_rating(session, b, rating.id, False, "", T + timedelta(days=12))
    assert services.decide_rating(session, b, rating.id, False, "证据不足", T + timedelta(days=12)).status == "rejected"


def test_repair_after_a_commitment_and_the_waiting_period(session, world, officers):
    a, _b = officers
    _confirmed(session, world, a)
    rating = _published(session, world, officers)
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    repair = services.apply_repair(session, supplier, rating.id, "承诺按合同足量供应并接受监督", T + timedelta(days=20))
    with pytest.raises(services.CreditError, match="awaits its decision"):
        services.apply_repair(session, supplier, rating.id, "再次申请", T + timedelta(days=21))
    with pytest.raises(services.CreditError, match="can be granted from"):
        services.decide_repair(session, a, repair.id, True, "同意", T + timedelta(days=30))
    granted = T + timedelta(days=12 + 90)
    services.decide_repair(session, a, repair.id, True, "整改到位", granted)
    session.expire_all()
    done = session.get(Rating, rating.id)
    assert (done.status, done.ended_on) == ("repaired", granted.date())
    assert services.bar_for(session, supplier.org_id, "370000", granted.date()) is None


def test_a_barred_suppliers_bid_is_refused_with_the_reason_and_the_rating_reference(session, world, officers):
    a, _b = officers
    _confirmed(session, world, a)
    rating = _published(session, world, officers)
    code = make_bidding_batch(session, world, demand_deadline=datetime(2026, 6, 20, tzinfo=UTC),
                              bid_deadline=datetime(2026, 7, 1, tzinfo=UTC), opening_at=datetime(2026, 7, 1, 1, tzinfo=UTC))
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    from bidding.keys import Kek, KeyRing

    ring = KeyRing((Kek.generate("t"),))
    with pytest.raises(bidding.BidRefused) as refused:
        bidding.submit_bid(session, supplier, code, bid(), ring, datetime(2026, 6, 25, tzinfo=UTC))
    reason = refused.value.reasons[0]
    assert reason.code == "supplier_barred" and rating.reference in reason.message_zh and "严重" in reason.message_zh
    assert rating.reference in reason.message_en and "suspended" in reason.message_en
    preview = bidding.preview_bid(session, supplier, code, bid(), datetime(2026, 6, 25, tzinfo=UTC))
    assert not preview.ok and preview.refusals[0].code == "supplier_barred"


def test_suspension_bars_only_the_rating_region_and_a_bid_rated_after_submission_is_invalid_at_opening(
        session, world, officers):
    a, _b = officers
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    from bidding.keys import Kek, KeyRing

    ring = KeyRing((Kek.generate("t"),))
    code = make_bidding_batch(session, world, demand_deadline=datetime(2026, 6, 20, tzinfo=UTC),
                              bid_deadline=datetime(2026, 7, 1, tzinfo=UTC), opening_at=datetime(2026, 7, 1, 1, tzinfo=UTC))
    bidding.submit_bid(session, supplier, code, bid(), ring, datetime(2026, 6, 21, tzinfo=UTC))
    _confirmed(session, world, a)
    _published(session, world, officers, at=datetime(2026, 6, 22, tzinfo=UTC))
    assert services.bar_for(session, supplier.org_id, "320000", date(2026, 6, 23)) is None  # another province
    bidding.open_bids(session, None, code, ring, datetime(2026, 7, 1, 1, tzinfo=UTC))
    opened = session.exec(select(OpenedBid)).one()
    assert not opened.valid and "supplier_barred" in opened.reasons_json


def test_exclusion_bars_every_region_and_a_warning_bars_none(session, world, officers):
    a, _b = officers
    set_rules = services.set_policy
    set_rules(session, a, parse_credit_rules({"base_grade": {"supply_failure": "particularly_serious",
                                                             "refusal_to_deliver": "serious",
                                                             "price_manipulation": "serious", "kickback": "medium"}}), T)
    _confirmed(session, world, a)
    _published(session, world, officers)
    day = (T + timedelta(days=13)).date()
    assert services.bar_for(session, _supplier(world).id, "320000", day).consequence == "exclusion"
    other = accounts.create_organisation(session, None, code="A3-supplier", name="A3 药业", kind=OrgKind.SUPPLIER,
                                         region_code="370100")
    services.record_breach(session, a, services.BreachInput(other.id, "kickback", date(2026, 5, 1), "回扣", EVIDENCE), T)
    breach = session.exec(select(Breach).where(Breach.supplier_org_id == other.id)).one()
    services.decide_breach(session, a, breach.id, True, "查实", T + timedelta(days=11))
    rating = services.propose_rating(session, a, other.id, T + timedelta(days=12))
    services.decide_rating(session, officers[1], rating.id, True, "", T + timedelta(days=12))
    assert services.bar_for(session, other.id, "370000", day) is None  # medium: a warning only
    assert services.standing(session, [other.id], "370000", day)[other.id].consequence == "warning"


def test_only_officers_record_and_each_side_sees_its_own(session, world, officers):
    a, _b = officers
    with pytest.raises(Forbidden):
        services.record_breach(session, world.actors[("A", Role.SUPPLIER_REP)], services.BreachInput(
            _supplier(world).id, "kickback", date(2026, 5, 1), "x", EVIDENCE), T)
    breach = _record(session, world, a)
    with pytest.raises(Forbidden):
        services.decide_breach(session, world.actors[("B", Role.PRICE_OFFICER)], breach.id, True, "x", T)
    with pytest.raises(Forbidden):
        services.state_breach(session, world.actors[("B", Role.SUPPLIER_REP)], breach.id, "x", T)
