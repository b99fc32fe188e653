"""Listing use cases: submit, approve or reject, price changes with history, the price in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import Role
from core.audit import AuditEntry
from listing import queries
from listing.models import ListedPrice, ListedProduct
from listing.services import (
    ListingRefused,
    decide_listing,
    decide_price_change,
    request_price_change,
    submit_listing,
    submit_listings,
)
from notices.models import Notification
from procurement import services as procurement
from tests.conftest import aware
from tests.listing.conftest import CONSUMABLE, product_input

NOW = aware(2026, 12, 1, 2)  # 10:00 in Shanghai, 2026-12-01


def _listed(session, world, item=None):
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], item or product_input(), NOW)
    return decide_listing(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", NOW)


def test_a_submitted_product_waits_for_the_officer_and_tells_them(session, world, item):
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], item, NOW)
    assert (product.status, product.kind, product.price_e4, product.region_code) == ("pending", "drug", 1234567, "370000")
    assert queries.price_in_force(session, product.id, date(2026, 12, 1)) is None
    notes = session.exec(select(Notification)).all()
    assert [(n.org_id, n.role) for n in notes] == [(world.orgs[("A", "bureau")].id, "price_officer")]


def test_approval_puts_the_price_in_force_from_that_day(session, world):
    product = _listed(session, world)
    assert product.status == "listed"
    assert queries.price_in_force(session, product.id, date(2026, 12, 1)).price_e4 == 1234567
    assert queries.price_in_force(session, product.id, date(2026, 11, 30)) is None
    assert [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()][-2:] == [
        "listing.submit", "listing.approve"]


def test_rejection_needs_a_reason_and_the_supplier_may_resubmit(session, world, item):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], item, NOW)
    with pytest.raises(ListingRefused, match="say why"):
        decide_listing(session, officer, product.id, False, " ", NOW)
    decide_listing(session, officer, product.id, False, "说明书缺失", NOW)
    again = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], product_input(price="100"), NOW)
    assert (again.id, again.status, again.price_e4) == (product.id, "pending", 1000000)


def test_only_the_province_s_price_officer_decides(session, world, item):
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], item, NOW)
    with pytest.raises(ListingRefused, match="no such product"):
        decide_listing(session, world.actors[("B", Role.PRICE_OFFICER)], product.id, True, "", NOW)
    with pytest.raises(Forbidden):
        decide_listing(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], product.id, True, "", NOW)
    with pytest.raises(Forbidden):
        submit_listing(session, world.actors[("A", Role.HOSPITAL_BUYER)], product_input(code=CONSUMABLE), NOW)


def test_a_price_change_has_a_reason_an_approval_and_leaves_the_past_alone(session, world):
    product = _listed(session, world)
    supplier, officer = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.PRICE_OFFICER)]
    with pytest.raises(ListingRefused, match="reason"):
        request_price_change(session, supplier, product.id, "99", date(2026, 12, 10), "", NOW)
    with pytest.raises(ListingRefused, match="in the past"):
        request_price_change(session, supplier, product.id, "99", date(2026, 11, 30), "原料降价", NOW)
    with pytest.raises(ListingRefused, match="already"):
        request_price_change(session, supplier, product.id, "123.4567", date(2026, 12, 10), "原料降价", NOW)
    request_price_change(session, supplier, product.id, "99.5", date(2026, 12, 10), "原料降价", NOW)
    with pytest.raises(ListingRefused, match="already waiting"):
        request_price_change(session, supplier, product.id, "98", date(2026, 12, 11), "再降", NOW)
    assert queries.price_in_force(session, product.id, date(2026, 12, 10)).price_e4 == 1234567  # not yet approved
    decide_price_change(session, officer, product.id, True, "", NOW + timedelta(days=12))  # decided on the 13th
    assert queries.price_in_force(session, product.id, date(2026, 12, 12)).price_e4 == 1234567
    assert queries.price_in_force(session, product.id, date(2026, 12, 13)).price_e4 == 995000
    history = queries.prices(session, product.id)
    assert [(p.price_e4, p.status, p.effective_on) for p in history] == [
        (995000, "approved", date(2026, 12, 13)), (1234567, "approved", date(2026, 12, 1))]


def test_a_rejected_price_change_changes_nothing(session, world):
    product = _listed(session, world)
    request_price_change(session, world.actors[("A", Role.SUPPLIER_REP)], product.id, "150", None, "成本上涨", NOW)
    decide_price_change(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, False, "涨幅过大", NOW)
    assert queries.price_in_force(session, product.id, date(2027, 1, 1)).price_e4 == 1234567
    assert session.exec(select(ListedPrice.status).order_by(ListedPrice.id)).all() == ["approved", "rejected"]


@pytest.mark.parametrize(("changes", "field", "why"), [
    ({"code": "XL02BBA326A00101010218"}, "code", "22 characters"),
    ({"generic_name": " "}, "generic_name", "required"),
    ({"price": "1.23456"}, "price", "4 decimals"),
    ({"price": "0"}, "price", "more than 0"),
    ({"price": "1e309"}, "price", "4 decimals"),
    ({"vbp_status": "maybe"}, "vbp_status", "selected, non_selected or not_vbp"),
    ({"vbp_status": "selected"}, "vbp_batch_code", "name the VBP batch"),
    ({"vbp_status": "selected", "vbp_batch_code": "NOPE"}, "vbp_batch_code", "no such batch: NOPE"),
    ({"vbp_batch_code": "GY-2026-01"}, "vbp_batch_code", "names no batch"),
])
def test_bad_input_is_refused_naming_the_field(session, world, changes, field, why):
    with pytest.raises(ListingRefused) as refused:
        submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], product_input(**changes), NOW)
    assert refused.value.field == field and why in str(refused.value)
    assert session.exec(select(ListedProduct)).all() == []


def test_a_selected_product_names_an_existing_batch(session, world):
    procurement.create_batch(session, world.actors[("A", Role.PRICE_OFFICER)], code="GY-2026-01", name="第一批")
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)],
                             product_input(vbp_status="selected", vbp_batch_code="GY-2026-01"), NOW)
    assert (product.vbp_status, product.vbp_batch_code) == ("selected", "GY-2026-01")


def test_many_products_are_listed_all_or_nothing(session, world):
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    good = product_input(code=CONSUMABLE, generic_name="冠脉支架")
    products, problems = submit_listings(session, supplier, [good, product_input(price="-1"), good], NOW)
    assert products == []
    assert [(n, f) for n, f, _why in problems] == [(1, "price"), (2, "code")]
    assert session.exec(select(ListedProduct)).all() == []
    products, problems = submit_listings(session, supplier, [good, product_input()], NOW)
    assert (len(products), problems) == (2, [])


def test_a_code_listed_by_another_supplier_is_refused(session, world):
    _listed(session, world)
    with pytest.raises(ListingRefused, match="already listed"):
        submit_listing(session, world.actors[("B", Role.SUPPLIER_REP)], product_input(), NOW)


def test_who_sees_which_product(session, world):
    pending = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], product_input(code=CONSUMABLE), NOW)
    listed = _listed(session, world)
    assert queries.product(session, world.actors[("A", Role.HOSPITAL_BUYER)], listed.id) is not None
    assert queries.product(session, world.actors[("A", Role.HOSPITAL_BUYER)], pending.id) is None
    assert queries.product(session, world.actors[("B", Role.HOSPITAL_BUYER)], listed.id) is None
    assert queries.product(session, world.actors[("B", Role.SUPPLIER_REP)], listed.id) is None
    assert queries.product(session, world.actors[("B", Role.PRICE_OFFICER)], listed.id) is None
    assert queries.product(session, world.actors[("A", Role.PRICE_OFFICER)], pending.id) is not None


def test_the_list_shows_the_price_in_force_on_the_day_asked(session, world):
    from listing.lists import product_page

    product = _listed(session, world)
    request_price_change(session, world.actors[("A", Role.SUPPLIER_REP)], product.id, "99", date(2026, 12, 20),
                         "原料降价", NOW)
    decide_price_change(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", NOW)
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    assert [r[2] for r in product_page(session, hospital, on=date(2026, 12, 19)).rows] == [1234567]
    assert [r[2] for r in product_page(session, hospital, on=date(2026, 12, 20)).rows] == [990000]
    pending = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], product_input(code=CONSUMABLE), NOW)
    rows = product_page(session, world.actors[("A", Role.PRICE_OFFICER)], on=date(2026, 12, 20)).rows
    assert [(r[0].id, r[2]) for r in rows] == [(pending.id, None), (product.id, 990000)]  # waiting first
