"""Self-payment fixtures: province A's hospital orders the VBP and the plain product, the
distributor ships them and the hospital accepts — all through the real services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import OrderAcceptance, OrderLine, ShipmentLine
from orders.services import LineInput, OrderInput, place_orders
from tests.orders.conftest import NOW, Shop, listed

__all__ = ["NOW", "Accepted", "accepted", "accept_all"]


@dataclass
class Accepted:
    """The shop and its two accepted rows: the VBP one (settled by the fund) and the plain one."""

    shop: Shop
    vbp: OrderAcceptance
    plain: OrderAcceptance


def accept_all(session, shop: Shop, now, plain=4, vbp=10, side="A") -> Accepted:
    """Order, confirm, ship and accept both products of ``side`` at ``now``."""
    order = place_orders(session, shop.hospital, [OrderInput(f"{side}-distributor", [
        LineInput(shop.vbp.code, vbp), LineInput(shop.plain.code, plain)])], now, send=True).orders[0]
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    decide_lines(session, shop.distributor, order.id, [(ln.id, True, "") for ln in lines], now)
    ship(session, shop.distributor, order.id, [ShipInput(ln.id, ln.quantity, "L1", "2029-01-01") for ln in lines], now)
    rows = []
    for ln in lines:
        sline = session.exec(select(ShipmentLine).where(ShipmentLine.order_line_id == ln.id)).one()
        rows.append(answer_shipment_line(session, shop.hospital, sline.id, ln.quantity, True, "", now))
    return Accepted(shop, rows[0], rows[1])


@pytest.fixture
def accepted(session, world) -> Accepted:
    """Province A's hospital has accepted both products on NOW."""
    return accept_all(session, listed(session, world), NOW)
