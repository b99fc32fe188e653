"""The OpenAPI 3.1 description of ``/api/v1`` (kept next to the routes it describes)."""

from __future__ import annotations

from api.listing.openapi import listing_paths, listing_schemas
from api.orders.openapi import orders_paths, orders_schemas
from api.paystd.openapi import paystd_paths, paystd_schemas
from api.selfpay.openapi import selfpay_paths, selfpay_schemas

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2,4}$", "description": "yuan as a decimal string"}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}}
CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}}


ID_MAX = 2**31 - 1


def _err(description: str) -> dict:
    """An error response in the one error shape."""
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _answers(status: str, schema: dict, description: str, **errors: str) -> dict:
    """The success response, 401, and the given error responses (``e403="…"``)."""
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}},
            "401": _err("missing or invalid token"), **{k[1:]: _err(v) for k, v in errors.items()}}


def _ok(schema: dict, description: str) -> dict:
    """A 200 response plus the error responses every endpoint can give."""
    return _answers("200", schema, description, e404="unknown, or not visible to this organisation")


def _list(name: str) -> dict:
    """An array of a component schema."""
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}


def _ref(name: str) -> dict:
    """A component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _body(name: str) -> dict:
    """A required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _id(name: str) -> dict:
    """An integer path parameter."""
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX}}


