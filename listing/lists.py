"""Paged read models of the listing pages, filtered and sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

import listing.distribution  # noqa: F401  (registers the relations' scope rule)
import listing.queries  # noqa: F401  (registers the products' scope rule)
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch
from listing.models import DistributionRelation, ListedPrice, ListedProduct
from procurement.models import Region

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


RELATION_FILTERS = ("status",)
RELATION_SORTS = ("named", "region", "status")


def relation_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the distribution relations the actor sees, as (relation, supplier name,
    distributor name, region name) rows, waiting ones first, newest first; filter ``status``."""
    supplier, distributor = aliased(Organisation), aliased(Organisation)
    stmt = scope(select(DistributionRelation, supplier.name, distributor.name, Region.name)
                 .join(supplier, supplier.id == DistributionRelation.supplier_org_id)
                 .join(distributor, distributor.id == DistributionRelation.distributor_org_id)
                 .join(Region, Region.code == DistributionRelation.region_code), actor, DistributionRelation)
    if (status := query.get("status")) is not None:
        stmt = stmt.where(DistributionRelation.status == status)
    sorts = {"named": DistributionRelation.named_at, "region": DistributionRelation.region_code,
             "status": DistributionRelation.status}
    return fetch(session, stmt, query, sorts, (DistributionRelation.status != "pending",
                                               DistributionRelation.named_at.desc(), DistributionRelation.id.desc()))
