"""The OpenAPI description of the listing endpoints (merged into :mod:`api.openapi`)."""

from __future__ import annotations

TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"  # no control characters
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2,4}$", "description": "yuan as a decimal string"}
ERR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _err(description: str) -> dict:
    return {"description": description, **ERR}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def listing_paths() -> dict:
    """Listed products: read them, list new ones (suppliers), the price in force on a date."""
    return {
        "/listing/products": {
            "get": {"operationId": "listListedProducts",
                    "summary": "Products this organisation sees (a supplier its own, a hospital the listed ones of "
                               "its province), 100 a page",
                    "parameters": [{"name": "page", "in": "query", "required": False,
                                    "schema": {"type": "integer", "minimum": 1, "maximum": 10**6}}],
                    "responses": {"200": _json({"$ref": "#/components/schemas/ListedProductPage"}, "one page"),
                                  "401": _err("missing or invalid token"), "422": _err("invalid page")}},
            "post": {"operationId": "listProducts",
                     "summary": "A supplier submits products for listing (officer approval follows): all or none",
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/ProductsRequest"}}}},
                     "responses": {"201": _json({"$ref": "#/components/schemas/ProductsSubmitted"}, "every product "
                                                "submitted"),
                                   "401": _err("missing or invalid token"), "403": _err("not a supplier"),
                                   "413": _err("body over the size limit"),
                                   "422": _err("invalid, or refused for a value it names; `fields` names each "
                                               "problem as products[i].field; nothing written")}}},
        "/listing/products/{code}/price": {"get": {
            "operationId": "priceInForce", "summary": "The approved price in force on a date (default today)",
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "schema": {"type": "string", "maxLength": 40}},
                           {"name": "on", "in": "query", "required": False,
                            "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": _json({"$ref": "#/components/schemas/PriceInForce"}, "the price (null before "
                                       "listing)"),
                          "401": _err("missing or invalid token"),
                          "404": _err("unknown, or not visible to this organisation"), "422": _err("on is not a date")}}},
    }


def listing_schemas() -> dict:
    """Request and response schemas of :func:`listing_paths`."""
    text = {"type": "string", "maxLength": 200, "pattern": TEXT}
    product_in = {"type": "object", "additionalProperties": False,
                  "required": ["code", "generic_name", "dosage_form", "spec", "pack", "mah", "price", "vbp_status"],
                  "properties": {"code": {"type": "string", "maxLength": 40}, "generic_name": text,
                                 "dosage_form": text, "spec": text, "pack": text, "mah": text,
                                 "price": {"type": "string", "maxLength": 30, "description": "yuan per pack"},
                                 "vbp_status": {"type": "string", "enum": ["selected", "non_selected", "not_vbp"]},
                                 "vbp_batch_code": {"type": ["string", "null"], "maxLength": 40}}}
    product = {"type": "object", "required": ["id", "code", "kind", "listed_price", "status"], "properties": {
        "id": {"type": "integer"}, "code": {"type": "string"}, "kind": {"type": "string", "enum": ["drug", "consumable"]},
        "generic_name": {"type": "string"}, "dosage_form": {"type": "string"}, "spec": {"type": "string"},
        "pack": {"type": "string"}, "mah": {"type": "string"}, "listed_price": MONEY,
        "vbp_status": {"type": "string"}, "vbp_batch_code": {"type": ["string", "null"]},
        "price_in_force": {"oneOf": [MONEY, {"type": "null"}], "description": "today's approved price (list only)"},
        "status": {"type": "string", "enum": ["pending", "listed", "rejected"]}}}
    return {
        "ListedProduct": product,
        "ListedProductPage": {"type": "object", "required": ["total", "page", "products"], "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "products": {"type": "array", "items": {"$ref": "#/components/schemas/ListedProduct"}}}},
        "ProductsRequest": {"type": "object", "required": ["products"], "properties": {
            "products": {"type": "array", "minItems": 1, "maxItems": 5000, "items": product_in}}},
        "ProductsSubmitted": {"type": "object", "required": ["submitted", "products"], "properties": {
            "submitted": {"type": "integer"},
            "products": {"type": "array", "items": {"$ref": "#/components/schemas/ListedProduct"}}}},
        "PriceInForce": {"type": "object", "required": ["code", "on", "price"], "properties": {
            "code": {"type": "string"}, "on": {"type": "string", "format": "date"},
            "price": {"oneOf": [MONEY, {"type": "null"}]},
            "effective_on": {"type": ["string", "null"], "format": "date"}}},
    }