def _query(name: str, schema: dict, description: str) -> dict:
    """An optional query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


REFUSED = {"e403": "wrong role for this operation", "e404": "unknown, or not visible to this organisation",
           "e409": "refused by the settlement rules (state); nothing written",
           "e422": "invalid request, or refused for a value it names; `fields` names each problem; nothing written"}


def settlement_paths() -> dict:
    """Deliveries, acceptance, returns, application, reconciliation, statements, payments and refunds."""
    return {
        "/deliveries": {
            "get": {"operationId": "listDeliveries",
                    "summary": "A supplier's own deliveries, or those addressed to a hospital, newest first, with "
                               "accepted quantities and acceptance lines",
                    "parameters": [_query("batch", {"type": "string", "maxLength": 40}, "only this batch"),
                                   _query("open", {"type": "boolean"}, "only deliveries not fully accepted"),
                                   _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000},
                                          "at most this many (default 100)"),
                                   _query("before", {"type": "integer", "minimum": 1, "maximum": ID_MAX},
                                          "only ids below this one (the next page)")],
                    "responses": _answers("200", _list("Delivery"), "deliveries", e403=REFUSED["e403"],
                                          e404="unknown batch", e422="invalid query parameters")},
            "post": {"operationId": "recordDeliveries",
                     "summary": "A supplier records shipments against its signed contracts: all lines or none",
                     "requestBody": _body("DeliveryLines"),
                     "responses": {**_answers("201", _ref("Recorded"), "every line recorded", **REFUSED),
                                   "413": _err("body over the size limit")}}},
        "/deliveries/{delivery_id}/acceptance": {"post": {
            "operationId": "acceptDelivery", "summary": "A hospital accepts all or part of a delivery to it",
            "parameters": [_id("delivery_id")], "requestBody": _body("AcceptanceRequest"),
            "responses": _answers("201", _ref("Acceptance"), "the new acceptance line", **REFUSED)}},
        "/acceptances/{acceptance_id}/returns": {"post": {
            "operationId": "returnGoods", "summary": "A hospital sends back accepted goods (a settled line's overpayment is clawed back)",
            "parameters": [_id("acceptance_id")], "requestBody": _body("ReturnRequest"),
            "responses": _answers("201", _ref("Return"), "the return", **REFUSED)}},
        "/batches/{code}/settlement-applications": {"post": {
            "operationId": "applyForSettlement",
            "summary": "A supplier applies for settlement of its accepted lines up to a finished month",
            "parameters": [CODE], "requestBody": _body("ApplicationRequest"),
            "responses": _answers("201", _ref("Application"), "lines applied for", **REFUSED)}},
        "/reconciliations": {"post": {
            "operationId": "reconcile",
            "summary": "A hospital confirms or disputes applied lines (disputed lines wait for a later run)",
            "requestBody": _body("ReconciliationRequest"),
            "responses": _answers("200", _ref("Reconciliation"), "lines reconciled", **REFUSED)}},
        "/statements": {"get": {
            "operationId": "listStatements", "summary": "A hospital's deduction statements, newest first",
            "responses": _answers("200", _list("Statement"), "statements", e403=REFUSED["e403"])}},
        "/payments": {"get": {
            "operationId": "listPayments", "summary": "A supplier's payment instructions and their status, newest first",
            "responses": _answers("200", _list("Payment"), "payment instructions", e403=REFUSED["e403"])}},
        "/refunds": {"get": {
            "operationId": "listRefunds",
            "summary": "Returns after settlement that no later settlement could take back, asked back from the "
                       "supplier: a supplier's to pay, a hospital's owed to it; newest first",
            "responses": _answers("200", _list("Refund"), "refunds", e403=REFUSED["e403"])}},
    }


DATE = {"type": "string", "format": "date"}
TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"  # no control characters
COUNT = {"type": "integer", "minimum": 1, "maximum": 10**9}


def _object(required: list[str], properties: dict, *, closed: bool = False) -> dict:
    """An object schema (``closed``: no other properties allowed, as for request bodies)."""
    out = {"type": "object", "required": required, "properties": properties}
    return {**out, "additionalProperties": False} if closed else out


def settlement_schemas() -> dict:
    """Request and response schemas of :func:`settlement_paths`."""
    acceptance = {"id": {"type": "integer"}, "delivery": {"type": "integer"}, "quantity": {"type": "integer"},
                  "returned": {"type": "integer"}, "accepted_on": DATE,
                  "applied_month": {"type": ["string", "null"]},
                  "reconcile_status": {"type": "string", "enum": ["pending", "confirmed", "disputed"]},
                  "settled": {"type": "boolean"}}
    return {
        "DeliveryLines": _object(["lines"], {"lines": {"type": "array", "minItems": 1, "maxItems": 20000, "items": _object(
            ["contract", "quantity", "shipped_on"],
            {"contract": {"type": "string", "minLength": 1, "maxLength": 60, "pattern": TEXT}, "quantity": COUNT, "shipped_on": DATE,
             "supplier_ref": {"type": ["string", "null"], "maxLength": 60, "pattern": TEXT}}, closed=True)}}),
        "Recorded": _object(["recorded"], {"recorded": {"type": "integer"}}),
        "Delivery": _object(
            ["id", "batch", "contract", "item", "hospital", "supplier", "unit_price", "quantity", "accepted",
             "open_quantity", "shipped_on", "supplier_ref", "source", "recorded_at", "acceptances"],
            {"id": {"type": "integer"}, "batch": {"type": "string"}, "contract": {"type": "string"},
             "item": {"type": "string"}, "hospital": {"type": "string"}, "supplier": {"type": "string"},
             "unit_price": MONEY, "quantity": {"type": "integer"}, "accepted": {"type": "integer"},
             "open_quantity": {"type": "integer"}, "shipped_on": DATE, "supplier_ref": {"type": "string"},
             "source": {"type": "string", "enum": ["form", "workbook", "api"]},
             "recorded_at": {"type": "string", "format": "date-time"},
             "acceptances": _list("Acceptance")}),
        "AcceptanceRequest": _object(["quantity", "accepted_on"], {"quantity": COUNT, "accepted_on": DATE}, closed=True),
        "Acceptance": _object(list(acceptance), acceptance),
        "ReturnRequest": _object(["quantity", "returned_on", "reason"],
                                 {"quantity": COUNT, "returned_on": DATE,
                                  "reason": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": TEXT}}, closed=True),
        "Return": _object(["id", "acceptance", "quantity", "returned_on", "reason", "clawback"],
                          {"id": {"type": "integer"}, "acceptance": {"type": "integer"},
                           "quantity": {"type": "integer"}, "returned_on": DATE, "reason": {"type": "string"},
                           "clawback": MONEY | {"description": "on a line already settled: the overpayment the "
                                                               "next run takes back (0.00 otherwise)"}}),
        "ApplicationRequest": _object(["month"], {"month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}},
                                      closed=True),
        "Application": _object(["batch", "month", "lines"], {"batch": {"type": "string"}, "month": {"type": "string"},
                                                             "lines": {"type": "integer"}}),
        "ReconciliationRequest": _object(
            ["lines", "confirm"],
            {"lines": {"type": "array", "minItems": 1, "maxItems": 10000,
                       "items": {"type": "integer", "minimum": 1, "maximum": ID_MAX}},
             "confirm": {"type": "boolean", "description": "true confirms, false disputes (a reason is required)"},
             "reason": {"type": ["string", "null"], "maxLength": 200, "pattern": TEXT}}, closed=True),
        "Reconciliation": _object(["lines", "status"], {"lines": {"type": "integer"},
                                                        "status": {"type": "string", "enum": ["confirmed", "disputed"]}}),
        "Statement": _object(
            ["run", "batch", "month", "hospital", "gross", "offset", "net_deducted", "advance_before", "advance_after",
             "clawback", "lines", "released"],
            {"run": {"type": "string"}, "batch": {"type": "string"}, "month": {"type": "string"},
             "hospital": {"type": "string"}, "gross": MONEY, "offset": MONEY, "net_deducted": MONEY,
             "advance_before": MONEY, "advance_after": MONEY,
             "clawback": MONEY | {"description": "returns after earlier settlements taken off the gross"},
             "lines": {"type": "integer"},
             "released": {"type": "boolean", "description": "the run's bank files have been released"},
             "bank_ref": {"type": "string", "description": "the bank's own reference (银行流水号) from its return file"}}),
        "Refund": _object(
            ["reference", "batch", "hospital", "supplier", "amount", "returns", "differences", "status", "requested_at",
             "received_on", "bank_ref"],
            {"reference": {"type": "string"}, "batch": {"type": "string"}, "hospital": {"type": "string"},
             "supplier": {"type": "string"}, "amount": MONEY, "returns": {"type": "integer"},
             "differences": {"type": "integer", "description": "supply-takeover price differences (and their "
                             "credits for returned units) among what is asked back"},
             "status": {"type": "string", "enum": ["requested", "received"]},
             "requested_at": {"type": "string", "format": "date-time"},
             "received_on": {"type": ["string", "null"], "format": "date"},
             "bank_ref": {"type": ["string", "null"]}}),
        "Payment": _object(
            ["reference", "run", "batch", "month", "amount", "status", "status_at", "lines", "failure_reason",
             "reissue_of", "released", "bank_ref"],
            {"reference": {"type": "string"}, "run": {"type": "string"}, "batch": {"type": "string"},
             "month": {"type": "string"}, "amount": MONEY,
             "status": {"type": "string", "enum": ["issued", "paid", "failed", "reissued"]},
             "status_at": {"type": ["string", "null"], "format": "date-time"}, "lines": {"type": "integer"},
             "failure_reason": {"type": "string"}, "reissue_of": {"type": ["string", "null"]},
             "released": {"type": "boolean", "description": "the run's bank files have been released"},
             "bank_ref": {"type": "string", "description": "the bank's own reference (银行流水号) from its return file"}}),
    }


def openapi_document(server_url: str) -> dict:
    """The whole document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "jicai API", "version": "1.0.0",
                 "description": "集采平台系统对接接口 / system-to-system API. Authenticate with "
                                "`Authorization: Bearer <token>` (tokens are created per organisation in the UI). "
                                "Money is always a decimal string in yuan."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/me": {"get": {"operationId": "me", "summary": "The organisation and role of this token",
                            "responses": _ok({"$ref": "#/components/schemas/Me"}, "who the token acts for")}},
            "/batches": {"get": {"operationId": "listBatches", "summary": "Batches visible to this organisation",
                                 "responses": _ok(_list("Batch"), "batches")}},
            "/batches/{code}/contracts": {"get": {
                "operationId": "listContracts", "summary": "Contracts of a batch within this organisation's scope",
                "parameters": [CODE], "responses": _ok(_list("Contract"), "contracts")}},
            "/batches/{code}/demand": {"post": {
                "operationId": "submitDemand", "summary": "A hospital's committed annual volumes: a new demand version",
                "parameters": [CODE],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/DemandLines"}}}},
                "responses": _answers("201", _ref("DemandVersion"), "accepted as a new version",
                                      e403="not a hospital", e404="unknown, or not visible to this organisation",
                                      e409="refused (deadline, state)",
                                      e422="rejected: nothing written; fields name each problem")}},
            "/batches/{code}/bids": {"get": {
                "operationId": "listBids", "summary": "This supplier's bids: receipts and status; prices after the opening",
                "parameters": [CODE], "responses": _answers("200", _list("Bid"), "bids", e403="not a supplier",
                                                           e404="unknown, or not visible to this organisation")}},
            **settlement_paths(),
            **listing_paths(),
            **orders_paths(),
            **paystd_paths(),
            **selfpay_paths(),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "Me": {"type": "object", "required": ["organisation", "role"], "properties": {
                    "organisation": {"type": "string"}, "role": {"type": "string"}}},
                "Batch": {"type": "object", "required": ["code", "name", "status"], "properties": {
                    "code": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string"},
                    "demand_deadline": {"type": ["string", "null"], "format": "date-time"},
                    "bid_deadline": {"type": ["string", "null"], "format": "date-time"},
                    "opening_at": {"type": ["string", "null"], "format": "date-time"}}},
                "Contract": {"type": "object", "required": ["code", "item", "hospital", "supplier", "unit_price",
                                                            "agreed_volume", "status"], "properties": {
                    "code": {"type": "string"}, "item": {"type": "string"}, "hospital": {"type": "string"},
                    "supplier": {"type": "string"}, "unit_price": MONEY, "pack_price": {"oneOf": [MONEY, {"type": "null"}]},
                    "agreed_volume": {"type": "integer"}, "reported_demand": {"type": "integer"},
                    "period_start": {"type": "string", "format": "date"}, "period_end": {"type": "string", "format": "date"},
                    "status": {"type": "string", "enum": ["unsigned", "signed"]}}},
                "DemandLines": {"type": "object", "required": ["lines"], "properties": {"lines": {
                    "type": "array", "items": {"type": "object", "required": ["item", "last_year_use", "committed"],
                                               "properties": {"item": {"type": "string"},
                                                              "last_year_use": {"type": "integer"},
                                                              "committed": {"type": "integer"},
                                                              "preferred_brand": {"type": ["string", "null"]},
                                                              "reason": {"type": ["string", "null"]}}}}}},
                "DemandVersion": {"type": "object", "required": ["batch", "version", "lines"], "properties": {
                    "batch": {"type": "string"}, "version": {"type": "integer"}, "lines": {"type": "integer"}}},
                "Bid": {"type": "object", "required": ["item", "receipt", "status", "submitted_at"], "properties": {
                    "item": {"type": "string"}, "receipt": {"type": "string"}, "status": {"type": "string"},
                    "submitted_at": {"type": "string", "format": "date-time"},
                    "unit_comparable_price": {"oneOf": [MONEY, {"type": "null"}]},
                    "valid": {"type": ["boolean", "null"]}}},
                **settlement_schemas(),
                **listing_schemas(),
                **orders_schemas(),
                **paystd_schemas(),
                **selfpay_schemas(),
            },
        },
    }
