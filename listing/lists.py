"""Paged read models of the listing pages, filtered and sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from sqlmodel import Session, select

import listing.queries  # noqa: F401  (registers the scope rule)
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch
from listing.models import ListedProduct

PRODUCT_FILTERS = ("status", "kind", "vbp", "q")
PRODUCT_SORTS = {"code": ListedProduct.code, "name": ListedProduct.generic_name, "price": ListedProduct.price_e4,
                 "submitted": ListedProduct.submitted_at, "status": ListedProduct.status}


def product_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the products the actor sees, as (product, supplier name) rows, waiting ones
    first, newest first; filters ``status``, ``kind``, ``vbp`` and ``q`` (code, generic name, MAH)."""
    stmt = scope(select(ListedProduct, Organisation.name).join(
        Organisation, Organisation.id == ListedProduct.supplier_org_id), actor, ListedProduct)
    for name, column in (("status", ListedProduct.status), ("kind", ListedProduct.kind),
                         ("vbp", ListedProduct.vbp_status)):
        if (value := query.get(name)) is not None:
            stmt = stmt.where(column == value)
    if (term := contains(query, "q", ListedProduct.code, ListedProduct.generic_name, ListedProduct.mah)) is not None:
        stmt = stmt.where(term)
    return fetch(session, stmt, query, PRODUCT_SORTS,
                 (ListedProduct.status != "pending", ListedProduct.submitted_at.desc(), ListedProduct.id.desc()))
