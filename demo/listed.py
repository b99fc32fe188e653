"""The demo's listed products (挂网), made through the listing services: two listed (one a
non-selected product of the demo batch's generic, one not in VBP) with a price change waiting,
and one listing waiting for the price officer, then a fourth listed product selected in the demo
batch; the demo distributor confirmed for the demo supplier in the first city, and named (waiting)
for the second. Then the demo hospital's orders (采购订单): one through to acceptance — the
selected and the not-VBP product, confirmed, shipped with lots, accepted — and one sent, waiting
for the distributor."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from demo.pipeline import officer
from listing.distribution import decide_relation, name_distributor
from listing.services import (
    ProductInput,
    decide_listing,
    local_date,
    request_price_change,
    submit_listing,
)
from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import OrderLine, ShipmentLine
from orders.services import LineInput, OrderInput, place_orders

PRODUCTS = (
    ProductInput("XC10AAA001A001010100001", "阿托伐他汀钙片", "片剂", "20mg", "7片/盒", "鲁南示例制药股份有限公司",
                 "12.6000", "non_selected"),
    ProductInput("XL02BBA326A001010102180", "比卡鲁胺片", "片剂", "50mg", "28片/盒", "齐鲁示例制药有限公司",
                 "123.4567", "not_vbp"),
    ProductInput("C03010105500103209440000001", "药物洗脱冠脉支架", "钴铬合金", "3.0×18mm", "1个/盒",
                 "威高示例医疗器械有限公司", "5600", "not_vbp"),
    ProductInput("XC08CAA010A001010100001", "苯磺酸氨氯地平片", "片剂", "5mg", "28片/盒", "华润示例制药有限公司",
                 "4.2000", "selected"),
)
SELECTED, NOT_VBP = PRODUCTS[3].code, PRODUCTS[1].code


def list_demo_products(session: Session, batch_code: str, now: datetime, cities: tuple[str, str] = ()) -> int:
    """List the demo products as the demo supplier; the officer approves the first two; a price
    change of the second waits. Returns how many were submitted."""
    supplier, price_officer = officer(session, "supplier"), officer(session)
    for n, item in enumerate(PRODUCTS):
        if item.vbp_status != "not_vbp":
            item = ProductInput(**{**item.__dict__, "vbp_batch_code": batch_code})
        product = submit_listing(session, supplier, item, now)
        if n != 2:
            decide_listing(session, price_officer, product.id, True, "", now)
        if n == 1:
            request_price_change(session, supplier, product.id, "118.0000", None, "原料药采购成本下降", now)
    if cities:
        distributor = officer(session, "distributor")
        first = name_distributor(session, supplier, "D0001", cities[0], now)
        decide_relation(session, distributor, first.id, True, "", now)
        name_distributor(session, supplier, "D0001", cities[1], now)
        demo_orders(session, now)
    return len(PRODUCTS)


def demo_orders(session: Session, now: datetime) -> None:
    """The demo hospital orders the selected and the not-VBP product through the demo distributor:
    the order is confirmed, shipped with lots and accepted; a second order waits for the distributor."""
    hospital, distributor = officer(session, "hospital"), officer(session, "distributor")
    first = place_orders(session, hospital, [OrderInput("D0001", [LineInput(SELECTED, 20), LineInput(NOT_VBP, 3)])],
                         now, send=True).orders[0]
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == first.id).order_by(OrderLine.line_no)).all()
    decide_lines(session, distributor, first.id, [(ln.id, True, "") for ln in lines], now)
    expiry = local_date(now) + timedelta(days=730)
    shipment = ship(session, distributor, first.id, [ShipInput(ln.id, ln.quantity, f"DEMO-{ln.line_no:02d}", expiry)
                                                     for ln in lines], now)
    for sline in session.exec(select(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id)).all():
        answer_shipment_line(session, hospital, sline.id, sline.quantity, True, "", now)
    place_orders(session, hospital, [OrderInput("D0001", [LineInput(SELECTED, 10)])], now, send=True)
