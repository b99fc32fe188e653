"""Concurrent writers (SQLite and PostgreSQL): order numbers never collide, two acceptances of the
same shipped packs accept them once, two shipments never ship more than confirmed."""

from __future__ import annotations

from sqlmodel import select

from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import OrderAcceptance, OrderLine, PurchaseOrder, ShipmentLine
from orders.rules import OrderRefused
from orders.services import LineInput, OrderInput, place_orders
from tests.conftest import run_together
from tests.orders.conftest import NOW, VBP_CODE


def _order(session, shop, packs=4):
    order = place_orders(session, shop.hospital, [OrderInput("A-distributor", [LineInput(VBP_CODE, packs)])], NOW,
                         send=True).orders[0]
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    decide_lines(session, shop.distributor, order.id, [(line.id, True, "")], NOW)
    return order.id, line.id


def test_orders_placed_at_once_get_distinct_numbers(db, session, shop):
    session.commit()

    def place(i, start):
        with db.write_session() as s:
            start()
            return place_orders(s, shop.hospital, [OrderInput("A-distributor", [LineInput(VBP_CODE, i + 1)])],
                                NOW).orders[0].number

    assert sorted(run_together(4, place)) == [1, 2, 3, 4]
    assert len(session.exec(select(PurchaseOrder)).all()) == 4


def test_two_shipments_at_once_never_ship_more_than_confirmed(db, session, shop):
    order_id, line_id = _order(session, shop)
    session.commit()

    def send(i, start):
        with db.write_session() as s:
            start()
            try:
                return ship(s, shop.distributor, order_id, [ShipInput(line_id, 3, f"L{i}", "2099-01-01")], NOW).id
            except OrderRefused as exc:
                return str(exc)

    results = run_together(2, send)
    assert sorted(type(r).__name__ for r in results) == ["int", "str"]
    assert [sl.quantity for sl in session.exec(select(ShipmentLine)).all()] == [3]


def test_two_acceptances_at_once_accept_the_packs_once(db, session, shop):
    order_id, line_id = _order(session, shop)
    ship(session, shop.distributor, order_id, [ShipInput(line_id, 4, "L1", "2099-01-01")], NOW)
    sline_id = session.exec(select(ShipmentLine.id)).one()
    session.commit()

    def accept(i, start):
        with db.write_session() as s:
            start()
            try:
                return answer_shipment_line(s, shop.hospital, sline_id, 3, True, "", NOW).id
            except OrderRefused as exc:
                return str(exc)

    results = run_together(2, accept)
    assert sorted(type(r).__name__ for r in results) == ["int", "str"]
    assert [a.quantity for a in session.exec(select(OrderAcceptance)).all()] == [3]
