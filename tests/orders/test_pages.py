"""The order pages through the real forms: a hospital orders, the distributor answers and ships
with lots, the hospital accepts; each party's list, the Excel export and the lot trace."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlmodel import select

from orders.models import OrderAcceptance, OrderLine, PurchaseOrder, ShipmentLine
from tests.conftest import csrf_token, login
from tests.orders.conftest import PLAIN_CODE, VBP_CODE


def _as(client, world, role, side="A"):
    if client.get("/").status_code == 200 and "logout" in client.get("/").get_data(as_text=True):
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, world.username(side, role)).status_code == 302


def _fresh(session, model):
    rows = session.exec(select(model).order_by(model.id).execution_options(populate_existing=True)).all()
    session.commit()
    return rows


def _place(client, session, world, shop, **extra):
    _as(client, world, "hospital_buyer")
    page = client.get("/orders/new").get_data(as_text=True)
    assert "A distributor" in page and VBP_CODE in page and "¥12.3456" in page
    token = csrf_token(client, "/orders/new")
    return client.post("/orders/new", data={"csrf_token": token, "distributor": "A-distributor",
                                            f"qty-{shop.vbp.id}": "10", f"qty-{shop.plain.id}": "2", **extra})


def test_the_whole_path_through_the_pages(app, client, session, world, shop):
    assert _place(client, session, world, shop, send="1").status_code == 302
    order = _fresh(session, PurchaseOrder)[0]
    assert order.status == "sent"
    _as(client, world, "distributor_rep")
    assert "A hospital" in client.get("/orders").get_data(as_text=True)
    a, b = sorted(_fresh(session, OrderLine), key=lambda ln: ln.product_id != shop.vbp.id)  # a: the VBP line
    token = csrf_token(client, f"/orders/{order.id}")
    client.post(f"/orders/{order.id}/decide", data={"csrf_token": token, f"decision-{a.id}": "confirm",
                                                     f"decision-{b.id}": "refuse", f"note-{b.id}": ""})
    assert [ln.status for ln in _fresh(session, OrderLine)] == ["pending", "pending"]  # refusal without a reason
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert re.search(r"(line|第) \d", page)
    client.post(f"/orders/{order.id}/decide", data={"csrf_token": token, f"decision-{a.id}": "confirm",
                                                     f"decision-{b.id}": "confirm"})
    client.post(f"/orders/{order.id}/ship", data={"csrf_token": token, f"ship-{a.id}": "6", f"lot-{a.id}": "LOT-1",
                                                   f"expiry-{a.id}": "2030-01-01", f"ship-{b.id}": "2",
                                                   f"lot-{b.id}": "LOT-2", f"expiry-{b.id}": "2030-01-01"})
    shown = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert not re.findall(r'class="flash error"[^>]*>([^<]*)', shown)
    sa, sb = sorted(_fresh(session, ShipmentLine), key=lambda sl: sl.order_line_id != a.id)
    assert (sa.quantity, sa.lot_no, sb.quantity) == (6, "LOT-1", 2)
    _as(client, world, "hospital_buyer")
    token = csrf_token(client, f"/orders/{order.id}")
    url = f"/orders/{order.id}/shipment-lines/{sa.id}/answer"
    client.post(url, data={"csrf_token": token, "quantity": "7", "decision": "accept"})
    assert _fresh(session, OrderAcceptance) == []  # over-acceptance refused
    client.post(url, data={"csrf_token": token, "quantity": "6", "decision": "accept"})
    accepted = _fresh(session, OrderAcceptance)
    assert [(r.quantity, r.amount_fen) for r in accepted] == [(6, 7407)]  # 6 × ¥12.3456 = ¥74.0736
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "¥74.07" in page
    trace = client.get(f"/orders/trace?product={VBP_CODE}&lot=LOT-1").get_data(as_text=True)
    assert trace.count('data-testid="trace-row"') == 1


def test_a_draft_is_the_hospitals_until_sent(app, client, session, world, shop):
    _place(client, session, world, shop, draft="1")
    order = _fresh(session, PurchaseOrder)[0]
    assert order.status == "draft"
    _as(client, world, "distributor_rep")
    assert client.get(f"/orders/{order.id}").status_code == 404
    _as(client, world, "hospital_buyer")
    client.post(f"/orders/{order.id}/send", data={"csrf_token": csrf_token(client, f"/orders/{order.id}")})
    assert _fresh(session, PurchaseOrder)[0].status == "sent"


def test_a_refused_order_names_the_line_and_writes_nothing(app, client, session, world, shop):
    response = _place(client, session, world, shop, send="1", **{f"qty-{shop.plain.id}": "-1"})
    assert response.status_code == 200
    assert _fresh(session, PurchaseOrder) == []
    assert re.search(r"第 1 行|line 1: the quantity", response.get_data(as_text=True))  # the plain product comes first


def test_each_party_lists_and_exports_its_orders(app, client, session, world, shop):
    _place(client, session, world, shop, send="1")
    for role in ("hospital_buyer", "distributor_rep", "supplier_rep", "price_officer"):
        _as(client, world, role)
        assert "A hospital" in client.get("/orders").get_data(as_text=True), role
        book = load_workbook(io.BytesIO(client.get("/orders?xlsx=1").data))
        rows = list(book.active.iter_rows(values_only=True))
        assert len(rows) == 2 and rows[1][2] == "A hospital" and float(rows[1][5]) == 323.48, role
    for role in ("hospital_buyer", "distributor_rep", "supplier_rep", "price_officer"):
        _as(client, world, role, "B")
        assert "A hospital" not in client.get("/orders").get_data(as_text=True), role
    assert PLAIN_CODE
