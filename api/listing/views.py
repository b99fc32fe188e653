"""Listing routes of ``/api/v1`` (on the blueprint of :mod:`api.views`): a supplier's ERP lists
products all or nothing; every organisation reads the products it sees and the price in force
on a date."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify, request

from accounts.actor import Forbidden
from accounts.roles import Role
from api.listing.bodies import FieldsError, products_of
from api.views import _money, api, error, token_required
from core.clock import utcnow
from core.inputs import InputError, whole
from core.paging import ListQuery
from listing import lists, queries
from listing.codes import normalise
from listing.services import local_date, submit_listings
from web.db import get_session

SUPPLIERS = "只有医药企业可以挂网 / suppliers only"


def _product_json(product) -> dict:
    return {"id": product.id, "code": product.code, "kind": product.kind, "generic_name": product.generic_name,
            "dosage_form": product.dosage_form, "spec": product.spec, "pack": product.pack, "mah": product.mah,
            "listed_price": _money(product.price_e4), "vbp_status": product.vbp_status,
            "vbp_batch_code": product.vbp_batch_code, "status": product.status}


@api.get("/listing/products")
@token_required
def listed_products():
    """The products this organisation sees, 100 a page (``page``)."""
    try:
        page_no = whole(request.args.get("page", "1"), "page", 1, 10**6)
    except InputError as exc:
        return error(422, "invalid_query", f"{exc.zh} / {exc.en}", exc.fields)
    page = lists.product_page(get_session(), g.actor, ListQuery({}, None, False, page_no, 100, ""),
                              on=local_date(utcnow()))
    return jsonify(total=page.total, page=page.page,
                   products=[{**_product_json(p), "price_in_force": _money(now)} for p, _name, now in page.rows])


@api.post("/listing/products")
@token_required
def list_products():
    """A supplier lists products: every one, or none with each refused field named."""
    if g.actor.role != Role.SUPPLIER_REP:
        return error(403, "forbidden", SUPPLIERS)
    try:
        items = products_of(request.get_json(silent=True))
    except FieldsError as exc:
        return error(422, "invalid_products", "产品数据无效 / invalid products", exc.fields)
    try:
        products, problems = submit_listings(get_session(), g.actor, items, utcnow())
    except Forbidden:
        return error(403, "forbidden", SUPPLIERS)
    if problems:
        fields = {f"products[{n}].{field}": why.english() for n, field, why in problems[:500]}
        return error(422, "rejected", f"{len(problems)} 处错误，未挂网任何产品 / {len(problems)} problems; nothing "
                                      f"was listed", fields)
    return jsonify(submitted=len(products), products=[_product_json(p) for p in products]), 201


@api.get("/listing/products/<code>/price")
@token_required
def price_on(code: str):
    """The price in force on ``on`` (default: today) of a product this organisation sees."""
    raw = request.args.get("on", "")
    try:
        day = date.fromisoformat(raw) if raw else local_date(utcnow())
    except ValueError:
        return error(422, "invalid_query", "日期应为 2026-12-01 格式 / on must look like 2026-12-01",
                     {"on": "not a date"})
    product = queries.product_by_code(get_session(), g.actor, normalise(code)[:27])
    if product is None:
        return error(404, "not_found", "no such product")
    price = queries.price_in_force(get_session(), product.id, day)
    return jsonify(code=product.code, on=day.isoformat(), price=_money(price.price_e4) if price else None,
                   effective_on=price.effective_on.isoformat() if price else None)
