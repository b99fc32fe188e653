"""What each role must do next, for its landing page (codes; the web layer words them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from accounts.actor import Actor
from accounts.roles import Role
from procurement.demand.queries import demand_task_state
from procurement.lifecycle import BatchStatus as S
from procurement.queries import list_batches


@dataclass(frozen=True)
class Task:
    """One thing to do: a code the template words, the batch it concerns, and when it is due."""

    code: str
    batch_code: str
    batch_name: str
    due: datetime | None = None
    overdue: bool = False
    since: datetime | None = None  # waiting since (a step without a deadline)
    count: int | None = None  # how many things the task stands for (lines, objections, contracts)


def _officer_task(status: str, batch, now: datetime) -> Task | None:
    """The next step a price officer owes a batch in ``status``."""
    def task(code: str, due: datetime | None = None) -> Task:
        return Task(code, batch.code, batch.name, due, bool(due and due <= now))

    if status == S.DRAFT:
        return task("complete_draft", batch.demand_deadline)
    if status == S.DEMAND:
        return task("watch_demand", batch.demand_deadline)
    if status == S.BIDDING:
        return task("await_opening", batch.opening_at)
    if status == S.OPENED:
        return task("start_evaluation")
    if status == S.EVALUATION:
        return task("review_result")
    return None  # review, publicity and execution: review.tasks (who submitted, objections, cycle start)


def tasks_for(session: Session, actor: Actor, now: datetime) -> list[Task]:
    """The actor's open tasks, most urgent first."""
    tasks: list[Task] = []
    batches = list_batches(session, actor)
    submitted, reminded = set(), set()
    if actor.role == Role.HOSPITAL_BUYER:
        submitted, reminded = demand_task_state(session, actor, [b.id for b in batches if b.status == S.DEMAND])
    for batch in batches:
        status = batch.status
        if actor.role == Role.HOSPITAL_BUYER and status == S.DEMAND:
            code = "demand_submitted" if batch.id in submitted else (
                "demand_reminded" if batch.id in reminded else "submit_demand")
            tasks.append(Task(code, batch.code, batch.name, batch.demand_deadline,
                              code != "demand_submitted" and bool(batch.demand_deadline and batch.demand_deadline <= now)))
        elif actor.role == Role.SUPPLIER_REP and status == S.BIDDING:
            tasks.append(Task("submit_bids", batch.code, batch.name, batch.bid_deadline,
                              bool(batch.bid_deadline and batch.bid_deadline <= now)))
        elif actor.role == Role.PRICE_OFFICER:
            task = _officer_task(status, batch, now)
            if task:
                tasks.append(task)
        elif actor.role == Role.SETTLEMENT_OFFICER and status == S.EXECUTION:
            tasks.append(Task("run_settlement", batch.code, batch.name))
        if status == S.EXECUTION and actor.role in (Role.HOSPITAL_BUYER, Role.SETTLEMENT_OFFICER,
                                                    Role.SUPPLIER_REP):
            from settlement.tasks import (
                execution_tasks,  # settlement builds on procurement, not back
            )

            tasks.extend(execution_tasks(session, actor, batch, now))
    return most_urgent_first(tasks, now)


def most_urgent_first(tasks: list[Task], now: datetime) -> list[Task]:
    """Overdue first, then by due date (tasks without one last), then by batch."""
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(tasks, key=lambda t: (not t.overdue, t.due or far, t.batch_code))
