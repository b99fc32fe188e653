"""Landing-page tasks of review: contracts awaiting this organisation's confirmation."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.actor import Actor
from procurement.models import Batch
from procurement.tasks import Task
from review.queries import unsigned_count


def contract_tasks(session: Session, actor: Actor) -> list[Task]:
    """One task per batch with contracts this hospital or supplier has not confirmed."""
    tasks = []
    for code, n in unsigned_count(session, actor):
        name = session.exec(select(Batch.name).where(Batch.code == code)).one()
        tasks.append(Task("sign_contracts", code, f"{name}（{n}）"))
    return tasks
