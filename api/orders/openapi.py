"""The OpenAPI description of the order endpoints (merged into :mod:`api.openapi`)."""

from __future__ import annotations

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2,4}$", "description": "yuan as a decimal string"}
PAYMENT = {"type": ["object", "null"], "description": "the fund / patient split of the line's accepted packs, each "
           "at the payment standard in force on the day it was accepted (standard, year and cap: of the latest "
           "day, ``on``); with nothing accepted yet, a provisional split of the ordered packs at the standard in "
           "force on the order date (null: no standard for the product's generic)",
           "required": ["standard", "year", "cap", "fund_per_pack", "patient_per_pack", "fund", "patient", "packs",
                        "on", "provisional"],
           "properties": {"standard": MONEY, "year": {"type": "integer"}, "cap": MONEY, "fund_per_pack": MONEY,
                          "patient_per_pack": MONEY, "fund": MONEY, "patient": MONEY,
                          "packs": {"type": "integer"}, "on": {"type": "string", "format": "date"},
                          "provisional": {"type": "boolean"}}}
ERR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
PACKS = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 10_000_000}, {"type": "string", "maxLength": 20}],
         "description": "whole packs"}


def _err(description: str) -> dict:
    return {"description": description, **ERR}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _post(op: str, summary: str, body: str, ok: dict, parameters: list) -> dict:
    return {"post": {"operationId": op, "summary": summary, "parameters": parameters,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(body)}}},
                     "responses": {"201": ok, "401": _err("missing or invalid token"),
                                   "403": _err("wrong role for this operation"),
                                   "404": _err("unknown, or not visible to this organisation"),
                                   "413": _err("body over the size limit"),
                                   "422": _err("invalid, or refused for a value it names; `fields` names each problem "
                                               "(lines[j].field, orders[k].lines[j].field); nothing written")}}}


def orders_paths() -> dict:
    """Orders: place one or a day's orders (hospitals), list and read them, answer lines and ship
    with lots (distributors), accept shipped packs (hospitals)."""
    order = _json(_ref("Order"), "the order as this organisation sees it")
    return {
        "/orders": {
            "get": {"operationId": "listOrders", "summary": "Orders this organisation sees, 100 a page, newest first",
                    "parameters": [{"name": "page", "in": "query", "required": False,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 10**6}}],
                    "responses": {"200": _json(_ref("OrderPage"), "one page"),
                                  "401": _err("missing or invalid token"), "422": _err("invalid page")}},
            **_post("placeOrder", "A hospital places one order at the prices in force today (a draft, or sent with "
                                  "send: true)", "OrderRequest", order, [])},
        "/orders/bulk": _post("placeOrders", "A hospital's day of orders (up to 20,000 lines): all or none",
                              "OrdersRequest", _json(_ref("OrdersPlaced"), "every order placed"), []),
        "/orders/{order_id}": {"get": {
            "operationId": "getOrder", "summary": "One order with its lines and shipments",
            "parameters": [_path_id("order_id")],
            "responses": {"200": order, "401": _err("missing or invalid token"),
                          "404": _err("unknown, or not visible to this organisation")}}},
        "/orders/{order_id}/decisions": _post("decideLines", "The distributor confirms or refuses lines (a refusal "
                                              "with its reason)", "Decisions", order, [_path_id("order_id")]),
        "/orders/{order_id}/shipments": _post("shipLines", "The distributor ships packs of confirmed lines, each with "
                                              "its lot and expiry (after today)", "ShipmentRequest", order,
                                              [_path_id("order_id")]),
        "/orders/{order_id}/shipment-lines/{shipment_line_id}/acceptance": _post(
            "acceptShipmentLine", "The hospital accepts packs of a shipment line (at most shipped less answered), or "
                                  "rejects them with the reason", "AcceptanceRequest", order,
            [_path_id("order_id"), _path_id("shipment_line_id")]),
    }


