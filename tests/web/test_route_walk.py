"""Every route × every role × a foreign organisation's objects: refused.

Each route must declare its roles (``@requires``/``@public``). For each signed-in role of
province A, every route is requested with the identifiers of province B's objects: roles not
allowed get 403; allowed roles get 403/404 for foreign objects, and list pages never show
province B's data. Later capabilities add their identifiers to ``FOREIGN`` below.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from accounts.roles import OrgKind, Role
from core.clock import utcnow
from listing.distribution import name_distributor
from listing.services import ProductInput, decide_listing, local_date, submit_listing
from procurement import services
from procurement.models import Item
from tests.conftest import csrf_token, login

FOREIGN_MARKERS = ("B hospital", "B supplier", "B bureau", "B fund", "JSFOREIGN", "江苏外部批次", "JSPAY-0001")
SKIP = {"static", "shell.logout"}  # logout ends the walk's session; covered in test_smoke


@pytest.fixture
def foreign(session, world) -> dict[str, str]:
    """URL values that point at province B's objects."""
    session.add(Item(code="YP001", kind="drug", generic_name="阿托伐他汀钙片", minimal_unit="片"))
    session.commit()
    services.create_batch(session, world.actors[("B", Role.PRICE_OFFICER)], code="JSFOREIGN", name="江苏外部批次")
    product = submit_listing(session, world.actors[("B", Role.SUPPLIER_REP)], ProductInput(
        "XL02BBA326A001010102180", "江苏外部片", "片剂", "50mg", "28片/盒", "B supplier", "10", "not_vbp"), utcnow())
    decide_listing(session, world.actors[("B", Role.PRICE_OFFICER)], product.id, True, "", utcnow())
    relation = name_distributor(session, world.actors[("B", Role.SUPPLIER_REP)], "B-distributor", "320100", utcnow())
    order, shipment_line = _foreign_order(session, world, product, relation)
    return {
        "org_id": str(world.orgs[("B", OrgKind.HOSPITAL)].id),
        "user_id": str(world.users[("B", Role.HOSPITAL_BUYER)].id),
        "code": "JSFOREIGN",
        "item_code": "YP001",
        "hospital_code": "B-hospital",
        "version": "1",
        "objection_id": "999999",
        "contract_id": "999999",
        "notification_id": "999999",
        "token_id": "999999",
        "delivery_id": "999999",  # settlement: unknown ids answer 404 like foreign ones
        "acceptance_id": "999999",
        "run_id": "999999",
        "file_id": "999999",
        "refund_id": "999999",
        "instruction_id": "999999",  # settlement: payments and their re-issue requests
        "request_id": "999999",
        "payment_id": "999999",  # settlement: fund payments outside the monthly run
        "hospital_id": str(world.orgs[("B", OrgKind.HOSPITAL)].id),  # a hospital's advance (of a foreign batch)
        "change_id": "999999",  # accounts: bank account change requests
        "submission_id": "999999",  # bidding: a printable receipt of another company's bid
        "product_id": str(product.id),  # listing: province B's listed product
        "relation_id": str(relation.id),  # listing: province B's distribution relation
        "order_id": str(order),  # orders: province B's order, shipped
        "shipment_line_id": str(shipment_line),
        "year_id": "999999",  # cycles: a contract year under re-confirmation
        "problem_id": "999999",  # supply: problems and takeovers
        "takeover_id": "999999",
        "breach_id": "999999",  # credit: breaches, ratings, repairs
        "rating_id": "999999",
        "repair_id": "999999",
        "version_id": "999999",  # paystd: payment-standard versions
        "alert_id": "999999",  # pricewatch: alerts, province prices, the deep-monitoring list
        "price_id": "999999",
        "watched_id": "999999",
    }


def _foreign_order(session, world, product, relation) -> tuple[int, int]:
    """Province B's hospital orders its province's listed product through the B distributor (its
    relation confirmed); the distributor ships a lot. Returns (order id, shipment line id)."""
    from listing.distribution import decide_relation
    from orders.delivery import ShipInput, decide_lines, ship
    from orders.models import OrderLine, ShipmentLine
    from orders.services import LineInput, OrderInput, place_orders

    now = utcnow()
    decide_relation(session, world.actors[("B", Role.DISTRIBUTOR_REP)], relation.id, True, "", now)
    order = place_orders(session, world.actors[("B", Role.HOSPITAL_BUYER)], [OrderInput("B-distributor", [
        LineInput(product.code, 2)])], now, send=True).orders[0]
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    distributor = world.actors[("B", Role.DISTRIBUTOR_REP)]
    decide_lines(session, distributor, order.id, [(line.id, True, "")], now)
    shipment = ship(session, distributor, order.id, [ShipInput(line.id, 2, "JSLOT", "2099-01-01")], now)
    sline = session.exec(select(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id)).one()
    # selfpay: B's hospital accepts one pack (not a VBP line: self-settled) and records its payment
    from orders.delivery import answer_shipment_line
    from selfpay.services import record_self_payment

    hospital = world.actors[("B", Role.HOSPITAL_BUYER)]
    row = answer_shipment_line(session, hospital, sline.id, 1, True, "", now)
    record_self_payment(session, hospital, [row.id], local_date(now), "10.00", "JSPAY-0001", now)
    session.commit()  # end the read: the app writes next
    return order.id, sline.id


def _routes(app):
    """(rule, endpoint function) for every route but static files."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_route_declares_its_roles(app):
    undeclared = [r.rule for r, view in _routes(app) if not hasattr(view, "jicai_roles")]
    assert undeclared == []


@pytest.mark.parametrize("role", list(Role))
def test_route_role_foreign_walk(app, client, world, foreign, role):
    assert login(client, world.username("A", role)).status_code == 302
    token = csrf_token(client, "/")
    checked = 0
    for rule, view in _routes(app):
        allowed = view.jicai_roles
        if allowed is None:
            continue  # public: login, health, language
        unknown = set(rule.arguments) - set(foreign)
        assert not unknown, f"add foreign values for {unknown} ({rule.rule})"
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: foreign[m.group(1)], rule.rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            body = response.get_data().decode("utf-8", "replace")  # a workbook download is not text
            where = f"{method} {url} as {role}"
            assert response.status_code < 500, where
            if role not in allowed:
                assert response.status_code == 403, where
            elif rule.arguments - {"item_code"}:
                assert response.status_code in (403, 404), where
            else:
                leaked = [m for m in FOREIGN_MARKERS if m in body]
                assert not leaked, f"{where} shows {leaked}"
            checked += 1
    assert checked > 10
