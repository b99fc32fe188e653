"""Hospitals of province A buying a listed product through the real order services — order,
confirmation, shipment with a lot, acceptance — what the ``order`` source of a monitoring run
reads; and the listed price moved by the supplier's request and the officer's approval."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from accounts import services as accounts
from accounts.actor import Actor
from accounts.roles import OrgKind, Role
from listing.distribution import decide_relation, name_distributor
from listing.models import ListedProduct
from listing.services import (
    decide_listing,
    decide_price_change,
    request_price_change,
    submit_listing,
)
from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import OrderAcceptance, OrderLine, ShipmentLine
from orders.services import LineInput, OrderInput, place_orders
from tests.cycles.story import acting
from tests.listing.conftest import product_input

PLAIN = "XL02BBA326A001010102190"  # 比卡鲁胺片, not in VBP: no standard, no selected price


def distributing(session, world, at: datetime) -> None:
    """Province A's supplier names its distributor for the city of 370100, who confirms."""
    relation = name_distributor(session, world.actors[("A", Role.SUPPLIER_REP)], "A-distributor", "370100", at)
    decide_relation(session, world.actors[("A", Role.DISTRIBUTOR_REP)], relation.id, True, "", at)


def list_plain(session, world, price: str, at: datetime, code: str = PLAIN) -> ListedProduct:
    """A-supplier lists a drug not in VBP at ``price`` yuan per pack, approved."""
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)],
                             product_input(code=code, price=price), at)
    return decide_listing(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", at)


def reprice(session, world, product: ListedProduct, price: str, at: datetime) -> None:
    """The supplier's new price from today, approved by the officer."""
    request_price_change(session, world.actors[("A", Role.SUPPLIER_REP)], product.id, price, None, "成本变化", at)
    decide_price_change(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", at)


def hospital(session, world, code: str, name: str) -> Actor:
    """A new hospital of 370100 and its buyer."""
    org = accounts.create_organisation(session, None, code=code, name=name, kind=OrgKind.HOSPITAL,
                                       region_code="370100")
    return acting(world, Role.HOSPITAL_BUYER, org)


def ordered(session, buyer: Actor, product: ListedProduct, packs: int, at: datetime) -> OrderLine:
    """The hospital sends an order of ``packs`` of the product (at the price in force)."""
    order = place_orders(session, buyer, [OrderInput("A-distributor", [LineInput(product.code, packs)])], at,
                         send=True).orders[0]
    return session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()


def received(session, world, buyer: Actor, line: OrderLine, at: datetime) -> OrderAcceptance:
    """The distributor confirms and ships the whole line; the hospital accepts it the same day."""
    distributor = world.actors[("A", Role.DISTRIBUTOR_REP)]
    decide_lines(session, distributor, line.order_id, [(line.id, True, "")], at)
    shipment = ship(session, distributor, line.order_id, [ShipInput(line.id, line.quantity, "LOT-1",
                                                                    date(2030, 12, 31))], at)
    sline = session.exec(select(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id)).one()
    return answer_shipment_line(session, buyer, sline.id, line.quantity, True, "", at)


def peer_lines(session, world, listed_at: datetime, with_ibuprofen: str | None = None) -> int | None:
    """Four new hospitals of 370100 buy one plain product through real orders, ordered in March
    2024 as its price went from ¥100 to ¥200 (the fourth after the change), all received on
    2024-04-05 — in April the fourth pays twice its peers' median. With ``with_ibuprofen`` (a
    listed product's code), province A's hospital also orders 3 packs of it on 2024-03-04; the
    id of that order (else None)."""
    from tests.conftest import aware

    distributing(session, world, listed_at)
    product = list_plain(session, world, "100", listed_at)
    buyers = [hospital(session, world, f"PEER{n}", f"济南第{n + 1}医院") for n in range(4)]
    lines = [ordered(session, b, product, 10, aware(2024, 3, 2, 2)) for b in buyers[:3]]
    reprice(session, world, product, "200", aware(2024, 3, 3, 2))
    lines.append(ordered(session, buyers[3], product, 10, aware(2024, 3, 3, 2)))
    for buyer, line in zip(buyers, lines, strict=True):
        received(session, world, buyer, line, aware(2024, 4, 5, 2))
    order_id = None
    if with_ibuprofen is not None:
        other = session.exec(select(ListedProduct).where(ListedProduct.code == with_ibuprofen)).one()
        order_id = ordered(session, world.actors[("A", Role.HOSPITAL_BUYER)], other, 3, aware(2024, 3, 4, 2)).order_id
    session.commit()
    return order_id