def orders_schemas() -> dict:
    """Request and response schemas of :func:`orders_paths`."""
    text = {"type": "string", "maxLength": 200}
    line_in = {"type": "object", "additionalProperties": False, "required": ["product", "quantity"], "properties": {
        "product": {"type": "string", "maxLength": 40, "description": "national medical-insurance code"},
        "quantity": PACKS, "price": {"type": ["string", "null"], "maxLength": 30,
                                     "description": "yuan per pack expected; refused unless the price in force"}}}
    order_in = {"type": "object", "additionalProperties": False, "required": ["distributor", "lines"], "properties": {
        "distributor": {"type": "string", "maxLength": 40, "description": "the distributor's organisation code"},
        "lines": {"type": "array", "minItems": 1, "items": line_in}, "note": {"type": ["string", "null"], **{
            "maxLength": 200}}, "ref": {"type": ["string", "null"], "maxLength": 60}}}
    line = {"type": "object", "required": ["id", "line_no", "product", "quantity", "price", "amount", "status"],
            "properties": {"id": {"type": "integer"}, "line_no": {"type": "integer"}, "product": {"type": "string"},
                           "quantity": {"type": "integer"}, "price": MONEY, "amount": MONEY,
                           "status": {"type": "string",
                                      "enum": ["draft", "pending", "confirmed", "refused", "withdrawn"]},
                           "reason": {"type": "string"}, "shipped": {"type": "integer"},
                           "accepted": {"type": "integer"}, "payment": PAYMENT}}
    shipment = {"type": "object", "required": ["id", "number", "shipped_on", "lines"], "properties": {
        "id": {"type": "integer"}, "number": {"type": "integer"}, "shipped_on": {"type": "string", "format": "date"},
        "lines": {"type": "array", "items": {"type": "object", "required": ["id", "order_line", "quantity", "lot_no",
                                                                           "expiry_on"], "properties": {
            "id": {"type": "integer"}, "order_line": {"type": "integer"}, "product": {"type": "string"},
            "quantity": {"type": "integer"}, "lot_no": {"type": "string"},
            "expiry_on": {"type": "string", "format": "date"}, "accepted": {"type": "integer"},
            "rejected": {"type": "integer"}}}}}}
    head = {"id": {"type": "integer"}, "number": {"type": "integer"}, "hospital": {"type": "string"},
            "distributor": {"type": "string"}, "order_date": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": ["draft", "sent", "withdrawn"]}, "amount": MONEY}
    return {
        "OrderRequest": {**order_in, "properties": {**order_in["properties"], "send": {"type": "boolean"}}},
        "OrdersRequest": {"type": "object", "additionalProperties": False, "required": ["orders"], "properties": {
            "orders": {"type": "array", "minItems": 1, "items": order_in}, "send": {"type": "boolean"}}},
        "OrdersPlaced": {"type": "object", "required": ["orders", "lines", "sent"], "properties": {
            "orders": {"type": "integer"}, "lines": {"type": "integer"}, "sent": {"type": "boolean"},
            "numbers": {"type": ["array", "null"], "items": {"type": "integer"},
                        "description": "order numbers (when at most 100 orders)"}}},
        "Order": {"type": "object", "required": ["id", "number", "status", "lines", "shipments"], "properties": {
            **head, "accepted_amount": MONEY, "lines": {"type": "array", "items": line},
            "shipments": {"type": "array", "items": shipment}}},
        "OrderPage": {"type": "object", "required": ["total", "page", "orders"], "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "orders": {"type": "array", "items": {"type": "object", "required": ["id", "number", "status"],
                                                  "properties": {**head, "hospital": {"type": "string"},
                                                                 "lines": {"type": "integer"}}}}}},
        "Decisions": {"type": "object", "required": ["lines"], "properties": {"lines": {
            "type": "array", "minItems": 1, "items": {"type": "object", "additionalProperties": False,
                                                      "required": ["line", "confirm"], "properties": {
                "line": ID, "confirm": {"type": "boolean"}, "reason": {"type": ["string", "null"], "maxLength": 200}}}}}},
        "ShipmentRequest": {"type": "object", "required": ["lines"], "properties": {"lines": {
            "type": "array", "minItems": 1, "items": {"type": "object", "additionalProperties": False,
                                                      "required": ["line", "quantity", "lot_no", "expiry_on"],
                                                      "properties": {"line": ID, "quantity": PACKS,
                                                                     "lot_no": {"type": "string", "maxLength": 40},
                                                                     "expiry_on": {"type": "string",
                                                                                   "format": "date"}}}}}},
        "AcceptanceRequest": {"type": "object", "additionalProperties": False, "required": ["quantity", "accept"],
                              "properties": {"quantity": PACKS, "accept": {"type": "boolean"}, "reason": text}},
    }
