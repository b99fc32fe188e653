"""Orders over the API: a hospital's HIS places orders (one, or a day's in bulk, all or nothing
with each refused field named), the distributor answers and ships with lots, the hospital accepts."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from orders.models import OrderLine, PurchaseOrder
from tests.orders.conftest import PLAIN_CODE, VBP_CODE, listed


@pytest.fixture
def shop(session, world):
    """Province A ready to order (tests/orders/conftest.py)."""
    return listed(session, world)


def _bearer(session, world, side, role) -> dict:
    plain, _row = api.create_token(session, world.actors[(side, role)], "HIS", utcnow())
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _lines(session) -> int:
    n = session.exec(select(func.count()).select_from(OrderLine)).one()
    session.commit()
    return n


def test_the_whole_path_over_the_api(client, session, world, shop):
    his = _bearer(session, world, "A", Role.HOSPITAL_BUYER)
    erp = _bearer(session, world, "A", Role.DISTRIBUTOR_REP)
    bad = client.post("/api/v1/orders", headers=his, json={"distributor": "A-distributor", "send": True, "lines": [
        {"product": VBP_CODE, "quantity": 0}, {"product": PLAIN_CODE, "quantity": 2, "price": "99.00"}]})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"lines[0].quantity", "lines[1].price"}
    floated = client.post("/api/v1/orders", headers=his, json={"distributor": "A-distributor", "lines": [
        {"product": VBP_CODE, "quantity": 1.5}]})
    assert floated.status_code == 422 and "lines[0].quantity" in floated.get_json()["error"]["fields"]
    assert _lines(session) == 0
    ok = client.post("/api/v1/orders", headers=his, json={"distributor": "A-distributor", "send": True, "lines": [
        {"product": VBP_CODE, "quantity": 3}, {"product": PLAIN_CODE, "quantity": "2", "price": "100.01"}]})
    assert ok.status_code == 201, ok.get_json()
    order = ok.get_json()
    assert (order["number"], order["status"], order["amount"]) == (1, "sent", "237.06")  # 37.04 + 200.02
    a, b = (line["id"] for line in order["lines"])
    assert client.post(f"/api/v1/orders/{order['id']}/decisions", headers=his,
                       json={"lines": [{"line": a, "confirm": True}]}).status_code == 403
    refused = client.post(f"/api/v1/orders/{order['id']}/decisions", headers=erp,
                          json={"lines": [{"line": a, "confirm": True}, {"line": b, "confirm": False}]})
    assert refused.status_code == 422 and "lines[1].note" in refused.get_json()["error"]["fields"]
    answered = client.post(f"/api/v1/orders/{order['id']}/decisions", headers=erp, json={"lines": [
        {"line": a, "confirm": True}, {"line": b, "confirm": False, "reason": "缺货"}]})
    assert [line["status"] for line in answered.get_json()["lines"]] == ["confirmed", "refused"]
    early = client.post(f"/api/v1/orders/{order['id']}/shipments", headers=erp, json={"lines": [
        {"line": a, "quantity": 3, "lot_no": "L1", "expiry_on": "2020-01-01"}]})
    assert early.status_code == 422 and "lines[0].expiry_on" in early.get_json()["error"]["fields"]
    shipped = client.post(f"/api/v1/orders/{order['id']}/shipments", headers=erp, json={"lines": [
        {"line": a, "quantity": 3, "lot_no": "L1", "expiry_on": "2030-01-01"}]})
    assert shipped.status_code == 201
    sline = shipped.get_json()["shipments"][0]["lines"][0]["id"]
    url = f"/api/v1/orders/{order['id']}/shipment-lines/{sline}/acceptance"
    over = client.post(url, headers=his, json={"quantity": 4, "accept": True})
    assert over.status_code == 422 and "quantity" in over.get_json()["error"]["fields"]
    done = client.post(url, headers=his, json={"quantity": 3, "accept": True})
    assert done.status_code == 201 and done.get_json()["accepted_amount"] == "37.04"
    listed = client.get("/api/v1/orders", headers=erp).get_json()
    assert listed["total"] == 1 and listed["orders"][0]["hospital"] == "A hospital"
    foreign = _bearer(session, world, "B", Role.DISTRIBUTOR_REP)
    assert client.get(f"/api/v1/orders/{order['id']}", headers=foreign).status_code == 404


def test_a_days_orders_in_bulk_all_or_nothing(client, session, world, shop):
    his = _bearer(session, world, "A", Role.HOSPITAL_BUYER)
    day = [{"distributor": "A-distributor", "lines": [{"product": VBP_CODE, "quantity": k + 1},
                                                       {"product": PLAIN_CODE, "quantity": 1}]} for k in range(30)]
    bad = client.post("/api/v1/orders/bulk", headers=his, json={"send": True, "orders": [
        *day, {"distributor": "B-distributor", "lines": [{"product": VBP_CODE, "quantity": 1}]}]})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"orders[30].lines[0].distributor"}
    assert _lines(session) == 0
    ok = client.post("/api/v1/orders/bulk", headers=his, json={"send": True, "orders": day})
    assert ok.status_code == 201 and ok.get_json()["lines"] == 60 and ok.get_json()["numbers"] == list(range(1, 31))
    assert _lines(session) == 60
    statuses = set(session.exec(select(PurchaseOrder.status)).all())
    assert statuses == {"sent"}
