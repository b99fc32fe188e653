"""Listing over the API: all or nothing with each refused field named, the price in force."""

from __future__ import annotations

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from listing.services import decide_listing
from tests.listing.conftest import CONSUMABLE, DRUG

PRODUCT = {"code": DRUG, "generic_name": "比卡鲁胺片", "dosage_form": "片剂", "spec": "50mg", "pack": "28片/盒",
           "mah": "示例制药", "price": "123.4567", "vbp_status": "not_vbp"}


def _bearer(session, world, side, role) -> dict:
    plain, _row = api.create_token(session, world.actors[(side, role)], "ERP", utcnow())
    return {"Authorization": f"Bearer {plain}"}


def test_a_supplier_erp_lists_products_all_or_nothing(client, session, world):
    headers = _bearer(session, world, "A", Role.SUPPLIER_REP)
    bad = client.post("/api/v1/listing/products", headers=headers, json={"products": [
        PRODUCT, {**PRODUCT, "code": CONSUMABLE[:-1], "price": "1.23456"}]})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"products[1].code", "products[1].price"}
    floated = client.post("/api/v1/listing/products", headers=headers, json={"products": [{**PRODUCT, "price": 1.5}]})
    assert floated.status_code == 422 and "products[0].price" in floated.get_json()["error"]["fields"]
    assert client.get("/api/v1/listing/products", headers=headers).get_json()["total"] == 0
    ok = client.post("/api/v1/listing/products", headers=headers, json={"products": [PRODUCT]})
    assert ok.status_code == 201 and ok.get_json()["products"][0]["listed_price"] == "123.4567"


def test_hospitals_cannot_list_and_read_the_price_in_force(client, session, world):
    hospital = _bearer(session, world, "A", Role.HOSPITAL_BUYER)
    assert client.post("/api/v1/listing/products", headers=hospital, json={"products": [PRODUCT]}).status_code == 403
    supplier = _bearer(session, world, "A", Role.SUPPLIER_REP)
    product_id = client.post("/api/v1/listing/products", headers=supplier,
                             json={"products": [PRODUCT]}).get_json()["products"][0]["id"]
    assert client.get(f"/api/v1/listing/products/{DRUG}/price", headers=hospital).status_code == 404  # not listed yet
    decide_listing(session, world.actors[("A", Role.PRICE_OFFICER)], product_id, True, "", utcnow())
    answer = client.get(f"/api/v1/listing/products/{DRUG.lower()}/price?on=2999-01-01", headers=hospital).get_json()
    assert answer["price"] == "123.4567"
    before = client.get(f"/api/v1/listing/products/{DRUG}/price?on=2000-01-01", headers=hospital).get_json()
    assert before["price"] is None
    assert client.get(f"/api/v1/listing/products/{DRUG}/price?on=soon", headers=hospital).status_code == 422
    foreign = _bearer(session, world, "B", Role.HOSPITAL_BUYER)
    assert client.get(f"/api/v1/listing/products/{DRUG}/price", headers=foreign).status_code == 404
