"""After sending: the distributor confirms or refuses lines, ships with lots and expiry, the
hospital accepts (never more than shipped) or rejects with a reason; accepted rows carry exact fen."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import Role
from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import OrderAcceptance, OrderLine, ShipmentLine
from orders.queries import order_view, trace_rows
from orders.rules import OrderRefused
from orders.services import LineInput, OrderInput, place_orders
from tests.orders.conftest import NOW, PLAIN_CODE, VBP_CODE

LATER = NOW + timedelta(days=1)


def _sent(session, shop, vbp=10, plain=4):
    order = place_orders(session, shop.hospital, [OrderInput("A-distributor", [
        LineInput(VBP_CODE, vbp), LineInput(PLAIN_CODE, plain)])], NOW, send=True).orders[0]
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    return order, lines


def test_the_distributor_confirms_one_line_and_refuses_the_other_with_a_reason(session, shop):
    order, (a, b) = _sent(session, shop)
    with pytest.raises(OrderRefused, match="line 2: say why you refuse it"):
        decide_lines(session, shop.distributor, order.id, [(a.id, True, ""), (b.id, False, "")], NOW)
    assert a.status == "pending"  # all or nothing
    decide_lines(session, shop.distributor, order.id, [(a.id, True, ""), (b.id, False, "缺货")], NOW)
    assert (a.status, b.status, b.decision_note) == ("confirmed", "refused", "缺货")
    with pytest.raises(OrderRefused, match="already decided"):
        decide_lines(session, shop.distributor, order.id, [(a.id, False, "改主意")], NOW)


def test_only_the_orders_distributor_decides(session, world, shop):
    order, (a, _b) = _sent(session, shop)
    with pytest.raises(OrderRefused, match="no such order"):
        decide_lines(session, world.actors[("B", Role.DISTRIBUTOR_REP)], order.id, [(a.id, True, "")], NOW)
    with pytest.raises(Forbidden):
        decide_lines(session, shop.hospital, order.id, [(a.id, True, "")], NOW)


def test_shipping_in_parts_with_lots_and_never_more_than_confirmed(session, shop):
    order, (a, b) = _sent(session, shop)
    with pytest.raises(OrderRefused, match="not confirmed"):
        ship(session, shop.distributor, order.id, [ShipInput(a.id, 1, "L1", "2028-01-01")], NOW)
    decide_lines(session, shop.distributor, order.id, [(a.id, True, ""), (b.id, True, "")], NOW)
    with pytest.raises(OrderRefused) as refused:
        ship(session, shop.distributor, order.id, [ShipInput(a.id, 11, "", "2026-12-01"),
                                                   ShipInput(b.id, 0, "L2", "soon")], NOW)
    assert [f for _k, f, _m in refused.value.problems] == [
        "lines[0].quantity", "lines[0].lot_no", "lines[0].expiry_on", "lines[1].quantity", "lines[1].expiry_on"]
    assert refused.value.problems[3][2].english().startswith("line 2: the quantity must be")
    assert "must be after the ship date 2026-12-01" in refused.value.problems[2][2].english()
    first = ship(session, shop.distributor, order.id, [ShipInput(a.id, 6, "L1", "2028-01-01"),
                                                       ShipInput(b.id, 4, "L2", date(2027, 6, 30))], NOW)
    second = ship(session, shop.distributor, order.id, [ShipInput(a.id, "4", "L3", "2028-02-01")], LATER)
    assert (first.number, second.number, a.shipped, b.shipped) == (1, 2, 10, 4)
    with pytest.raises(OrderRefused, match="exceed the 0 still to ship"):
        ship(session, shop.distributor, order.id, [ShipInput(a.id, 1, "L3", "2028-02-01")], LATER)


def _shipped(session, shop):
    order, (a, b) = _sent(session, shop, vbp=3)
    decide_lines(session, shop.distributor, order.id, [(a.id, True, ""), (b.id, True, "")], NOW)
    ship(session, shop.distributor, order.id, [ShipInput(a.id, 3, "LOT-A", "2028-01-01"),
                                               ShipInput(b.id, 4, "LOT-B", "2028-01-01")], NOW)
    slines = session.exec(select(ShipmentLine).order_by(ShipmentLine.id)).all()
    return order, a, b, slines


def test_acceptance_is_price_times_packs_in_fen_and_never_over_shipped(session, shop):
    order, a, _b, (sa, sb) = _shipped(session, shop)
    with pytest.raises(OrderRefused, match="exceed the 3 shipped"):
        answer_shipment_line(session, shop.hospital, sa.id, 4, True, "", LATER)
    first = answer_shipment_line(session, shop.hospital, sa.id, 1, True, "", LATER)
    second = answer_shipment_line(session, shop.hospital, sa.id, 2, True, "", LATER)
    assert (first.amount_fen, second.amount_fen) == (1235, 2469)  # ¥12.3456 → ¥12.35; ¥24.6912 → ¥24.69
    assert (first.vbp_batch_code, first.month, a.accepted) == ("VBPA", "2026-12", 3)
    with pytest.raises(OrderRefused, match="exceed the 0 shipped"):
        answer_shipment_line(session, shop.hospital, sa.id, 1, True, "", LATER)
    with pytest.raises(OrderRefused, match="say why you reject"):
        answer_shipment_line(session, shop.hospital, sb.id, 1, False, "", LATER)
    rejected = answer_shipment_line(session, shop.hospital, sb.id, 1, False, "外包装破损", LATER)
    accepted = answer_shipment_line(session, shop.hospital, sb.id, 3, True, "", LATER)
    assert (rejected.amount_fen, rejected.kind, accepted.amount_fen, accepted.vbp_batch_code) == (
        0, "rejected", 30003, None)  # 3 × ¥100.01
    with pytest.raises(OrderRefused, match="exceed the 0"):  # rejected packs are not accepted later
        answer_shipment_line(session, shop.hospital, sb.id, 1, True, "", LATER)
    view = order_view(session, shop.hospital, order.id)
    assert view.accepted_fen == 1235 + 2469 + 30003
    total = sum(r.amount_fen for r in session.exec(select(OrderAcceptance)).all())
    assert total == view.accepted_fen


def test_only_the_receiving_hospital_accepts(session, world, shop):
    _order, _a, _b, (sa, _sb) = _shipped(session, shop)
    with pytest.raises(OrderRefused, match="no such shipment line"):
        answer_shipment_line(session, world.actors[("B", Role.HOSPITAL_BUYER)], sa.id, 1, True, "", LATER)
    with pytest.raises(Forbidden):
        answer_shipment_line(session, shop.distributor, sa.id, 1, True, "", LATER)


def test_trace_answers_which_hospitals_received_a_lot(session, world, shop):
    _shipped(session, shop)
    rows = trace_rows(session, shop.officer, VBP_CODE, "LOT-A")
    assert [(r[0].quantity, r[3]) for r in rows] == [(3, "A hospital")]
    assert trace_rows(session, shop.supplier, VBP_CODE, "LOT-A") != []
    assert trace_rows(session, shop.officer, VBP_CODE, "LOT-B") == []
    assert trace_rows(session, world.actors[("B", Role.PRICE_OFFICER)], VBP_CODE, "LOT-A") == []


def test_each_party_sees_what_is_its_own(session, world, shop):
    order, *_ = _shipped(session, shop)
    for actor in (shop.hospital, shop.distributor, shop.supplier, shop.officer):
        view = order_view(session, actor, order.id)
        assert view is not None and len(view.lines) == 2 and len(view.shipments) == 1
    for role in (Role.HOSPITAL_BUYER, Role.DISTRIBUTOR_REP, Role.SUPPLIER_REP, Role.PRICE_OFFICER):
        assert order_view(session, world.actors[("B", role)], order.id) is None


def test_a_draft_is_the_hospitals_alone(session, shop):
    order = place_orders(session, shop.hospital, [OrderInput("A-distributor", [LineInput(VBP_CODE, 1)])],
                         NOW).orders[0]
    assert order_view(session, shop.hospital, order.id) is not None
    for actor in (shop.distributor, shop.supplier, shop.officer):
        assert order_view(session, actor, order.id) is None


def test_a_shipment_line_is_answered_only_under_its_own_order(session, shop):
    _order, _a, _b, (sa, _sb) = _shipped(session, shop)
    other = place_orders(session, shop.hospital, [OrderInput("A-distributor", [LineInput(VBP_CODE, 1)])],
                         NOW).orders[0]
    with pytest.raises(OrderRefused, match="no such shipment line"):
        answer_shipment_line(session, shop.hospital, sa.id, 1, True, "", LATER, order_id=other.id)
