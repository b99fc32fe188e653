"""Paged read models of the credit package: breaches and ratings, filtered and sorted in SQL
through :mod:`core.paging`, within the actor's scope."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from credit.models import Breach, Rating, Repair
from credit.policy import BREACH_KINDS, GRADES

BREACH_FILTERS = ("supplier", "kind", "status")
BREACH_STATUSES = ("recorded", "confirmed", "dismissed")
BREACH_SORTS = ("recorded", "occurred", "supplier", "status")
RATING_FILTERS = ("supplier", "grade", "status")
RATING_STATUSES = ("proposed", "published", "rejected", "superseded", "repaired")
RATING_SORTS = ("proposed", "supplier", "grade", "until")


def breach_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of breaches as rows (breach, supplier), newest first."""
    stmt = select(Breach, Organisation).join(Organisation, Organisation.id == Breach.supplier_org_id)
    kind, status = query.get("kind"), query.get("status")
    stmt = narrowed(stmt, contains(query, "supplier", Organisation.code, Organisation.name),
                    Breach.kind == kind if kind in BREACH_KINDS else None,
                    Breach.status == status if status in BREACH_STATUSES else None)
    sorts = {"recorded": Breach.recorded_at, "occurred": Breach.occurred_on, "supplier": (Organisation.name,),
             "status": Breach.status}
    return fetch(session, scope(stmt, actor, Breach), query, sorts, (Breach.recorded_at.desc(), Breach.id.desc()))


def rating_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of ratings as rows (rating, supplier), newest first."""
    stmt = select(Rating, Organisation).join(Organisation, Organisation.id == Rating.supplier_org_id)
    grade, status = query.get("grade"), query.get("status")
    stmt = narrowed(stmt, contains(query, "supplier", Organisation.code, Organisation.name),
                    Rating.grade == grade if grade in GRADES else None,
                    Rating.status == status if status in RATING_STATUSES else None)
    sorts = {"proposed": Rating.proposed_at, "supplier": (Organisation.name,), "grade": Rating.grade,
             "until": Rating.valid_until}
    return fetch(session, scope(stmt, actor, Rating), query, sorts, (Rating.proposed_at.desc(), Rating.id.desc()))


REPAIR_FILTERS = ("supplier", "status")
REPAIR_STATUSES = ("applied", "granted", "refused")
REPAIR_SORTS = ("applied", "supplier", "status")


def repair_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of credit-repair applications (appeals, 信用修复) as rows (repair, rating, supplier),
    newest first."""
    stmt = (select(Repair, Rating, Organisation).join(Rating, Rating.id == Repair.rating_id)
            .join(Organisation, Organisation.id == Repair.supplier_org_id))
    status = query.get("status")
    stmt = narrowed(stmt, contains(query, "supplier", Organisation.code, Organisation.name),
                    Repair.status == status if status in REPAIR_STATUSES else None)
    sorts = {"applied": Repair.applied_at, "supplier": (Organisation.name,), "status": Repair.status}
    return fetch(session, scope(stmt, actor, Repair), query, sorts, (Repair.applied_at.desc(), Repair.id.desc()))
