"""Paged read models of the bidding package: the opening record and a supplier's submissions,
filtered and sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import scope
from bidding.models import BidSubmission, OpenedBid
from bidding.queries import opened_row, opening_of, opening_statement
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from procurement.models import Batch, BatchItem, Item

OPENING_FILTERS = ("item", "supplier", "valid")
# Public columns only: a supplier may sort the others' bids by what it may see of them.
OPENING_SORTS = {"item": Item.code, "ucp": OpenedBid.ucp_e4, "valid": OpenedBid.valid, "submitted": OpenedBid.submitted_at}
SUBMISSION_FILTERS = ("item", "status")
SUBMISSION_SORTS = {"item": Item.code, "submitted": BidSubmission.submitted_at, "status": BidSubmission.status}


def opening_page(session: Session, actor: Actor, batch: Batch, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the opening record, item by item, valid bids first and cheapest first, as
    :class:`bidding.queries.OpenedRow`. ``item`` matches code or name, ``valid`` is yes/no; the
    ``supplier`` filter (code or name) applies to bureau roles only — a supplier does not learn
    who placed the others' bids."""
    record = opening_of(session, batch)
    if record is None or not (actor.is_bureau or actor.role == Role.SUPPLIER_REP):
        return Page([], 0, FIRST_PAGE)
    valid = {"yes": True, "no": False}.get(query.get("valid") or "")
    stmt = narrowed(opening_statement(record), contains(query, "item", Item.code, Item.generic_name),
                    contains(query, "supplier", Organisation.code, Organisation.name) if actor.is_bureau else None,
                    OpenedBid.valid == valid if valid is not None else None)
    page = fetch(session, stmt, query, OPENING_SORTS,
                 (Item.code, OpenedBid.valid.desc(), OpenedBid.ucp_e4.is_(None), OpenedBid.ucp_e4,
                  OpenedBid.submitted_at, OpenedBid.id))
    return Page([opened_row(actor, *found) for found in page.rows], page.total, page.query)


def submission_page(session: Session, actor: Actor, batch: Batch, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the supplier's submissions in a batch (live, superseded, withdrawn), newest
    first, as (submission, item): ``item`` matches code or name, ``status`` is a bid status."""
    status = query.get("status")
    stmt = narrowed(select(BidSubmission, Item).join(BatchItem, BidSubmission.batch_item_id == BatchItem.id)
                    .join(Item, BatchItem.item_id == Item.id)
                    .where(BidSubmission.batch_id == batch.id, BidSubmission.supplier_org_id == actor.org_id),
                    contains(query, "item", Item.code, Item.generic_name),
                    BidSubmission.status == status if status in ("live", "superseded", "withdrawn") else None)
    return fetch(session, scope(stmt, actor, BidSubmission), query, SUBMISSION_SORTS,
                 (BidSubmission.submitted_at.desc(), BidSubmission.id.desc()))
