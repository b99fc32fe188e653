"""Paged read models of the review package: a batch's contracts, filtered and sorted in SQL
through :mod:`core.paging`."""

from __future__ import annotations

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from procurement.models import Batch, BatchItem, Item
from procurement.queries import find_batch
from review.models import Contract

CONTRACT_FILTERS = ("hospital", "supplier", "item", "status")
CONTRACT_STATUSES = ("unsigned", "signed")


def _contract_sorts(hospital, supplier) -> dict:
    """The whitelist of sort keys of the contracts list."""
    return {"code": Contract.code, "item": (Item.code,), "hospital": (hospital.name,), "supplier": (supplier.name,),
            "price": Contract.ucp_e4, "demand": Contract.reported_demand, "volume": Contract.agreed_volume,
            "status": Contract.status}


CONTRACT_SORTS = tuple(_contract_sorts(Organisation, Organisation))


def contract_page(session: Session, actor: Actor, code: str,
                  query: ListQuery = FIRST_PAGE) -> tuple[Batch, Page] | None:
    """One page of the batch's contracts within the actor's scope, as rows of (contract, item,
    hospital, supplier): filters ``hospital``/``supplier``/``item`` match a code or name,
    ``status`` is a contract status. ``None`` when the batch is not visible."""
    batch = find_batch(session, actor, code)
    if batch is None:
        return None
    hospital, supplier = aliased(Organisation), aliased(Organisation)
    stmt = (select(Contract, Item, hospital, supplier)
            .join(BatchItem, Contract.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
            .join(hospital, Contract.hospital_org_id == hospital.id)
            .join(supplier, Contract.supplier_org_id == supplier.id)
            .where(Contract.batch_id == batch.id))
    status = query.get("status")
    stmt = narrowed(stmt, contains(query, "hospital", hospital.code, hospital.name),
                    contains(query, "supplier", supplier.code, supplier.name),
                    contains(query, "item", Item.code, Item.generic_name),
                    Contract.status == status if status in CONTRACT_STATUSES else None)
    page = fetch(session, scope(stmt, actor, Contract), query, _contract_sorts(hospital, supplier),
                 (Item.code, Contract.code, Contract.id))
    return batch, page

