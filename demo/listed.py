"""The demo's listed products (挂网), made through the listing services: two listed (one a
non-selected product of the demo batch's generic, one not in VBP) with a price change waiting,
and one listing waiting for the price officer; the demo distributor confirmed for the demo
supplier in the first city, and named (waiting) for the second."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from demo.pipeline import officer
from listing.distribution import decide_relation, name_distributor
from listing.services import ProductInput, decide_listing, request_price_change, submit_listing

PRODUCTS = (
    ProductInput("XC10AAA001A001010100001", "阿托伐他汀钙片", "片剂", "20mg", "7片/盒", "鲁南示例制药股份有限公司",
                 "12.6000", "non_selected"),
    ProductInput("XL02BBA326A001010102180", "比卡鲁胺片", "片剂", "50mg", "28片/盒", "齐鲁示例制药有限公司",
                 "123.4567", "not_vbp"),
    ProductInput("C03010105500103209440000001", "药物洗脱冠脉支架", "钴铬合金", "3.0×18mm", "1个/盒",
                 "威高示例医疗器械有限公司", "5600", "not_vbp"),
)


def list_demo_products(session: Session, batch_code: str, now: datetime, cities: tuple[str, str] = ()) -> int:
    """List the demo products as the demo supplier; the officer approves the first two; a price
    change of the second waits. Returns how many were submitted."""
    supplier, price_officer = officer(session, "supplier"), officer(session)
    for n, item in enumerate(PRODUCTS):
        if item.vbp_status != "not_vbp":
            item = ProductInput(**{**item.__dict__, "vbp_batch_code": batch_code})
        product = submit_listing(session, supplier, item, now)
        if n < 2:
            decide_listing(session, price_officer, product.id, True, "", now)
        if n == 1:
            request_price_change(session, supplier, product.id, "118.0000", None, "原料药采购成本下降", now)
    if cities:
        distributor = officer(session, "distributor")
        first = name_distributor(session, supplier, "D0001", cities[0], now)
        decide_relation(session, distributor, first.id, True, "", now)
        name_distributor(session, supplier, "D0001", cities[1], now)
    return len(PRODUCTS)
