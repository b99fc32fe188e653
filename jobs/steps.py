"""Timed steps of the batch lifecycle, run by the scheduler (and callable from tests).

Each step runs in its own write transaction; a step that fails is reported and the others
still run. Steps are idempotent: a batch already moved is simply no longer due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select

from accounts.models import User
from accounts.services import actor_for
from bidding.keys import KeyRing
from bidding.services import open_bids
from core.db import Database, retrying
from evaluation.models import Evaluation
from evaluation.services import claim_and_run
from procurement.lifecycle import BatchStatus
from procurement.models import Batch
from procurement.services import transition_batch
from review.models import Objection, Publicity
from review.services import end_publicity

log = logging.getLogger("jicai.jobs")


@dataclass
class StepReport:
    """What one pass of the due steps did."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


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


def run_due_steps(db: Database, keyring: KeyRing, now: datetime) -> StepReport:
    """Close demand at its deadline, open bids at the opening time, run queued evaluations,
    and publish once a publicity period is over with every objection answered."""
    report = StepReport()
    for code in _due(db, BatchStatus.DEMAND, Batch.demand_deadline, now):
        _step(report, f"close_demand {code}", lambda c=code: _with_session(
            db, lambda s: transition_batch(s, None, c, "close_demand", now=now)))
    for code in _due(db, BatchStatus.BIDDING, Batch.opening_at, now):
        _step(report, f"open_bids {code}", lambda c=code: _with_session(
            db, lambda s: open_bids(s, None, c, keyring, now)))
    for code in _due(db, BatchStatus.PUBLICITY, Batch.id, None, publicity_over=now):
        _step(report, f"publish {code}", lambda c=code: _with_session(
            db, lambda s: end_publicity(s, None, c, now)))
    for run_id, user_id in _queued_evaluations(db):
        _step(report, f"evaluation {run_id}", lambda r=run_id, u=user_id: _run_evaluation(db, r, u))
    return report


def _queued_evaluations(db: Database) -> list[tuple[int, int]]:
    """Evaluation runs nobody has claimed yet (e.g. the web process that queued them died)."""
    with db.read_session() as s:
        return [(r.id, r.requested_by) for r in s.exec(select(Evaluation).where(Evaluation.status == "queued")).all()]


def _run_evaluation(db: Database, run_id: int, user_id: int) -> None:
    """Claim and run a queued evaluation as the officer who requested it."""
    with db.read_session() as s:
        actor = actor_for(s, s.get(User, user_id))
    claim_and_run(db, run_id, actor)


def _with_session(db: Database, work) -> None:
    """Run ``work`` in a fresh write session, retrying serialization failures."""
    def unit():
        with db.write_session() as session:
            work(session)
    retrying(unit)


def _step(report: StepReport, name: str, run) -> None:
    """Run one step, recording success or the error (never raising)."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - one failed step must not stop the others
        log.exception("job step failed: %s", name)
        report.failed.append((name, str(exc)))
    else:
        log.info("job step done: %s", name)
        report.done.append(name)
