"""Paged read models of the listing pages, filtered and sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

import listing.queries  # noqa: F401  (registers the scope rule)
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch
from listing.models import ListedPrice, ListedProduct

PRODUCT_FILTERS = ("status", "kind", "vbp", "q")
PRODUCT_SORTS = ("code", "name", "price", "submitted", "status")


def price_on(on: date):
    """SQL: the product's approved price in force on ``on`` (NULL before it is listed)."""
    return (select(ListedPrice.price_e4).where(ListedPrice.product_id == ListedProduct.id,
                                               ListedPrice.status == "approved", ListedPrice.effective_on <= on)
            .order_by(ListedPrice.effective_on.desc(), ListedPrice.id.desc()).limit(1)
            .correlate(ListedProduct).scalar_subquery())


def product_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE, *, on: date) -> Page:
    """One page of the products the actor sees, as (product, supplier name, price in force on
    ``on``) rows, waiting ones first, newest first; filters ``status``, ``kind``, ``vbp`` and ``q``
    (code, generic name, MAH); sorted by the price in force when asked."""
    in_force = price_on(on)
    sorts = {"code": ListedProduct.code, "name": ListedProduct.generic_name, "price": in_force,
             "submitted": ListedProduct.submitted_at, "status": ListedProduct.status}
    stmt = scope(select(ListedProduct, Organisation.name, in_force.label("price_now")).join(
        Organisation, Organisation.id == ListedProduct.supplier_org_id), actor, ListedProduct)
    for name, column in (("status", ListedProduct.status), ("kind", ListedProduct.kind),
                         ("vbp", ListedProduct.vbp_status)):
        if (value := query.get(name)) is not None:
            stmt = stmt.where(column == value)
    if (term := contains(query, "q", ListedProduct.code, ListedProduct.generic_name, ListedProduct.mah)) is not None:
        stmt = stmt.where(term)
    return fetch(session, stmt, query, sorts,
                 (ListedProduct.status != "pending", ListedProduct.submitted_at.desc(), ListedProduct.id.desc()))
