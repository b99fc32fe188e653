"""Every order line shows the medical-insurance payment standard in force on the order date and
the patient / fund split (issue #20, "Use"): a non-selected ibuprofen injection priced above its
generic's standard is paid at most the year's cap (2×, then 1.5×), the fund 70 % of that, the
patient the rest of the line, to the fen; a product with no standard shows none — on the order's
page and in its API body."""

from __future__ import annotations

from datetime import date

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from orders.queries import order_view
from orders.services import LineInput, OrderInput, place_orders
from tests.conftest import aware, login
from tests.paystd.fixtures import LISTED_AT, approved_standards, executed, list_non_selected
from tests.pricewatch.buying import distributing, list_plain


def _order(session, world, day: date):
    """The hospital orders 3 packs of the non-selected ibuprofen (¥30) and 2 of a plain drug (¥100)."""
    a, b = executed(session, world)
    approved_standards(session, a, b)  # in force from 2024-03-01: ¥5.9588 per 400mg
    distributing(session, world, LISTED_AT)
    ibuprofen = list_non_selected(session, world, price="30")
    plain = list_plain(session, world, "100", LISTED_AT)
    buyer = world.actors[("A", Role.HOSPITAL_BUYER)]
    at = aware(day.year, day.month, day.day, 2)
    order = place_orders(session, buyer, [OrderInput("A-distributor", [LineInput(ibuprofen.code, 3),
                                                                       LineInput(plain.code, 2)])], at,
                         send=True).orders[0]
    return buyer, order


def test_each_line_carries_its_standard_and_the_split_in_the_transition_year(session, world):
    buyer, order = _order(session, world, date(2024, 4, 2))
    view = order_view(session, buyer, order.id)
    (first, _p, _s), (second, _q, _t) = view.lines
    paid = view.payments[first.id]
    assert (paid.pay.standard_e4, paid.pay.year, paid.pay.cap_e4) == (59588, 1, 119176)  # year 1: 2 × the standard
    assert (paid.pay.fund_e4, paid.pay.patient_e4) == (83423, 216577)  # 11.9176 × 0.7 = 8.34232; 30 − 8.3423
    assert (first.amount_fen, paid.fund_fen, paid.patient_fen) == (9000, 2503, 6497)  # ¥25.03 + ¥64.97 = ¥90.00
    assert second.id not in view.payments  # no standard for its generic


def test_a_year_later_the_cap_has_stepped_down(session, world):
    buyer, order = _order(session, world, date(2025, 4, 2))
    view = order_view(session, buyer, order.id)
    paid = view.payments[view.lines[0][0].id]
    assert (paid.pay.year, paid.pay.cap_e4, paid.pay.fund_e4) == (2, 89382, 62567)  # 1.5×; 8.9382 × 0.7 = 6.25674
    assert (paid.fund_fen, paid.patient_fen) == (1877, 7123)


def test_the_api_line_body_carries_the_split(client, session, world):
    buyer, order = _order(session, world, date(2024, 4, 2))
    order_id = order.id
    plain, _row = api.create_token(session, buyer, "HIS", utcnow())
    session.commit()
    body = client.get(f"/api/v1/orders/{order_id}", headers={"Authorization": f"Bearer {plain}"}).get_json()
    first, second = body["lines"]
    assert first["payment"] == {"standard": "5.9588", "year": 1, "cap": "11.9176", "fund_per_pack": "8.3423",
                                "patient_per_pack": "21.6577", "fund": "25.03", "patient": "64.97"}
    assert second["payment"] is None


def test_the_order_page_shows_the_split(client, session, world):
    _buyer, order = _order(session, world, date(2024, 4, 2))
    order_id = order.id
    name = world.username("A", Role.HOSPITAL_BUYER)
    session.commit()  # end the test session's read: the client writes next
    assert login(client, name).status_code == 302
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    for shown in ("¥5.9588", "¥11.9176", "¥25.03", "¥64.97", "支付上限", "基金支付", "患者负担"):
        assert shown in page, shown


def test_a_distributor_sees_the_same_split(client, session, world):
    _buyer, order = _order(session, world, date(2024, 4, 2))
    order_id = order.id
    name = world.username("A", Role.DISTRIBUTOR_REP)
    session.commit()  # end the test session's read: the client writes next
    assert login(client, name).status_code == 302
    page = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert "¥25.03" in page and "¥64.97" in page
