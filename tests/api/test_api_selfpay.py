"""Self-settled payments over the API: a hospital's HIS lists its unpaid self-settled lines and
records a payment; hostile bodies (floats, NUL, huge numbers, unknown fields, another hospital's
line, a line already paid) answer 422/403 naming the field, and nothing is written."""

from __future__ import annotations

from sqlmodel import func, select

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from selfpay.models import SelfPayment
from tests.orders.conftest import listed
from tests.selfpay.conftest import accept_all


def _bearer(session, world, side, role) -> dict:
    plain, _row = api.create_token(session, world.actors[(side, role)], "HIS", utcnow())
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _payments(session) -> int:
    n = session.exec(select(func.count()).select_from(SelfPayment)).one()
    session.commit()
    return n


def test_the_his_lists_unpaid_lines_and_records_a_payment(client, session, world):
    now = utcnow()
    done = accept_all(session, listed(session, world), now)
    his = _bearer(session, world, "A", Role.HOSPITAL_BUYER)
    unpaid = client.get("/api/v1/self-payments/unpaid", headers=his).get_json()
    assert [x["acceptance"] for x in unpaid["lines"]] == [done.plain.id] and unpaid["lines"][0]["amount"] == "400.04"
    today = unpaid["lines"][0]["accepted_on"]
    body = {"lines": [done.plain.id], "paid_on": today, "amount": "400.04", "bank_ref": "CMB-API-1"}
    ok = client.post("/api/v1/self-payments", headers=his, json=body)
    assert ok.status_code == 201 and ok.get_json()["amount"] == "400.04"
    again = client.post("/api/v1/self-payments", headers=his, json={**body, "bank_ref": "CMB-API-2"})
    assert again.status_code == 422 and "already paid" in again.get_json()["error"]["fields"]["lines[0]"]
    assert client.get("/api/v1/self-payments/unpaid", headers=his).get_json()["lines"] == []
    assert _payments(session) == 1


def test_hostile_bodies_are_refused_naming_the_field(client, session, world):
    now = utcnow()
    done = accept_all(session, listed(session, world), now)
    other = accept_all(session, listed(session, world, "B"), now, side="B")
    session.commit()
    his = _bearer(session, world, "A", Role.HOSPITAL_BUYER)
    day = done.plain.accepted_on.isoformat()
    good = {"lines": [done.plain.id], "paid_on": day, "amount": "400.04", "bank_ref": "CMB-1"}
    cases = [
        ({**good, "amount": 400.04}, "amount"),  # a JSON float
        ({**good, "lines": [1.5]}, "lines[0]"),
        ({**good, "lines": [10**30]}, None),  # past 64 bits: the input layer or the body reader
        ({**good, "lines": []}, "lines"),
        ({**good, "extra": 1}, "extra"),
        ({**good, "bank_ref": "坏"}, "bank_ref"),
        ({**good, "bank_ref": "CMB\x00-1"}, None),
        ({**good, "paid_on": "2999-01-01"}, "paid_on"),
        ({**good, "amount": "1e309"}, "amount"),
        ({**good, "lines": [other.plain.id], "amount": "10.00"}, "lines[0]"),
        ({**good, "lines": [done.vbp.id]}, "lines[0]"),
        ([1, 2], "body"),
    ]
    for body, field in cases:
        answer = client.post("/api/v1/self-payments", headers=his, json=body)
        assert answer.status_code in (400, 422), body
        if field:
            assert field in answer.get_json()["error"]["fields"], (body, answer.get_json())
    supplier = _bearer(session, world, "A", Role.SUPPLIER_REP)
    assert client.post("/api/v1/self-payments", headers=supplier, json=good).status_code == 403
    assert client.post("/api/v1/self-payments", json=good).status_code == 401
    assert _payments(session) == 0
