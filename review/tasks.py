"""Landing-page tasks of review, derived from state: a result awaiting the second officer
(four-eyes), objections to answer during publicity, the publicity notice for hospitals and
bidders, the start of execution when the cycle begins, and contracts awaiting confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from accounts.actor import Actor
from accounts.roles import Role
from evaluation.models import Evaluation
from procurement.lifecycle import BatchStatus as S
from procurement.models import Batch
from procurement.queries import list_batches
from procurement.rules import parse_rules
from procurement.tasks import Task
from review.models import Objection, Publicity, ReviewDecision
from review.queries import unsigned_count

SHANGHAI = ZoneInfo("Asia/Shanghai")


def contract_tasks(session: Session, actor: Actor) -> list[Task]:
    """One task per batch with contracts this hospital or supplier has not confirmed."""
    tasks = []
    for code, n in unsigned_count(session, actor):
        name = session.exec(select(Batch.name).where(Batch.code == code)).one()
        tasks.append(Task("sign_contracts", code, name, count=n))
    return tasks


def _submission(session: Session, batch: Batch) -> tuple[ReviewDecision, Evaluation] | None:
    """The latest submission for review of the batch and its evaluation."""
    return session.exec(select(ReviewDecision, Evaluation).join(Evaluation, ReviewDecision.evaluation_id == Evaluation.id)
                        .where(Evaluation.batch_id == batch.id, ReviewDecision.decision == "submitted")
                        .order_by(ReviewDecision.id.desc())).first()


def cycle_start_at(batch: Batch, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """The first moment of the batch's cycle (local midnight of its first day), in UTC."""
    if batch.cycle_start is None:
        return None
    return datetime.combine(batch.cycle_start, time(0), tzinfo=tz).astimezone(UTC)


def review_tasks(session: Session, actor: Actor, now: datetime) -> list[Task]:
    """The actor's tasks for batches under review, under publicity and published."""
    tasks: list[Task] = []
    for batch in list_batches(session, actor):
        if batch.status == S.REVIEW and actor.role == Role.PRICE_OFFICER:
            tasks.extend(_review(session, actor, batch))
        elif batch.status == S.PUBLICITY:
            tasks.extend(_publicity(session, actor, batch, now))
        elif batch.status == S.PUBLISHED and actor.role == Role.PRICE_OFFICER:
            due = cycle_start_at(batch)
            tasks.append(Task("start_execution", batch.code, batch.name, due, bool(due and due <= now)))
    return tasks


def _review(session: Session, actor: Actor, batch: Batch) -> list[Task]:
    """Four-eyes: another officer approves; the officer who ran or submitted the result waits."""
    found = _submission(session, batch)
    if found is None:
        return []
    decision, run = found
    own = parse_rules(batch.rules_json).four_eyes and actor.user_id in {run.requested_by, decision.decided_by}
    code = "awaiting_second_officer" if own else "approve_review"
    return [Task(code, batch.code, batch.name, since=decision.decided_at)]


def _publicity(session: Session, actor: Actor, batch: Batch, now: datetime) -> list[Task]:
    """Officers answer the open objections before the period ends (then the scheduler publishes);
    hospitals and bidders see the proposed result while it is under publicity."""
    publicity = session.exec(select(Publicity).where(Publicity.batch_id == batch.id)).first()
    if publicity is None:
        return []
    due = publicity.ends_at
    if actor.role == Role.PRICE_OFFICER:
        open_objections = session.exec(select(func.count()).select_from(Objection).where(
            Objection.batch_id == batch.id, Objection.answer == None)).one()  # noqa: E711
        if open_objections:
            return [Task("answer_objections", batch.code, batch.name, due, due <= now, count=open_objections)]
        return [Task("publicity_running", batch.code, batch.name, due)]
    if actor.role == Role.HOSPITAL_BUYER:
        return [Task("see_publicity", batch.code, batch.name, due)]
    if actor.role == Role.SUPPLIER_REP:
        return [Task("see_result", batch.code, batch.name, due)]
    return []
