"""The input guard (issue 13, item 4): hostile values anywhere in a request are a 400 page or a
422 API error naming the field, never a 500 — on SQLite and on PostgreSQL (which refuses NUL in
text and integers past 64 bits, where SQLite stores them).

The targeted tests replay the red-team findings; the walk sends every route NUL, a 400-digit
integer, ``1e309``, blanks and an overlong string in its path, query string, form and JSON.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from wtforms import IntegerField

from accounts.roles import OrgKind, Role
from api import services as api
from core.clock import utcnow
from procurement import services as procurement
from tests.bidding.conftest import bidding_open_now
from tests.conftest import csrf_token, login
from tests.settlement.fixtures_db import make_setup

HUGE = "9" * 400
HOSTILE = {"nul": "a\x00b", "huge": HUGE, "inf": "1e309", "blank": "   ", "long": "x" * 120_000}
QUERY_NAMES = ("page", "status", "kind", "parent", "diff", "item", "xlsx", "open", "limit", "before", "batch",
               "score_A-hospital", "date", "month")


def _text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- the red-team findings


def test_nul_in_the_login_form_is_a_400_naming_the_field(client, world):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": "a\x00b", "password": "x", "csrf_token": token})
    assert response.status_code == 400 and "username" in _text(response)


@pytest.mark.parametrize(("role", "path", "field"), [
    (Role.PRICE_OFFICER, "/batches?status=%00", "status"),
    (Role.ADMIN, "/admin/orgs?kind=%00", "kind"),
    (Role.PRICE_OFFICER, "/catalog/regions?parent=%00", "parent"),
    (Role.ADMIN, f"/admin/orgs?page={HUGE}", "page"),
    (Role.ADMIN, f"/admin/orgs?page=-{HUGE[:12]}", "page"),
])
def test_hostile_query_values_are_a_400_naming_the_field(client, world, role, path, field):
    login(client, world.username("A", role))
    response = client.get(path)
    assert response.status_code == 400 and f"“{field}”" in _text(response), path


def test_a_capacity_of_400_digits_is_a_field_error(client, session, world):
    code = bidding_open_now(session, world, days=2)
    session.commit()
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, f"/batches/{code}/bids/new")
    base = {"csrf_token": token, "item_code": "YP001", "strength": "20", "strength_unit": "mg",
            "units_per_pack": "7", "pack_price": "1.4", "capacity": "5000000", "eligibility": "consistency_generic"}
    for field, value in (("capacity", HUGE), ("units_per_pack", HUGE), ("tiers-0-min_volume", HUGE),
                         ("strength", HUGE), ("pack_price", "1e309"), ("strength", "   ")):
        for confirm in ("", "1"):
            response = client.post(f"/batches/{code}/bids/new", data={**base, field: value, "confirm": confirm,
                                                                      "tiers-0-pack_price": "1.3"})
            assert response.status_code in (200, 400), (field, value, confirm)
            assert "回执" not in _text(response) or field == "strength"  # nothing sealed


def test_quantities_of_400_digits_are_refused_on_delivery_acceptance_and_return(client, session, world):
    setup = make_setup(session, world)
    session.commit()
    contract = setup.contracts["YP001"].code
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, "/settlement/")
    response = client.post("/settlement/deliveries", data={"csrf_token": token, "contract_code": contract,
                                                           "quantity": HUGE, "shipped_on": "2026-10-03"})
    assert response.status_code == 302
    client.post("/logout", data={"csrf_token": token})
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    token = csrf_token(client, "/settlement/")
    for path, data in (("/settlement/deliveries/1/accept", {"quantity": HUGE, "accepted_on": "2026-10-04"}),
                       ("/settlement/acceptances/1/return", {"quantity": HUGE, "returned_on": "2026-10-05",
                                                             "reason": "破损"}),
                       (f"/settlement/deliveries/{HUGE}/accept", {"quantity": "1", "accepted_on": "2026-10-04"}),
                       ("/settlement/reconcile", {"line": HUGE, "decision": "confirm"}),
                       ("/settlement/reconcile", {"line": "²", "decision": "confirm"})):
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code in (302, 400, 404), path


def test_a_price_of_1e309_and_a_blank_strength_are_refused_readably(client, session, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    procurement.create_batch(session, officer, code="SDX1", name="测试")
    session.commit()
    login(client, world.username("A", Role.ADMIN))
    token = csrf_token(client, "/catalog/items")
    response = client.post("/catalog/items", data={"csrf_token": token, "code": "YP009", "kind": "drug",
                                                   "generic_name": "测试片", "minimal_unit": "片", "rep_strength": "   ",
                                                   "rep_units_per_pack": HUGE}, follow_redirects=True)
    assert response.status_code == 200
    response = client.post("/catalog/items", data={"csrf_token": token, "code": "YP010", "kind": "drug",
                                                   "generic_name": "测试片", "minimal_unit": "片", "rep_strength": "   "},
                           follow_redirects=True)
    assert response.status_code == 200 and "YP010" in _text(response)  # blank is "no strength"
    for price in ("1e309", "NaN", HUGE[:20]):
        response = client.post("/batches/SDX1/items", data={"csrf_token": token, "item_code": "YP010",
                                                            "max_valid_price": price}, follow_redirects=True)
        assert response.status_code == 200, price


@pytest.fixture
def tokens(session, world) -> dict[str, dict]:
    """Bearer headers of A's hospital and supplier."""
    out = {}
    for role in (Role.HOSPITAL_BUYER, Role.SUPPLIER_REP):
        plain, _row = api.create_token(session, world.actors[("A", role)], role.value, utcnow())
        out[role] = {"Authorization": f"Bearer {plain}"}
    session.commit()
    return out


