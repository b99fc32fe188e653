"""A credit rating whose consequence bars the supplier suspends its listed products for buyers in
the rating's region; expiry, repair or a milder rating lifts the suspension; the history stays."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from core.audit import AuditEntry
from credit import services as credit
from listing import queries
from listing.services import decide_listing, submit_listing
from notices.models import Notification
from tests.conftest import PASSWORD
from tests.listing.conftest import product_input

NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)


def _listed(session, world):
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], product_input(), NOW)
    return decide_listing(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", NOW)


def _rated(session, world, officers, kind="supply_failure", at=NOW + timedelta(days=12)):
    a, b = officers
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    breach = credit.record_breach(session, a, credit.BreachInput(supplier.id, kind, date(2026, 5, 20), "连续三周未配送",
                                                                 ("记录.pdf", b"%PDF-1.4"), None), NOW)
    credit.decide_breach(session, a, breach.id, True, "证据确凿", NOW + timedelta(days=11))
    rating = credit.propose_rating(session, a, supplier.id, at)
    return credit.decide_rating(session, b, rating.id, True, "", at + timedelta(hours=1))


def _officers(session, world):
    user = accounts.create_user(session, None, username="a_officer_2", display_name="复核", password=PASSWORD,
                                role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    return world.actors[("A", Role.PRICE_OFFICER)], accounts.actor_for(session, user)


def test_a_suspension_rating_suspends_the_listing_in_its_region_until_it_expires(session, world):
    product = _listed(session, world)
    assert queries.is_orderable(session, product.id, "370100", date(2026, 6, 10))
    rating = _rated(session, world, _officers(session, world))  # serious → suspension (default), 365 days
    assert rating.consequence == "suspension"
    day = rating.valid_from
    assert not queries.is_orderable(session, product.id, "370100", day)  # a hospital of the rating's province
    why = queries.order_refusal(session, product.id, "370100", day)
    assert rating.reference in str(why) and rating.valid_until.isoformat() in str(why)
    assert queries.is_orderable(session, product.id, "320100", day)  # outside the rating's region
    assert queries.is_orderable(session, product.id, "370100", day - timedelta(days=1))  # before it: history
    assert queries.is_orderable(session, product.id, "370100", rating.valid_until + timedelta(days=1))  # expired
    (row,) = queries.suspension_history(session, product, day)
    assert (row.rating.id, row.last_day, row.in_force) == (rating.id, rating.valid_until, True)
    notice = session.exec(select(Notification).where(Notification.kind == "credit_listings_suspended")).one()
    assert notice.org_id == product.supplier_org_id and rating.reference in str(notice.text)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "credit.rating_publish")).one()
    assert json.loads(entry.detail)["listings_suspended"] == [product.code]


def test_repair_lifts_the_suspension_from_that_day_and_the_history_stays(session, world):
    product = _listed(session, world)
    rating = _rated(session, world, _officers(session, world))
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    repair = credit.apply_repair(session, supplier, rating.id, "承诺按合同足量供应", NOW + timedelta(days=20))
    granted = NOW + timedelta(days=12 + 90)
    credit.decide_repair(session, world.actors[("A", Role.PRICE_OFFICER)], repair.id, True, "整改到位", granted)
    repaired_on = granted.date()
    assert not queries.is_orderable(session, product.id, "370100", repaired_on - timedelta(days=1))
    assert queries.is_orderable(session, product.id, "370100", repaired_on)
    (row,) = queries.suspension_history(session, product, repaired_on)
    assert (row.rating.status, row.last_day, row.in_force) == ("repaired", repaired_on - timedelta(days=1), False)


def test_a_warning_does_not_suspend_and_an_unlisted_product_is_not_orderable(session, world):
    product = _listed(session, world)
    rating = _rated(session, world, _officers(session, world), kind="kickback")  # medium → warning
    assert rating.consequence == "warning"
    assert queries.is_orderable(session, product.id, "370100", rating.valid_from)
    pending = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)],
                             product_input(code="XL02BBA326A001010102181"), NOW)
    assert "not listed" in str(queries.order_refusal(session, pending.id, "370100", date(2026, 6, 2)))


def test_a_rating_confirmed_in_the_beijing_morning_holds_from_the_beijing_day(session, world):
    """17:30 UTC on 30 June is 01:30 on 1 July in Beijing: the rating's first day is 1 July."""
    product = _listed(session, world)
    rating = _rated(session, world, _officers(session, world), at=datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
    assert rating.valid_from == date(2026, 7, 1)
    assert queries.is_orderable(session, product.id, "370100", date(2026, 6, 30))
    assert not queries.is_orderable(session, product.id, "370100", date(2026, 7, 1))
