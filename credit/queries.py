"""What the credit pages show (read only, scoped): a breach, a rating with its basis and
repairs, a supplier's credit file, the suppliers an officer may record breaches against, and
the ratings of a batch's bidders (the opening and review pages)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import OrgKind
from accounts.scoping import scope, within_region
from bidding.models import OpenedBid, OpeningRecord
from credit.bars import standing
from credit.models import Breach, Rating, Repair
from credit.policy import Derivation
from credit.ratings import derivation
from procurement.models import Batch
from review.models import Contract


def _dealing_suppliers(actor: Actor):
    """Ids of suppliers that bid or hold contracts in the bureau's region's batches."""
    batches = select(Batch.id).where(within_region(Batch.region_code, actor.region_code))
    bidders = select(OpenedBid.supplier_org_id).join(OpeningRecord, OpenedBid.opening_id == OpeningRecord.id) \
        .where(OpeningRecord.batch_id.in_(batches))
    holders = select(Contract.supplier_org_id).where(Contract.batch_id.in_(batches))
    return bidders.union(holders)


def suppliers_for(session: Session, actor: Actor) -> list[Organisation]:
    """The suppliers a bureau actor deals with: inside its region, or bidding or contracted in
    its batches (suppliers bid across provinces)."""
    if not actor.is_bureau:
        return []
    return list(session.exec(select(Organisation).where(
        Organisation.kind == OrgKind.SUPPLIER,
        or_(within_region(Organisation.region_code, actor.region_code), Organisation.id.in_(_dealing_suppliers(actor))))
        .order_by(Organisation.name)).all())


def supplier_for(session: Session, actor: Actor, org_id: int) -> Organisation | None:
    """One supplier the actor may see the credit file of (a supplier: only itself)."""
    if not actor.is_bureau:
        return session.get(Organisation, org_id) if org_id == actor.org_id and actor.org_kind == OrgKind.SUPPLIER else None
    return next((s for s in suppliers_for(session, actor) if s.id == org_id), None)


def breach_of(session: Session, actor: Actor, breach_id: int) -> tuple[Breach, Organisation] | None:
    """A breach and its supplier, in scope."""
    return session.exec(scope(select(Breach, Organisation).join(Organisation, Organisation.id == Breach.supplier_org_id)
                              .where(Breach.id == breach_id), actor, Breach)).first()


def repair_of(session: Session, actor: Actor, repair_id: int) -> Repair | None:
    """A repair in scope."""
    return session.exec(scope(select(Repair).where(Repair.id == repair_id), actor, Repair)).first()


@dataclass(frozen=True)
class RatingView:
    """A rating with its supplier, the breaches it rests on, and its repairs."""

    rating: Rating
    supplier: Organisation
    basis: dict
    breaches: list[Breach]
    repairs: list[Repair]


def rating_view(session: Session, actor: Actor, rating_id: int) -> RatingView | None:
    """One rating in scope."""
    row = session.exec(scope(select(Rating, Organisation).join(Organisation, Organisation.id == Rating.supplier_org_id)
                             .where(Rating.id == rating_id), actor, Rating)).first()
    if row is None:
        return None
    rating, supplier = row
    basis = json.loads(rating.basis_json)
    breaches = list(session.exec(select(Breach).where(Breach.reference.in_(basis.get("breaches", [])))
                                 .order_by(Breach.occurred_on)).all())
    repairs = list(session.exec(select(Repair).where(Repair.rating_id == rating.id).order_by(Repair.id)).all())
    return RatingView(rating, supplier, basis, breaches, repairs)


@dataclass(frozen=True)
class CreditFile:
    """A supplier's credit file as its region's bureau sees it."""

    supplier: Organisation
    breaches: list[Breach]
    ratings: list[Rating]
    derived: Derivation | None  # what a rating proposed now would say


def credit_file(session: Session, actor: Actor, org_id: int, now) -> CreditFile | None:
    """The supplier's breaches and ratings in scope, and today's derivation (bureau only)."""
    supplier = supplier_for(session, actor, org_id)
    if supplier is None:
        return None
    breaches = list(session.exec(scope(select(Breach).where(Breach.supplier_org_id == org_id), actor, Breach)
                                 .order_by(Breach.occurred_on.desc())).all())
    ratings = list(session.exec(scope(select(Rating).where(Rating.supplier_org_id == org_id), actor, Rating)
                                .order_by(Rating.id.desc())).all())
    derived = derivation(session, actor.region_code, org_id, now) if actor.is_bureau else None
    return CreditFile(supplier, breaches, ratings, derived)


def bidder_ratings(session: Session, batch: Batch, day: date) -> list[tuple[Organisation, Rating | None]]:
    """Every bidder of the batch's opening with the rating in force that concerns the batch (the
    opening and review pages show them; published ratings are public)."""
    ids = set(session.exec(select(OpenedBid.supplier_org_id).join(OpeningRecord, OpenedBid.opening_id == OpeningRecord.id)
                           .where(OpeningRecord.batch_id == batch.id)).all())
    if not ids:
        return []
    found = standing(session, ids, batch.region_code, day)
    orgs = session.exec(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)).all()
    return [(o, found.get(o.id)) for o in orgs]
