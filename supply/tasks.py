"""Landing-page tasks of the supply guarantee, derived from state: problems a supplier has not
answered (due by the answer time), takeovers awaiting a second officer (four-eyes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.roles import Role
from accounts.scoping import scope
from procurement.models import Batch
from procurement.rules import parse_rules
from procurement.tasks import Task
from supply.models import SupplyProblem, Takeover


def supply_tasks(session: Session, actor: Actor, now: datetime) -> list[Task]:
    """The actor's supply to-dos, one per batch."""
    tasks = []
    if actor.role == Role.SUPPLIER_REP:
        rows = session.exec(scope(select(Batch.code, Batch.name, func.count(), func.min(SupplyProblem.answer_due_at))
                                  .join(Batch, Batch.id == SupplyProblem.batch_id)
                                  .where(SupplyProblem.answered_at.is_(None)), actor, SupplyProblem)
                            .group_by(Batch.code, Batch.name)).all()
        tasks += [Task("answer_supply_problem", code, name, due, due <= now, count=n) for code, name, n, due in rows]
    if actor.role == Role.PRICE_OFFICER:
        rows = session.exec(scope(select(Takeover, Batch).join(Batch, Batch.id == Takeover.batch_id)
                                  .where(Takeover.status == "proposed"), actor, Takeover)).all()
        for takeover, batch in rows:
            mine = takeover.proposed_by == actor.user_id and parse_rules(batch.rules_json).four_eyes
            tasks.append(Task("takeover_awaits_second" if mine else "decide_takeover", batch.code, batch.name,
                              since=takeover.proposed_at))
    return tasks
