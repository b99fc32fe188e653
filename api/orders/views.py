"""Order routes of ``/api/v1`` (on the blueprint of :mod:`api.views`): a hospital's HIS places
orders (one, or a day's orders in bulk — all or nothing) and accepts shipped packs; a
distributor's system answers lines and ships with lots; every party lists the orders it sees."""

from __future__ import annotations

from flask import g, jsonify, request

from accounts.actor import Forbidden
from api.orders.bodies import FieldsError, answer_of, decisions_of, orders_of, shipment_of
from api.views import _money, api, error, token_required
from core.clock import utcnow
from core.inputs import InputError, whole
from core.money import fen_to_decimal
from core.paging import ListQuery
from orders import delivery, lists, queries, services
from orders.rules import OrderRefused
from web.db import get_session


def _fields(exc: OrderRefused, orders: list | None = None, many: bool = False) -> dict[str, str]:
    """Each problem under the field it names: a line's as ``orders[k].lines[j].field``."""
    where = []
    for k, order in enumerate(orders or []):
        where += [(k, j) for j in range(len(order.lines))]
    out = {}
    for line, field, msg in exc.problems[:500]:
        if line is not None and line < len(where):
            k, j = where[line]
            field = f"{f'orders[{k}].' if many else ''}lines[{j}].{field}"
        elif field and not many:
            field = field.removeprefix("orders[0].")
        out[field or "body"] = msg.english()
    return out


def _refused(exc: OrderRefused, orders=None, many=False):
    return error(422, "rejected", f"{len(exc.problems)} 处错误，未写入任何内容 / {len(exc.problems)} problems; "
                                  f"nothing was written", _fields(exc, orders, many))


def _yuan(fen: int) -> str:
    return str(fen_to_decimal(fen))


def _payment_json(found: queries.LinePayment | None) -> dict | None:
    """A line's payment standard and patient / fund split (None: no standard for its generic)."""
    if found is None:
        return None
    pay = found.pay
    return {"standard": _money(pay.standard_e4), "year": pay.year, "cap": _money(pay.cap_e4),
            "fund_per_pack": _money(pay.fund_e4), "patient_per_pack": _money(pay.patient_e4),
            "fund": _yuan(found.fund_fen), "patient": _yuan(found.patient_fen), "packs": found.packs,
            "on": found.on.isoformat(), "provisional": found.provisional}


def _order_json(view: queries.OrderView) -> dict:
    o = view.order
    return {"id": o.id, "number": o.number, "hospital": view.hospital.code, "distributor": view.distributor.code,
            "order_date": o.order_date.isoformat(), "status": o.status, "amount": _yuan(view.amount_fen),
            "accepted_amount": _yuan(view.accepted_fen),
            "lines": [{"id": ln.id, "line_no": ln.line_no, "product": p.code, "quantity": ln.quantity,
                       "price": _money(ln.price_e4), "amount": _yuan(ln.amount_fen), "status": ln.status,
                       "reason": ln.decision_note, "shipped": ln.shipped, "accepted": ln.accepted,
                       "payment": _payment_json(view.payments.get(ln.id))}
                      for ln, p, _s in view.lines],
            "shipments": [{"id": s.id, "number": s.number, "shipped_on": s.shipped_on.isoformat(),
                           "lines": [{"id": sl.id, "order_line": sl.order_line_id, "product": p.code,
                                      "quantity": sl.quantity, "lot_no": sl.lot_no,
                                      "expiry_on": sl.expiry_on.isoformat(), "accepted": sl.accepted,
                                      "rejected": sl.rejected} for sl, p in lines]}
                          for s, lines in view.shipments]}


def _place(many: bool):
    try:
        orders, send = orders_of(request.get_json(silent=True), many=many)
    except FieldsError as exc:
        return error(422, "invalid_order", "订单数据无效 / invalid order", exc.fields)
    try:
        placed = services.place_orders(get_session(), g.actor, orders, utcnow(), send=send)
    except Forbidden:
        return error(403, "forbidden", "只有医疗机构可以下单 / hospitals only")
    except OrderRefused as exc:
        return _refused(exc, orders, many)
    if not many:
        return jsonify(_order_json(queries.order_view(get_session(), g.actor, placed.orders[0].id))), 201
    return jsonify(orders=len(orders), lines=placed.lines, sent=send,
                   numbers=[o.number for o in placed.orders] if placed.orders else None), 201


@api.post("/orders")
@token_required
def place_order():
    """A hospital places one order (a draft, or sent with ``"send": true``)."""
    return _place(False)


@api.post("/orders/bulk")
@token_required
def place_bulk():
    """A hospital's day of orders in one request (up to 20,000 lines): all or none."""
    return _place(True)


@api.get("/orders")
@token_required
def list_orders():
    """The orders this organisation sees, 100 a page (``page``), newest first."""
    try:
        page_no = whole(request.args.get("page", "1"), "page", 1, 10**6)
    except InputError as exc:
        return error(422, "invalid_query", f"{exc.zh} / {exc.en}", exc.fields)
    page = lists.order_page(get_session(), g.actor, ListQuery({}, None, False, page_no, 100, ""))
    return jsonify(total=page.total, page=page.page, orders=[
        {"id": o.id, "number": o.number, "hospital": hospital, "distributor": distributor,
         "order_date": o.order_date.isoformat(), "status": o.status, "lines": n, "amount": _yuan(amount)}
        for o, hospital, distributor, n, amount, _accepted in page.rows])


@api.get("/orders/<int:order_id>")
@token_required
def get_order(order_id: int):
    """One order with the lines and shipments this organisation sees."""
    view = queries.order_view(get_session(), g.actor, order_id)
    if view is None:
        return error(404, "not_found", "no such order")
    return jsonify(_order_json(view))


def _step(order_id: int, read, run):
    if queries.order_of(get_session(), g.actor, order_id) is None:
        return error(404, "not_found", "no such order")
    try:
        value = read(request.get_json(silent=True))
    except FieldsError as exc:
        return error(422, "invalid_body", "请求数据无效 / invalid body", exc.fields)
    try:
        run(value)
    except Forbidden:
        return error(403, "forbidden", "无权执行此操作 / not allowed for this organisation")
    except OrderRefused as exc:
        return _refused(exc)
    return jsonify(_order_json(queries.order_view(get_session(), g.actor, order_id))), 201


@api.post("/orders/<int:order_id>/decisions")
@token_required
def decide_order_lines(order_id: int):
    """The distributor confirms or refuses lines (a refusal with its reason)."""
    return _step(order_id, decisions_of,
                 lambda d: delivery.decide_lines(get_session(), g.actor, order_id, d, utcnow()))


@api.post("/orders/<int:order_id>/shipments")
@token_required
def ship_order_lines(order_id: int):
    """The distributor ships packs of confirmed lines with lot and expiry."""
    return _step(order_id, shipment_of, lambda items: delivery.ship(get_session(), g.actor, order_id, items, utcnow()))


@api.post("/orders/<int:order_id>/shipment-lines/<int:shipment_line_id>/acceptance")
@token_required
def accept_shipment_line(order_id: int, shipment_line_id: int):
    """The hospital accepts packs of a shipment line, or rejects them with the reason."""
    return _step(order_id, answer_of, lambda a: delivery.answer_shipment_line(
        get_session(), g.actor, shipment_line_id, a[0], a[1], a[2], utcnow(), order_id=order_id))
