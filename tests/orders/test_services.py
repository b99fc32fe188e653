"""Ordering: a hospital places orders of listed products through a distributor with a confirmed
relation, at the price in force; every refusal names its line and reason; nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from accounts.actor import Forbidden
from accounts.roles import Role
from listing.services import decide_price_change, request_price_change
from orders.models import OrderLine, PurchaseOrder
from orders.rules import OrderRefused
from orders.services import LineInput, OrderInput, place_orders, send_order, withdraw_order
from tests.orders.conftest import NOW, PLAIN_CODE, VBP_CODE


def _order(*lines, distributor="A-distributor"):
    return OrderInput(distributor, [LineInput(*line) for line in lines])


def _count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_an_order_takes_the_price_in_force_and_numbers_follow_per_hospital(session, shop):
    placed = place_orders(session, shop.hospital, [_order((VBP_CODE, "3"), (PLAIN_CODE, 2, "100.01"))], NOW)
    order = placed.orders[0]
    assert (order.number, order.status, placed.lines) == (1, "draft", 2)
    lines = session.exec(select(OrderLine).order_by(OrderLine.line_no)).all()
    assert [(ln.quantity, ln.price_e4, ln.amount_fen, ln.status) for ln in lines] == [
        (3, 123456, 3704, "draft"), (2, 1000100, 20002, "draft")]  # 3 × ¥12.3456 = ¥37.0368 → ¥37.04
    again = place_orders(session, shop.hospital, [_order((PLAIN_CODE, "1")), _order((VBP_CODE, "1"))], NOW, send=True)
    assert [o.number for o in again.orders] == [2, 3]
    assert {o.status for o in again.orders} == {"sent"}


def test_every_fault_is_named_and_nothing_is_written(session, shop):
    with pytest.raises(OrderRefused) as refused:
        place_orders(session, shop.hospital, [_order((VBP_CODE, "0"), (PLAIN_CODE, "2", "99.00"),
                                                     (PLAIN_CODE, "1"), ("XL02BBA326A001010109999", "1"))], NOW)
    found = [(line, field) for line, field, _msg in refused.value.problems]
    assert found == [(0, "quantity"), (1, "price"), (2, "product"), (3, "product")]
    reasons = [msg.english() for _l, _f, msg in refused.value.problems]
    assert "not the price in force ¥100.0100" in reasons[1]
    assert "already on this order" in reasons[2] and "not listed" in reasons[3]
    assert str(refused.value.msg.english()).startswith("line 1: the quantity must be")
    assert _count(session, PurchaseOrder) == _count(session, OrderLine) == 0


@pytest.mark.parametrize("quantity", ["-2", "1.5", "abc", "", True])
def test_quantities_are_whole_packs_above_zero(session, shop, quantity):
    with pytest.raises(OrderRefused, match="whole number of packs"):
        place_orders(session, shop.hospital, [_order((VBP_CODE, quantity))], NOW)


def test_full_width_digits_and_thousands_are_read(session, shop):
    place_orders(session, shop.hospital, [_order((VBP_CODE, "１,２００"))], NOW)
    assert session.exec(select(OrderLine.quantity)).one() == 1200


def test_a_distributor_without_a_relation_in_the_region_is_refused(session, world, shop):
    with pytest.raises(OrderRefused) as refused:
        place_orders(session, shop.hospital, [_order((VBP_CODE, "1"), distributor="B-distributor")], NOW)
    assert "no confirmed distribution relation" in refused.value.problems[0][2].english()
    with pytest.raises(OrderRefused, match="no such distributor"):
        place_orders(session, shop.hospital, [_order((VBP_CODE, "1"), distributor="A-hospital")], NOW)


def test_an_unapproved_or_foreign_product_is_not_orderable(session, world, shop):
    from listing.services import ProductInput, submit_listing
    submit_listing(session, shop.supplier, ProductInput("C03010105500103209440000001", "支架", "钴铬合金", "3.0mm",
                                                        "1个/盒", "示例", "5600", "not_vbp"), NOW)
    with pytest.raises(OrderRefused, match="not listed"):
        place_orders(session, shop.hospital, [_order(("C03010105500103209440000001", "1"))], NOW)
    with pytest.raises(OrderRefused, match="not listed"):  # province B's hospital: another platform
        place_orders(session, world.actors[("B", Role.HOSPITAL_BUYER)], [_order((VBP_CODE, "1"))], NOW)


def test_only_a_hospital_orders(session, shop):
    with pytest.raises(Forbidden):
        place_orders(session, shop.supplier, [_order((VBP_CODE, "1"))], NOW)


def test_a_draft_is_sent_at_the_price_of_the_send_day_or_refused(session, shop):
    order = place_orders(session, shop.hospital, [_order((PLAIN_CODE, "1"))], NOW).orders[0]
    change = request_price_change(session, shop.supplier, shop.plain.id, "90.00", NOW.date() + timedelta(days=2),
                                  "降价", NOW)
    decide_price_change(session, shop.officer, shop.plain.id, True, "", NOW)
    assert change.status == "approved"
    later = NOW + timedelta(days=3)
    with pytest.raises(OrderRefused, match="not the price in force ¥90.0000"):
        send_order(session, shop.hospital, order.id, later)
    sent = send_order(session, shop.hospital, order.id, NOW + timedelta(hours=1))
    assert (sent.status, sent.order_date) == ("sent", NOW.date())
    with pytest.raises(OrderRefused, match="only a draft"):
        send_order(session, shop.hospital, order.id, NOW)


def test_a_draft_is_withdrawn_with_a_reason_and_kept(session, shop):
    order = place_orders(session, shop.hospital, [_order((PLAIN_CODE, "1"))], NOW).orders[0]
    with pytest.raises(OrderRefused, match="say why"):
        withdraw_order(session, shop.hospital, order.id, " ", NOW)
    withdraw_order(session, shop.hospital, order.id, "数量填错", NOW)
    assert (order.status, order.withdrawn_reason) == ("withdrawn", "数量填错")
    assert session.exec(select(OrderLine.status)).one() == "withdrawn"


def test_a_supplier_suspended_by_a_credit_rating_is_not_ordered_from(session, world, shop):
    from accounts import services as accounts
    from accounts.roles import OrgKind
    from tests.conftest import PASSWORD
    from tests.credit.test_services import _confirmed, _published

    second = accounts.create_user(session, None, username="a_officer_2", display_name="复核", password=PASSWORD,
                                  role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    officers = (shop.officer, accounts.actor_for(session, second))
    _confirmed(session, world, shop.officer, now=NOW - timedelta(days=30))
    rating = _published(session, world, officers, at=NOW - timedelta(days=15))
    assert rating.consequence in ("suspension", "exclusion")
    with pytest.raises(OrderRefused) as refused:
        place_orders(session, shop.hospital, [_order((VBP_CODE, "1"))], NOW)
    assert f"suspended by credit rating {rating.reference}" in refused.value.problems[0][2].english()
