"""Paged read models of the procurement package: the batch list and the catalog, filtered and
sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from procurement.lifecycle import BatchStatus, Procedure
from procurement.models import Batch, Item

BATCH_FILTERS = ("q", "status")
BATCH_SORTS = {"code": Batch.code, "name": Batch.name, "status": Batch.status, "created": Batch.created_at,
               "demand_deadline": Batch.demand_deadline, "bid_deadline": Batch.bid_deadline,
               "opening": Batch.opening_at}
ITEM_FILTERS = ("q", "kind")
ITEM_SORTS = {"code": Item.code, "name": Item.generic_name, "form": Item.dosage_form, "kind": Item.kind}


def batch_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the batches the actor may see, newest first (the containers of direct
    settlement apart): ``q`` matches code or name, ``status`` is a batch status."""
    status = query.get("status")
    stmt = narrowed(scope(select(Batch).where(Batch.procedure != Procedure.DIRECT), actor, Batch), contains(query, "q", Batch.code, Batch.name),
                    Batch.status == status if status in set(BatchStatus) else None)
    return fetch(session, stmt, query, BATCH_SORTS, (Batch.created_at.desc(), Batch.id.desc()))


def item_page(session: Session, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the active catalog (reference data every signed-in user reads) by code:
    ``q`` matches code, generic name or category, ``kind`` is drug or consumable."""
    kind = query.get("kind")
    stmt = narrowed(select(Item).where(Item.active == True),  # noqa: E712
                    contains(query, "q", Item.code, Item.generic_name, Item.category),
                    Item.kind == kind if kind in ("drug", "consumable") else None)
    return fetch(session, stmt, query, ITEM_SORTS, (Item.code, Item.id))
