"""Order fixtures: province A's supplier lists two products (one selected in a VBP batch, one not
in VBP), the officer approves them, and the supplier's distributor is confirmed for the hospital's
city — all through the real services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.roles import Role
from listing.distribution import decide_relation, name_distributor
from listing.models import ListedProduct
from listing.services import ProductInput, decide_listing, submit_listing
from procurement import services as procurement
from tests.conftest import aware

NOW = aware(2026, 12, 1, 2)  # 2026-12-01 10:00 in Shanghai
VBP_CODE = "XC10AAA001A001010100001"
PLAIN_CODE = "XL02BBA326A001010102180"


@dataclass
class Shop:
    """The world's actors and the two listed products."""

    hospital: object
    distributor: object
    supplier: object
    officer: object
    vbp: ListedProduct
    plain: ListedProduct


def listed(session, world, side="A") -> Shop:
    """List and approve the two products of ``side``'s supplier, confirm its distributor."""
    supplier, officer = world.actors[(side, Role.SUPPLIER_REP)], world.actors[(side, Role.PRICE_OFFICER)]
    procurement.create_batch(session, officer, code=f"VBP{side}", name="示例集采批次")
    vbp = submit_listing(session, supplier, ProductInput(VBP_CODE if side == "A" else "XC10AAA001A001010100002",
                                                         "阿托伐他汀钙片", "片剂", "20mg", "7片/盒", "示例制药",
                                                         "12.3456", "selected", f"VBP{side}"), NOW)
    plain = submit_listing(session, supplier, ProductInput(PLAIN_CODE if side == "A" else "XL02BBA326A001010102181",
                                                           "比卡鲁胺片", "片剂", "50mg", "28片/盒", "示例制药", "100.01",
                                                           "not_vbp"), NOW)
    for product in (vbp, plain):
        decide_listing(session, officer, product.id, True, "", NOW)
    city = "370100" if side == "A" else "320100"
    relation = name_distributor(session, supplier, f"{side}-distributor", city, NOW)
    decide_relation(session, world.actors[(side, Role.DISTRIBUTOR_REP)], relation.id, True, "", NOW)
    return Shop(world.actors[(side, Role.HOSPITAL_BUYER)], world.actors[(side, Role.DISTRIBUTOR_REP)], supplier,
                officer, vbp, plain)


@pytest.fixture
def shop(session, world) -> Shop:
    """Province A ready to order."""
    return listed(session, world)
