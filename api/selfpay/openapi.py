"""The OpenAPI description of the self-payment endpoints (merged into :mod:`api.openapi`)."""

from __future__ import annotations

from api.orders.openapi import ERR, MONEY, _err, _json, _ref


def selfpay_paths() -> dict:
    """Self-settled payments: the unpaid lines, and recording a hospital's payment."""
    return {
        "/self-payments/unpaid": {"get": {
            "operationId": "listUnpaidSelfSettled", "summary": "Unpaid self-settled accepted lines, oldest first",
            "responses": {"200": _json(_ref("UnpaidSelfSettled"), "the lines"),
                          "401": _err("missing or invalid token"), "403": _err("wrong role for this operation")}}},
        "/self-payments": {"post": {
            "operationId": "recordSelfPayment",
            "summary": "A hospital records its own payment of accepted lines: exactly their total, one supplier",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("SelfPaymentRequest")}}},
            "responses": {"201": _json(_ref("SelfPayment"), "the payment recorded"),
                          "401": _err("missing or invalid token"), "403": _err("wrong role for this operation"),
                          "413": {"description": "body over the size limit", **ERR},
                          "422": _err("invalid, or refused for a value it names (lines[k], paid_on, amount, "
                                      "bank_ref); nothing written")}}},
    }


def selfpay_schemas() -> dict:
    """Request and response schemas of :func:`selfpay_paths`."""
    line = {"type": "object", "required": ["acceptance", "amount", "accepted_on", "due_on", "days_overdue"],
            "properties": {"acceptance": {"type": "integer"}, "hospital": {"type": "string"},
                           "supplier": {"type": "string"}, "order": {"type": "integer"},
                           "product": {"type": "string"}, "lot_no": {"type": "string"},
                           "quantity": {"type": "integer"}, "amount": MONEY,
                           "accepted_on": {"type": "string", "format": "date"},
                           "due_on": {"type": "string", "format": "date"}, "days_overdue": {"type": "integer"}}}
    return {
        "UnpaidSelfSettled": {"type": "object", "required": ["total", "lines"], "properties": {
            "total": {"type": "integer"}, "lines": {"type": "array", "items": line}}},
        "SelfPaymentRequest": {"type": "object", "additionalProperties": False,
                               "required": ["lines", "paid_on", "amount", "bank_ref"], "properties": {
                                   "lines": {"type": "array", "minItems": 1, "maxItems": 2000,
                                             "items": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                                             "description": "order_acceptance ids"},
                                   "paid_on": {"type": "string", "maxLength": 10, "description": "YYYY-MM-DD"},
                                   "amount": {"type": "string", "maxLength": 20, "description": "yuan"},
                                   "bank_ref": {"type": "string", "maxLength": 40}}},
        "SelfPayment": {"type": "object", "required": ["id", "paid_on", "amount", "bank_ref", "lines"], "properties": {
            "id": {"type": "integer"}, "paid_on": {"type": "string", "format": "date"}, "amount": MONEY,
            "bank_ref": {"type": "string"}, "lines": {"type": "array", "items": {"type": "integer"}}}},
    }
