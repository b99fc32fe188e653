"""Paged read models of the supply package: supply problems and takeovers, filtered and sorted
in SQL through :mod:`core.paging`, within the actor's scope."""

from __future__ import annotations

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from procurement.models import Batch, BatchItem, Item
from review.models import Contract
from supply.models import ProblemKind, SupplyProblem, Takeover

PROBLEM_FILTERS = ("hospital", "supplier", "kind", "state")
PROBLEM_STATES = ("open", "answered", "late")
TAKEOVER_FILTERS = ("supplier", "status")
TAKEOVER_STATUSES = ("proposed", "approved", "rejected", "restored")


def _problem_sorts(hospital, supplier) -> dict:
    """The sort keys of the problems list."""
    return {"reported": SupplyProblem.reported_at, "due": SupplyProblem.answer_due_at, "hospital": (hospital.name,),
            "supplier": (supplier.name,), "kind": SupplyProblem.kind}


PROBLEM_SORTS = tuple(_problem_sorts(Organisation, Organisation))


def problem_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of supply problems as rows (problem, contract, item, hospital, supplier, batch),
    newest first; ``state`` open (unanswered), answered, late (answered late)."""
    hospital, supplier = aliased(Organisation), aliased(Organisation)
    stmt = (select(SupplyProblem, Contract, Item, hospital, supplier, Batch)
            .join(Contract, Contract.id == SupplyProblem.contract_id)
            .join(BatchItem, BatchItem.id == Contract.batch_item_id).join(Item, Item.id == BatchItem.item_id)
            .join(hospital, hospital.id == SupplyProblem.hospital_org_id)
            .join(supplier, supplier.id == SupplyProblem.supplier_org_id)
            .join(Batch, Batch.id == SupplyProblem.batch_id))
    state, kind = query.get("state"), query.get("kind")
    stmt = narrowed(stmt, contains(query, "hospital", hospital.code, hospital.name),
                    contains(query, "supplier", supplier.code, supplier.name),
                    SupplyProblem.kind == kind if kind in ProblemKind.ALL else None,
                    {"open": SupplyProblem.answered_at.is_(None), "answered": SupplyProblem.answered_at.is_not(None),
                     "late": SupplyProblem.answered_late.is_(True)}.get(state))
    return fetch(session, scope(stmt, actor, SupplyProblem), query, _problem_sorts(hospital, supplier),
                 (SupplyProblem.reported_at.desc(), SupplyProblem.id.desc()))


TAKEOVER_SORTS = ("proposed", "starts", "status")


def takeover_page(session: Session, actor: Actor, batch: Batch, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the batch's takeovers as rows (takeover, item, failed, taker), newest first."""
    failed, taker = aliased(Organisation), aliased(Organisation)
    stmt = (select(Takeover, Item, failed, taker).join(BatchItem, BatchItem.id == Takeover.batch_item_id)
            .join(Item, Item.id == BatchItem.item_id).join(failed, failed.id == Takeover.failed_org_id)
            .join(taker, taker.id == Takeover.taker_org_id).where(Takeover.batch_id == batch.id))
    status = query.get("status")
    stmt = narrowed(stmt, contains(query, "supplier", failed.code, failed.name, taker.code, taker.name),
                    Takeover.status == status if status in TAKEOVER_STATUSES else None)
    sorts = {"proposed": Takeover.proposed_at, "starts": Takeover.starts_on, "status": Takeover.status}
    return fetch(session, scope(stmt, actor, Takeover), query, sorts, (Takeover.proposed_at.desc(), Takeover.id.desc()))
