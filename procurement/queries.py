"""Read models for batches and the catalog, scoped to the actor."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.roles import Role
from accounts.scoping import by_region_reach, register_scope, scope
from procurement.lifecycle import (
    ActionState,
    BatchStatus,
    GuardContext,
    Procedure,
    action_states,
    available_actions,
)
from procurement.models import Batch, BatchItem, BatchRegion, BatchTransition, Item, Region
from procurement.rules import BatchRules, parse_rules


def _batch_rule(actor: Actor):
    """Bureau roles: batches of their region. Hospitals: batches covering their region.
    Suppliers: every announced batch (anyone may bid), never drafts. A container of direct
    settlement (procedure ``direct``, ``directpay/``) only for bureau roles."""
    if actor.role == Role.SUPPLIER_REP:
        return and_(Batch.status != "draft", Batch.procedure != Procedure.DIRECT)
    if not actor.is_bureau:
        return and_(by_region_reach(Batch.region_code)(actor), Batch.procedure != Procedure.DIRECT)
    return by_region_reach(Batch.region_code)(actor)


register_scope(Batch, _batch_rule)


@dataclass(frozen=True)
class BatchView:
    """Everything the batch page shows."""

    batch: Batch
    rules: BatchRules
    items: list[tuple[BatchItem, Item]]
    regions: list[Region]
    history: list[BatchTransition]
    actions: list[str]
    steps: list[ActionState]
    renews: Batch | None = None  # the batch this one renews (接续)
    renewed_by: tuple[Batch, ...] = ()  # the batches that renew this one


def list_batches(session: Session, actor: Actor, status: str | None = None, *, containers: bool = False) -> list[Batch]:
    """Batches the actor may see, newest first; the containers of direct settlement (procedure
    ``direct``) only with ``containers`` (the settlement officers' console)."""
    stmt = scope(select(Batch), actor, Batch)
    if not containers:
        stmt = stmt.where(Batch.procedure != Procedure.DIRECT)
    if status:
        stmt = stmt.where(Batch.status == status)
    return list(session.exec(stmt.order_by(Batch.created_at.desc(), Batch.id.desc())).all())


def plausible_code(code: str) -> bool:
    """Whether a batch code from a path could exist: at most 40 characters, no control
    characters (a NUL byte would make PostgreSQL fail rather than answer "no such batch")."""
    return len(code) <= 40 and not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in code)


def find_batch(session: Session, actor: Actor, code: str) -> Batch | None:
    """One batch by code within the actor's scope (None for a code no batch can have)."""
    if not plausible_code(code):
        return None
    return session.exec(scope(select(Batch).where(Batch.code == code), actor, Batch)).first()


def find_tendered_batch(session: Session, actor: Actor, code: str) -> Batch | None:
    """A batch the bureau tenders itself, within the actor's scope: bids, evaluation and review
    exist only for these (an executed result has none — its pages answer "not found")."""
    batch = find_batch(session, actor, code)
    return batch if batch is not None and batch.procedure == "tender" else None


def batch_view(session: Session, actor: Actor, code: str, now) -> BatchView | None:
    """The batch page's data, or None when unknown or out of scope."""
    batch = find_batch(session, actor, code)
    if batch is None:
        return None
    items = session.exec(
        select(BatchItem, Item).join(Item, BatchItem.item_id == Item.id)
        .where(BatchItem.batch_id == batch.id, BatchItem.active == True)  # noqa: E712
        .order_by(Item.code)
    ).all()
    regions = session.exec(
        select(Region).join(BatchRegion, BatchRegion.region_code == Region.code)
        .where(BatchRegion.batch_id == batch.id).order_by(Region.code)
    ).all()
    history = session.exec(
        select(BatchTransition).where(BatchTransition.batch_id == batch.id).order_by(BatchTransition.id)
    ).all()
    ctx = GuardContext(session=session, batch=batch, now=now, actor_user_id=actor.user_id, reason="")
    actions = available_actions(ctx) if actor.is_bureau else []
    steps = action_states(ctx) if actor.is_bureau else []
    renews = find_batch(session, actor, session.get(Batch, batch.renewal_of_id).code) if batch.renewal_of_id else None
    renewed_by = tuple(session.exec(scope(select(Batch).where(Batch.renewal_of_id == batch.id), actor, Batch)
                                    .order_by(Batch.id)).all())
    return BatchView(batch, parse_rules(batch.rules_json), list(items), list(regions),
                     list(history), actions, steps, renews, renewed_by)


def list_items(session: Session, active_only: bool = True) -> list[Item]:
    """The catalog (public reference data for every signed-in user)."""
    stmt = select(Item)
    if active_only:
        stmt = stmt.where(Item.active == True)  # noqa: E712
    return list(session.exec(stmt.order_by(Item.code)).all())


def list_regions(session: Session, parent_code: str | None = None) -> list[Region]:
    """Regions, optionally the children of one region."""
    stmt = select(Region)
    if parent_code is not None:
        stmt = stmt.where(Region.parent_code == parent_code)
    return list(session.exec(stmt.order_by(Region.code)).all())


def region_trail(session: Session, code: str) -> list[Region]:
    """The region and its ancestors below the whole country, outermost first (empty for the
    whole country or an unknown code): the breadcrumb of the regions page."""
    trail: list[Region] = []
    region = session.get(Region, code)
    while region is not None and region.level != "country" and len(trail) < 5:
        trail.insert(0, region)
        region = session.get(Region, region.parent_code) if region.parent_code else None
    return trail


def count_by_status(session: Session, actor: Actor) -> dict[str, int]:
    """How many visible batches are in each state (for landing pages)."""
    counts = {s.value: 0 for s in BatchStatus}
    for batch in list_batches(session, actor):
        counts[batch.status] = counts.get(batch.status, 0) + 1
    return counts
