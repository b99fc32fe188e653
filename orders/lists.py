"""Paged read models of the order pages, filtered and sorted in SQL through :mod:`core.paging`;
the same statements feed the Excel exports (every row the filters keep, up to a bound)."""

from __future__ import annotations

from sqlalchemy import BigInteger, cast, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

import orders.queries  # noqa: F401  (registers the orders' scope rules)
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch
from listing.models import ListedProduct
from orders.models import OrderLine, PurchaseOrder

EXPORT_LIMIT = 100_000  # rows in one exported workbook

ORDER_FILTERS = ("status", "q")
ORDER_SORTS = ("number", "date", "hospital", "amount", "status")


def _orders(actor: Actor, query: ListQuery):
    """The scoped statement of (order, hospital name, distributor name, lines, amount fen,
    accepted fen) over the lines the actor sees, and its sort columns."""
    hospital, distributor = aliased(Organisation), aliased(Organisation)
    lines = scope(select(OrderLine.order_id, func.count().label("n"),
                         cast(func.sum(OrderLine.amount_fen), BigInteger).label("amount"),  # PostgreSQL: numeric
                         cast(func.sum(OrderLine.accepted), BigInteger).label("accepted"))
                  .where(OrderLine.status.not_in(("refused", "withdrawn"))), actor, OrderLine) \
        .group_by(OrderLine.order_id).subquery()
    stmt = scope(select(PurchaseOrder, hospital.name, distributor.name, func.coalesce(lines.c.n, 0),
                        func.coalesce(lines.c.amount, 0), func.coalesce(lines.c.accepted, 0))
                 .join(hospital, hospital.id == PurchaseOrder.hospital_org_id)
                 .join(distributor, distributor.id == PurchaseOrder.distributor_org_id)
                 .outerjoin(lines, lines.c.order_id == PurchaseOrder.id), actor, PurchaseOrder)
    if (status := query.get("status")) is not None:
        stmt = stmt.where(PurchaseOrder.status == status)
    if (term := contains(query, "q", hospital.name, distributor.name)) is not None:
        stmt = stmt.where(term)
    sorts = {"number": PurchaseOrder.number, "date": PurchaseOrder.order_date, "hospital": hospital.name,
             "amount": func.coalesce(lines.c.amount, 0), "status": PurchaseOrder.status}
    return stmt, sorts


DEFAULT_ORDER = (PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())


def order_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the orders the actor sees, newest first; filters ``status`` and ``q``
    (hospital or distributor name)."""
    stmt, sorts = _orders(actor, query)
    return fetch(session, stmt, query, sorts, DEFAULT_ORDER)


def order_rows(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> list[tuple]:
    """Every order the filters keep (at most :data:`EXPORT_LIMIT`), for the Excel export."""
    stmt, _sorts = _orders(actor, query)
    return list(session.exec(stmt.order_by(*DEFAULT_ORDER).limit(EXPORT_LIMIT)).all())


def order_line_rows(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> list[tuple]:
    """The lines the actor sees of every order the filters keep (at most :data:`EXPORT_LIMIT`),
    as (order, line, product, hospital name), for the export's lines sheet."""
    orders, _sorts = _orders(actor, query)
    kept = orders.with_only_columns(PurchaseOrder.id).order_by(None).limit(EXPORT_LIMIT).subquery()
    hospital = aliased(Organisation)
    stmt = scope(select(PurchaseOrder, OrderLine, ListedProduct, hospital.name)
                 .join(OrderLine, OrderLine.order_id == PurchaseOrder.id)
                 .join(ListedProduct, ListedProduct.id == OrderLine.product_id)
                 .join(hospital, hospital.id == PurchaseOrder.hospital_org_id)
                 .where(PurchaseOrder.id.in_(select(kept.c.id))), actor, OrderLine)
    return list(session.exec(stmt.order_by(*DEFAULT_ORDER, OrderLine.line_no).limit(EXPORT_LIMIT)).all())
