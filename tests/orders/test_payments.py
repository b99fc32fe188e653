"""Every order line shows the medical-insurance payment standard and the patient / fund split
(issue #20, "Use"): a non-selected ibuprofen injection priced above its generic's standard is
paid at most the year's cap (2×, then 1.5×), the fund 70 % of that, the patient the rest of the
line, to the fen; a product with no standard shows none — on the order's page, in its API body
and in the orders workbook. The rule (orders.queries.LinePayment): accepted packs are paid at
the standard in force on the day they were accepted; a line with nothing accepted yet shows a
provisional split at the standard of the order date."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import OrderLine, ShipmentLine
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
                                "patient_per_pack": "21.6577", "fund": "25.03", "patient": "64.97", "packs": 3,
                                "on": "2024-04-02", "provisional": True}
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


def _received_in_two_parts(session, world, buyer, order, first: date, second: date):
    """The distributor ships the ibuprofen line's 3 packs; the hospital accepts 1 on ``first`` and
    2 on ``second``."""
    line = session.exec(select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.line_no == 1)).one()
    distributor = world.actors[("A", Role.DISTRIBUTOR_REP)]
    at = aware(first.year, first.month, first.day, 2)
    decide_lines(session, distributor, order.id, [(line.id, True, "")], at)
    shipment = ship(session, distributor, order.id, [ShipInput(line.id, 3, "LOT-7", date(2030, 1, 1))], at)
    sline = session.exec(select(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id)).one()
    answer_shipment_line(session, buyer, sline.id, 1, True, "", at)
    answer_shipment_line(session, buyer, sline.id, 2, True, "", aware(second.year, second.month, second.day, 2))
    return line


def test_accepted_packs_are_paid_at_the_standard_of_the_day_they_were_accepted(session, world):
    # ordered in year 1 of the transition (cap 2×); one pack accepted in year 1, two after 2025-03-01 (1.5×)
    buyer, order = _order(session, world, date(2025, 2, 20))
    before = order_view(session, buyer, order.id)
    assert before.payments[before.lines[0][0].id].provisional  # nothing accepted yet: the order date's standard
    line = _received_in_two_parts(session, world, buyer, order, date(2025, 2, 27), date(2025, 3, 3))
    paid = order_view(session, buyer, order.id).payments[line.id]
    assert not paid.provisional and (paid.packs, paid.on) == (3, date(2025, 3, 3))
    assert (paid.pay.year, paid.pay.cap_e4) == (2, 89382)  # the latest day's year and cap
    # 1 × ¥8.3423 → ¥8.34 (year 1) + 2 × ¥6.2567 → ¥12.51 (year 2); the patient the rest of ¥90.00
    assert (paid.fund_fen, paid.patient_fen) == (834 + 1251, 9000 - 834 - 1251)


def test_the_orders_workbook_carries_each_lines_standard_and_split(client, session, world):
    buyer, order = _order(session, world, date(2025, 2, 20))
    _received_in_two_parts(session, world, buyer, order, date(2025, 2, 27), date(2025, 3, 3))
    name = world.username("A", Role.HOSPITAL_BUYER)
    session.commit()  # end the test session's read: the client reads next
    assert login(client, name).status_code == 302
    answer = client.get("/orders?xlsx=1")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    lines = book.worksheets[1]
    header = [c.value for c in lines[1]]
    assert header[-6:] == ["该包装支付标准（元）", "过渡年度", "每包支付上限（元）", "基金支付（元）", "患者负担（元）",
                           "适用支付标准日期"]
    rows = {r[4]: r for r in lines.iter_rows(min_row=2, values_only=True)}
    ibuprofen, plain = rows["XL02BBA326A001010102180"], rows["XL02BBA326A001010102190"]
    assert ibuprofen[11:16] == (5.9588, 2, 8.9382, 20.85, 69.15) and "2025-03-03" in ibuprofen[16]
    assert plain[11:16] == ("—",) * 5