def _api_posts(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and "POST" in rule.methods:
            yield re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "1" if "id" in m.group(1) else "SD-1", rule.rule)


def test_json_nested_5000_deep_is_a_422_on_every_api_post(app, client, tokens):
    deep = "[" * 5000 + "]" * 5000
    posts = list(_api_posts(app))
    assert len(posts) >= 5
    for path in posts:
        for headers in tokens.values():
            response = client.post(path, data=deep, content_type="application/json", headers=headers)
            assert response.status_code == 422, path
            assert response.get_json()["error"]["fields"] == {"body": "嵌套超过 32 层 / nested deeper than 32 levels"}


def test_nul_in_api_demand_lines_is_a_422_naming_the_line(client, tokens):
    response = client.post("/api/v1/batches/SD-1/demand", headers=tokens[Role.HOSPITAL_BUYER],
                           json={"lines": [{"item": "YP001", "last_year_use": 1, "committed": 1},
                                           {"item": "YP\x00002", "last_year_use": 1, "committed": 1}]})
    assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["lines[1].item"]


# ---------------------------------------------------------------- the walk


def _form_fields(app) -> tuple[set[str], set[str]]:
    """Every field name of every form of the platform, and the numeric ones among them."""
    classes, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            classes.add(sub)
            todo.append(sub)
    names, numeric = set(), set()
    with app.test_request_context("/"):
        for cls in classes:
            if cls.__module__.split(".")[0] not in ("web", "accounts", "procurement", "bidding", "review",
                                                    "settlement", "api", "evaluation", "orders"):
                continue
            for field in cls(meta={"csrf": False}):
                for sub in (field.entries if hasattr(field, "entries") else [field]):
                    for leaf in (sub.form if hasattr(sub, "form") else [sub]):
                        names.add(leaf.name)
                        if isinstance(leaf, IntegerField) or re.search(r"price|strength$|score", leaf.name):
                            numeric.add(leaf.name)
    return names - {"csrf_token"}, numeric


BASELINE = {"quantity": "5", "shipped_on": "2026-10-03", "accepted_on": "2026-10-04", "returned_on": "2026-10-05",
            "received_on": "2026-10-06", "month": "2026-10", "decision": "confirm", "kind": "drug",
            "eligibility": "consistency_generic", "item_code": "YP001", "strength": "20", "strength_unit": "mg",
            "units_per_pack": "7", "pack_price": "1.4", "capacity": "1000", "version": "1", "code": "SDWALK",
            "name": "走查", "region_codes": "370100", "action": "open_demand", "max_valid_price": "0.5",
            "username": "walker", "password": "x" * 12, "role": "hospital_buyer", "org_code": "A-hospital",
            "region_code": "370100", "generic_name": "走查片", "minimal_unit": "片", "rep_strength": "10"}


def _walk_world(session, world):
    """Province A objects every route can reach: a batch in execution with signed contracts."""
    setup = make_setup(session, world)
    session.commit()
    return {"code": setup.code, "item_code": "YP001", "hospital_code": "A-hospital", "token": "A" * 32,
            "version": "1", "org_id": str(world.orgs[("A", OrgKind.HOSPITAL)].id),
            "user_id": str(world.users[("A", Role.HOSPITAL_BUYER)].id)}


def _role_for(allowed) -> Role:
    """A role the route allows (the bureau's officer when it may)."""
    for role in (Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.SUPPLIER_REP, Role.HOSPITAL_BUYER, Role.ADMIN,
                 Role.DISTRIBUTOR_REP):
        if role in allowed:
            return role
    raise AssertionError(allowed)


