"""Landing-page tasks of credit, derived from state: breaches a supplier may still state its
case on, breaches and repairs an officer may decide, ratings awaiting a second officer.
Credit belongs to no batch: the tasks carry the supplier's name instead."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import scope
from credit.models import Breach, Rating, Repair
from credit.store import policy_for
from procurement.tasks import Task


def credit_tasks(session: Session, actor: Actor, now: datetime) -> list[Task]:
    """The actor's credit to-dos."""
    tasks = []
    if actor.role == Role.SUPPLIER_REP:
        for b in session.exec(scope(select(Breach).where(Breach.status == "recorded", Breach.statement.is_(None)),
                                    actor, Breach)).all():
            if now <= b.statement_due_at:
                tasks.append(Task("state_breach", "", b.reference, b.statement_due_at))
        return tasks
    if actor.role != Role.PRICE_OFFICER:
        return tasks
    names = dict(session.exec(select(Organisation.id, Organisation.name).where(Organisation.kind == "supplier")).all())
    for b in session.exec(scope(select(Breach).where(Breach.status == "recorded"), actor, Breach)).all():
        if b.statement is not None or now > b.statement_due_at:
            tasks.append(Task("decide_breach", "", f"{names.get(b.supplier_org_id, '')} {b.reference}",
                              since=b.stated_at or b.statement_due_at))
    four_eyes = policy_for(session, actor.region_code).four_eyes
    for r in session.exec(scope(select(Rating).where(Rating.status == "proposed"), actor, Rating)).all():
        code = "rating_awaits_second" if four_eyes and r.proposed_by == actor.user_id else "confirm_rating"
        tasks.append(Task(code, "", names.get(r.supplier_org_id, ""), since=r.proposed_at))
    for p in session.exec(scope(select(Repair).where(Repair.status == "applied"), actor, Repair)).all():
        tasks.append(Task("decide_repair", "", names.get(p.supplier_org_id, ""), since=p.applied_at))
    return tasks
