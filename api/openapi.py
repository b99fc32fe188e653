"""The OpenAPI 3.1 description of ``/api/v1`` (kept next to the routes it describes)."""

from __future__ import annotations

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2,4}$", "description": "yuan as a decimal string"}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}}
CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}}


def _ok(schema: dict, description: str) -> dict:
    """A 200 response plus the error responses every endpoint can give."""
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}},
            "401": {"description": "missing or invalid token", **err},
            "404": {"description": "unknown, or not visible to this organisation", **err}}


def _list(name: str) -> dict:
    """An array of a component schema."""
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}


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
                "responses": {**{k: v for k, v in _ok({"type": "object"}, "").items() if k != "200"}, "201": {"description": "accepted as a new version",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DemandVersion"}}}},
                              "403": {"description": "not a hospital", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                              "409": {"description": "refused (deadline, state)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                              "422": {"description": "rejected: nothing written; fields name each problem",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}},
            "/batches/{code}/bids": {"get": {
                "operationId": "listBids", "summary": "This supplier's bids: receipts and status; prices after the opening",
                "parameters": [CODE], "responses": _ok(_list("Bid"), "bids")}},
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
            },
        },
    }
