"""Paged read models of execution: the deliveries and acceptance lines in an actor's scope,
filtered and sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.scoping import scope
from core.money import line_amount_fen
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from review.models import Contract
from settlement.execution.queries import DeliveryRow, SettledLine
from settlement.models import (
    Acceptance,
    Delivery,
)
from settlement.runs.claims import clawed_back, settling_run

DELIVERY_FILTERS = ("contract",)
DELIVERY_SORTS = {"id": Delivery.id, "contract": Contract.code, "quantity": Delivery.quantity,
                  "shipped": Delivery.shipped_on}
LINE_FILTERS = ("contract", "month", "reconcile")
LINE_STATUSES = ("pending", "confirmed", "disputed")
LINE_SORTS = {"id": Acceptance.id, "contract": Contract.code, "accepted_on": Acceptance.accepted_on,
              "month": Acceptance.applied_month, "reconcile": Acceptance.reconcile_status}


def delivery_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE, *, open_only: bool = False) -> Page:
    """One page of the deliveries in the actor's scope, newest first, as
    :class:`settlement.execution.queries.DeliveryRow` (with the quantity accepted so far); ``open_only``
    keeps those with units still to accept; ``contract`` matches the contract code."""
    accepted = (select(Acceptance.delivery_id, func.sum(Acceptance.quantity).label("q"))
                .group_by(Acceptance.delivery_id).subquery())
    stmt = (scope(select(Delivery, Contract, func.coalesce(accepted.c.q, 0)), actor, Delivery)
            .join(Contract, Contract.id == Delivery.contract_id)
            .outerjoin(accepted, accepted.c.delivery_id == Delivery.id))
    stmt = narrowed(stmt, contains(query, "contract", Contract.code),
                    Delivery.quantity > func.coalesce(accepted.c.q, 0) if open_only else None)
    page = fetch(session, stmt, query, DELIVERY_SORTS, (Delivery.id.desc(),))
    return Page([DeliveryRow(d, c, int(q)) for d, c, q in page.rows], page.total, page.query)


def line_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the acceptance lines in the actor's scope, newest first, as (acceptance,
    contract, :class:`settlement.execution.queries.SettledLine` or ``None``): ``contract`` matches the
    contract code, ``month`` the month applied for, ``reconcile`` is a reconciliation status."""
    status = query.get("reconcile")
    stmt = (scope(select(Acceptance, Contract, settling_run(), clawed_back()), actor, Acceptance)
            .join(Contract, Contract.id == Acceptance.contract_id))
    stmt = narrowed(stmt, contains(query, "contract", Contract.code), contains(query, "month", Acceptance.applied_month),
                    Acceptance.reconcile_status == status if status in LINE_STATUSES else None)
    page = fetch(session, stmt, query, LINE_SORTS, (Acceptance.id.desc(),))
    rows = [(a, c, SettledLine(run, line_amount_fen(a.quantity - a.returned, c.ucp_e4) + int(claw))
             if run is not None else None) for a, c, run, claw in page.rows]
    return Page(rows, page.total, page.query)
