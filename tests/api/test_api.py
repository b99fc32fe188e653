"""The JSON API: tokens from the UI, bearer auth, scoping, one error shape, decimal money,
the OpenAPI document, and schemathesis finding no server error."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from accounts.roles import Role
from api import services as api
from bidding import services as bidding
from core.clock import utcnow
from tests.bidding.conftest import bid, make_bidding_batch
from tests.conftest import csrf_token, login


def excluded_checks(operation) -> list:
    """Checks that do not apply: our valid token is passed explicitly (the "invalid auth
    accepted" probe); and where the document says a schema-valid request may still be refused
    for a value the rules do not allow (422 naming the field: an unknown contract, more than is
    open, an unfinished month), the "schema-valid data is accepted" probe."""
    excluded = [schemathesis.checks.ignored_auth]
    if "422" in operation.definition.raw.get("responses", {}):
        excluded.append(schemathesis.checks.positive_data_acceptance)
    return excluded


def fuzz(operation, headers: dict, max_examples: int) -> None:
    """Generated requests for one operation: never a 5xx, always a documented response."""

    @given(case=operation.as_strategy())
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.path, response.status_code)
        case.validate_response(response, excluded_checks=excluded_checks(operation))

    check()


SETTLEMENT_PATHS = {"/deliveries", "/deliveries/{delivery_id}/acceptance", "/acceptances/{acceptance_id}/returns",
                    "/batches/{code}/settlement-applications", "/reconciliations", "/statements", "/payments",
                    "/refunds"}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_token_from_the_ui_then_api_calls(client, session, world, ring):
    now = utcnow()
    code = make_bidding_batch(session, world, demand_deadline=now - timedelta(days=3),
                              bid_deadline=now - timedelta(hours=2), opening_at=now - timedelta(hours=1))
    bidding.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code, bid(), ring, now - timedelta(days=1))
    login(client, world.username("A", Role.SUPPLIER_REP))
    page = client.post("/settings/api-tokens", data={"csrf_token": csrf_token(client, "/settings/api-tokens"),
                                                     "name": "ERP"}).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">(jc_[^<]+)<', page).group(1)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sealed = client.get(f"/api/v1/batches/{code}/bids", headers=_bearer(token)).get_json()
    assert sealed[0]["status"] == "live" and sealed[0]["unit_comparable_price"] is None  # sealed until opened
    bidding.open_bids(session, None, code, ring, now)
    opened = client.get(f"/api/v1/batches/{code}/bids", headers=_bearer(token)).get_json()
    assert opened[0]["unit_comparable_price"] == "0.2000" and opened[0]["valid"] is True
    assert client.get("/api/v1/batches", headers=_bearer(token)).get_json()[0]["code"] == code


def test_errors_have_one_shape(client, session, world):
    plain, row = api.create_token(session, world.actors[("A", Role.HOSPITAL_BUYER)], "HIS", utcnow())
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/batches/NOPE/contracts", headers=_bearer(plain)).get_json()["error"]["code"] == "not_found"
    forbidden = client.get("/api/v1/batches/NOPE/bids", headers=_bearer(plain))
    assert forbidden.status_code == 403 and set(forbidden.get_json()["error"]) == {"code", "message", "fields"}
    api.revoke_token(session, world.actors[("A", Role.HOSPITAL_BUYER)], row.id, utcnow())
    assert client.get("/api/v1/me", headers=_bearer(plain)).status_code == 401
    with pytest.raises(Exception):  # noqa: B017 - a foreign organisation cannot revoke it
        api.revoke_token(session, world.actors[("B", Role.HOSPITAL_BUYER)], row.id, utcnow())


def test_tokens_are_stored_hashed(session, world):
    plain, row = api.create_token(session, world.actors[("A", Role.SUPPLIER_REP)], "x", utcnow())
    assert plain not in (row.token_hash, row.prefix) and len(row.token_hash) == 64


ORDER_PATHS = {"/orders", "/orders/bulk", "/orders/{order_id}", "/orders/{order_id}/decisions",
               "/orders/{order_id}/shipments", "/orders/{order_id}/shipment-lines/{shipment_line_id}/acceptance"}


def test_api_never_answers_with_a_server_error(app, session, world):
    """Schemathesis generates requests for every operation of the OpenAPI document (valid and
    odd path values); the API must never answer 5xx and must match its documented responses."""
    plain, _row = api.create_token(session, world.actors[("A", Role.SUPPLIER_REP)], "fuzz", utcnow())
    session.close()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {"/me", "/batches", "/batches/{code}/contracts", "/batches/{code}/bids",
                                              "/batches/{code}/demand", *SETTLEMENT_PATHS,
                                              "/listing/products", "/listing/products/{code}/price", *ORDER_PATHS,
                                              "/payment-standards", "/self-payments", "/self-payments/unpaid"}
    for operation in operations:
        fuzz(operation, _bearer(plain), max_examples=20)


def test_demand_lines_over_the_api_use_the_sheet_rules(client, session, world):
    from tests.procurement.demand_fixtures import make_demand_batch

    setup = make_demand_batch(session, world)
    plain, _row = api.create_token(session, world.actors[("A", Role.HOSPITAL_BUYER)], "HIS", utcnow())
    bad = client.post(f"/api/v1/batches/{setup.code}/demand", headers=_bearer(plain),
                      json={"lines": [{"item": "YP101", "last_year_use": 1000, "committed": 100},
                                      {"item": "YP999", "last_year_use": 1, "committed": 1}]})
    assert bad.status_code == 422
    fields = bad.get_json()["error"]["fields"]
    assert "lines[0].committed" in fields and "lines[1].item" in fields  # below the 80% floor; unknown item
    shape = client.post(f"/api/v1/batches/{setup.code}/demand", headers=_bearer(plain), json={"lines": [{"x": 1}]})
    assert shape.status_code == 422 and "lines[0]" in shape.get_json()["error"]["fields"]
    good = client.post(f"/api/v1/batches/{setup.code}/demand", headers=_bearer(plain),
                       json={"lines": [{"item": "YP101", "last_year_use": 1000, "committed": 900},
                                       {"item": "YP102", "last_year_use": 10, "committed": 10}]})
    assert good.status_code == 201 and good.get_json() == {"batch": setup.code, "version": 1, "lines": 2}