def _json_literal(value: str) -> str:
    """The hostile value as a JSON token: digits and 1e309 as numbers, the rest as strings."""
    return value if value in (HUGE, "1e309") else json.dumps(value)


def test_every_route_answers_hostile_values_without_a_server_error(app, client, session, world, tokens):
    values = _walk_world(session, world)
    names, numeric = _form_fields(app)
    assert {"quantity", "capacity", "username", "rep_strength", "tiers-0-min_volume"} <= names
    by_role: dict[Role, list] = {}
    api_rules, public_rules = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "shell.logout"):
            continue
        allowed = app.view_functions[rule.endpoint].jicai_roles
        if rule.rule.startswith("/api/"):
            api_rules.append(rule)
        elif allowed is None:
            public_rules.append(rule)
        else:
            by_role.setdefault(_role_for(allowed), []).append(rule)
    checked = 0

    def url(rule, override: dict | None = None) -> str:
        parts = {**values, "objection_id": "1", "contract_id": "1", "notification_id": "1", "token_id": "1",
                 "delivery_id": "1", "acceptance_id": "1", "run_id": "1", "file_id": "1", "refund_id": "1",
                 "change_id": "1", "user_id": "1", "instruction_id": "1", "request_id": "1", "submission_id": "1",
                 "payment_id": "1", "hospital_id": "1",
                 "product_id": "1", "relation_id": "1", "year_id": "1", "order_id": "1", "shipment_line_id": "1",
                 "problem_id": "1", "takeover_id": "1", "breach_id": "1", "rating_id": "1", "repair_id": "1",
                 "version_id": "1", "alert_id": "1", "price_id": "1", "watched_id": "1", **(override or {})}
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: parts[m.group(1)], rule.rule)

    def send(rule, headers=None, json_api=False):
        nonlocal checked
        token = None if json_api else csrf_token(client, "/login")
        for kind, value in HOSTILE.items():
            query = "&".join(f"{n}={value[:3000] if kind == 'long' else value}" for n in QUERY_NAMES)
            for method in sorted(rule.methods & {"GET", "POST"}):
                where = f"{method} {rule.rule} with {kind}"
                attempts = []
                if method == "GET":
                    attempts.append(client.get(f"{url(rule)}?{query}", headers=headers))
                elif json_api:
                    keys = ("lines", "item", "last_year_use", "committed", "quantity", "accepted_on", "returned_on",
                            "reason", "month", "confirm", "contract", "shipped_on", "supplier_ref")
                    literal = _json_literal(value)
                    line = "{" + ", ".join(f'"{k}": {literal}' for k in keys[1:]) + "}"
                    for body in (f'{{"lines": [{line}], ' + ", ".join(f'"{k}": {literal}' for k in keys[4:]) + "}",
                                 f'{{"lines": [{literal}]}}', literal):
                        attempts.append(client.post(url(rule), data=body, content_type="application/json",
                                                    headers=headers))
                else:
                    everything = {n: value for n in names}
                    numbers = {**{n: BASELINE.get(n, "1") for n in names}, **{n: value for n in numeric}}
                    for data in (everything, numbers):
                        attempts.append(client.post(url(rule), data={**data, "csrf_token": token}))
                for response in attempts:
                    assert response.status_code < 500, where
                    assert response.headers["Cache-Control"] == "no-store", where
                    if kind == "nul" and method == "GET":
                        assert response.status_code == (422 if json_api else 400), where
                    checked += 1
            for arg in rule.arguments:  # the path: a segment no object can have is unknown
                bad = HUGE if arg.endswith("_id") or arg == "version" else value[:300]
                for method in sorted(rule.methods & {"GET", "POST"}):
                    response = client.open(url(rule, {arg: quote(bad, safe="")}), method=method,
                                           headers=headers, data={"csrf_token": token} if token else None)
                    assert response.status_code < 500, f"{method} {rule.rule} with {kind} in <{arg}>"
                    checked += 1

    for rule in public_rules:
        if rule.endpoint != "shell.login":  # the login form is walked signed out, below
            send(rule)
    for role, rules in by_role.items():
        assert login(client, world.username("A", role)).status_code == 302
        for rule in rules:
            send(rule)
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    for rule in public_rules:
        if rule.endpoint == "shell.login":
            send(rule)
    for rule in api_rules:
        for headers in tokens.values():
            send(rule, headers=headers, json_api=True)
    for thread in app.extensions.get("jicai.threads", []):  # an evaluation the walk requested
        thread.join()
    assert checked > 1000
