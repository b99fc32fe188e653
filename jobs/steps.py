"""Timed steps of the batch lifecycle, run by the scheduler (and callable from tests).

Each step runs in its own write transaction; a step that fails is reported and the others
still run. Steps are idempotent: a batch already moved is simply no longer due.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from accounts.models import User
from accounts.services import actor_for
from bidding.keys import KeyRing
from bidding.services import open_bids
from core.db import Database
from evaluation.models import Evaluation
from evaluation.services import claim_and_run
from jobs.bookkeeping import StepReport, backing_off, beat, record, run_step, with_write_session
from procurement.lifecycle import DEMAND_CLOSING, BatchStatus, Procedure
from procurement.models import Batch
from procurement.services import transition_batch
from results.services import start_allocation_publicity
from review.models import Objection, Publicity
from review.services import end_publicity

__all__ = ["StepReport", "run_and_record", "run_due_steps"]


def _due(db: Database, status: BatchStatus, column, now: datetime | None, publicity_over: datetime | None = None) -> list[str]:
    """Codes of batches in ``status`` whose ``column`` time has passed (or whose publicity
    period is over with every objection answered)."""
    with db.read_session() as s:
        if publicity_over is not None:
            unanswered = select(Objection.batch_id).where(Objection.answer == None)  # noqa: E711
            stmt = (select(Batch.code).join(Publicity, Publicity.batch_id == Batch.id)
                    .where(Batch.status == status, Publicity.ends_at <= publicity_over, Batch.id.not_in(unanswered)))
        else:
            stmt = select(Batch.code).where(Batch.status == status, column <= now)
        return list(s.exec(stmt).all())


#: what ends demand collection, by the action the batch's procedure takes at the deadline
#: (``procurement.lifecycle.DEMAND_CLOSING``): bidding opens, or the local allocation of an
#: executed result goes under publicity
CLOSING_STEPS = {
    "close_demand": lambda s, code, now: transition_batch(s, None, code, "close_demand", now=now),
    "start_publicity": lambda s, code, now: start_allocation_publicity(s, None, code, now),
}


def _demand_due(db: Database, now: datetime) -> list[tuple[str, str]]:
    """(code, closing action) of the batches collecting demand whose deadline has passed."""
    with db.read_session() as s:
        rows = s.exec(select(Batch.code, Batch.procedure).where(Batch.status == BatchStatus.DEMAND,
                                                                Batch.demand_deadline <= now)).all()
    return [(code, DEMAND_CLOSING[Procedure(procedure)]) for code, procedure in rows]


def run_due_steps(db: Database, keyring: KeyRing, now: datetime, skip: set[str] = frozenset(),
                  evaluation_workers: int = 1) -> StepReport:
    """Close demand at its deadline (a tendered batch to bidding, an executed result to the
    publicity of its local allocation), open bids at the opening time, run queued evaluations,
    and publish once a publicity period is over with every objection answered."""
    report = StepReport()
    for code, action in _demand_due(db, now):
        run_step(report, f"{action} {code}", skip=skip, run=lambda c=code, a=action: _with_session(
            db, lambda s: CLOSING_STEPS[a](s, c, now)))
    for code in _due(db, BatchStatus.BIDDING, Batch.opening_at, now):
        run_step(report, f"open_bids {code}", skip=skip, run=lambda c=code: _with_session(
            db, lambda s: open_bids(s, None, c, keyring, now)))
    for code in _due(db, BatchStatus.PUBLICITY, Batch.id, None, publicity_over=now):
        run_step(report, f"publish {code}", skip=skip, run=lambda c=code: _with_session(
            db, lambda s: end_publicity(s, None, c, now)))
    for run_id, user_id in _queued_evaluations(db):
        run_step(report, f"evaluation {run_id}", skip=skip, run=lambda r=run_id, u=user_id: _run_evaluation(db, r, u, evaluation_workers))
    return report


def _queued_evaluations(db: Database) -> list[tuple[int, int]]:
    """Evaluation runs nobody has claimed yet (e.g. the web process that queued them died)."""
    with db.read_session() as s:
        return [(r.id, r.requested_by) for r in s.exec(select(Evaluation).where(Evaluation.status == "queued")).all()]


def _run_evaluation(db: Database, run_id: int, user_id: int, workers: int = 1) -> None:
    """Claim and run a queued evaluation as the officer who requested it (in ``workers`` processes)."""
    with db.read_session() as s:
        actor = actor_for(s, s.get(User, user_id))
    claim_and_run(db, run_id, actor, workers)


def _with_session(db: Database, work) -> None:
    """Run ``work`` in a fresh write session, retrying serialization failures; its result (a
    batch, an opening …) is dropped, since a lifecycle step reports only done or failed."""
    with_write_session(db, work)


def run_and_record(db: Database, keyring: KeyRing, now: datetime, *, host: str = "", pid: int = 0,
                   interval_seconds: int = 15, evaluation_workers: int = 1) -> StepReport:
    """One pass of the lifecycle job with bookkeeping: heartbeat, a JobRun row per step, backoff
    for steps that keep failing, and a notice to the bureau when a step starts failing."""
    report = run_due_steps(db, keyring, now, skip=backing_off(db, now, interval_seconds), evaluation_workers=evaluation_workers)
    beat(db, now, host=host, pid=pid, interval_seconds=interval_seconds)
    record(db, report, now)
    return report
