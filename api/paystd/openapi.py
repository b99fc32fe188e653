"""The OpenAPI description of the payment-standard endpoint (merged into :mod:`api.openapi`)."""

from __future__ import annotations

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2,4}$", "description": "yuan as a decimal string"}
ERR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def paystd_paths() -> dict:
    """The payment standards in force on a date."""
    return {"/payment-standards": {"get": {
        "operationId": "paymentStandards",
        "summary": "The medical-insurance payment standards in force on a date (default today) and what the fund "
                   "pays for each listed product of their generics",
        "parameters": [{"name": "date", "in": "query", "required": False,
                        "schema": {"type": "string", "format": "date"}}],
        "responses": {"200": {"description": "the standards", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/PaymentStandards"}}}},
            "401": {"description": "missing or invalid token", **ERR},
            "422": {"description": "date is not a date", **ERR}}}}}


def paystd_schemas() -> dict:
    """Response schema of :func:`paystd_paths`."""
    nullable_text = {"type": ["string", "null"]}
    standard = {"type": "object", "required": ["item", "standard", "effective_on", "batch", "version"], "properties": {
        "item": {"type": "string"}, "generic_name": {"type": "string"}, "dosage_form": nullable_text,
        "supplier": nullable_text, "standard": MONEY, "per": {"type": "string"},
        "effective_on": {"type": "string", "format": "date"}, "batch": {"type": "string"},
        "version": {"type": "integer"}, "basis": {"type": "string", "enum": ["highest", "per_product"]},
        "fund_ratio": {"type": "string"}}}
    product = {"type": "object", "required": ["code", "price", "cap", "fund_pays", "patient_pays"], "properties": {
        "code": {"type": "string"}, "price": MONEY, "standard": MONEY, "transition_year": {"type": "integer"},
        "cap": MONEY, "paid": MONEY, "fund_pays": MONEY, "patient_pays": MONEY}}
    return {"PaymentStandards": {"type": "object", "required": ["date", "standards", "products"], "properties": {
        "date": {"type": "string", "format": "date"}, "standards": {"type": "array", "items": standard},
        "products": {"type": "array", "items": product}}}}
