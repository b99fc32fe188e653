"""Timed steps of the batch lifecycle, run by the scheduler (and callable from tests).

Each step runs in its own write transaction; a step that fails is reported and the others
still run. Steps are idempotent: a batch already moved is simply no longer due.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import select

from accounts.models import Organisation, User
from accounts.services import actor_for
from bidding.keys import KeyRing
from bidding.services import open_bids
from core.db import Database, retrying
from evaluation.models import Evaluation
from evaluation.services import claim_and_run
from jobs.models import JobRun, SchedulerHeartbeat
from procurement.lifecycle import BatchStatus
from procurement.models import Batch
from procurement.services import transition_batch
from review.models import Notification, Objection, Publicity
from review.services import end_publicity

log = logging.getLogger("jicai.jobs")


@dataclass
class StepReport:
    """What one pass of the due steps did."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)


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


def run_due_steps(db: Database, keyring: KeyRing, now: datetime, skip: set[str] = frozenset()) -> StepReport:
    """Close demand at its deadline, open bids at the opening time, run queued evaluations,
    and publish once a publicity period is over with every objection answered."""
    report = StepReport()
    for code in _due(db, BatchStatus.DEMAND, Batch.demand_deadline, now):
        _step(report, f"close_demand {code}", skip=skip, run=lambda c=code: _with_session(
            db, lambda s: transition_batch(s, None, c, "close_demand", now=now)))
    for code in _due(db, BatchStatus.BIDDING, Batch.opening_at, now):
        _step(report, f"open_bids {code}", skip=skip, run=lambda c=code: _with_session(
            db, lambda s: open_bids(s, None, c, keyring, now)))
    for code in _due(db, BatchStatus.PUBLICITY, Batch.id, None, publicity_over=now):
        _step(report, f"publish {code}", skip=skip, run=lambda c=code: _with_session(
            db, lambda s: end_publicity(s, None, c, now)))
    for run_id, user_id in _queued_evaluations(db):
        _step(report, f"evaluation {run_id}", skip=skip, run=lambda r=run_id, u=user_id: _run_evaluation(db, r, u))
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


def _step(report: StepReport, name: str, run, skip: set[str] = frozenset()) -> None:
    """Run one step, recording success or the error (never raising); skipped while backing off."""
    if name in skip:
        report.waiting.append(name)
        return
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - one failed step must not stop the others
        log.exception("job step failed: %s", name)
        report.failed.append((name, str(exc)))
    else:
        log.info("job step done: %s", name)
        report.done.append(name)


def run_and_record(db: Database, keyring: KeyRing, now: datetime, *, host: str = "", pid: int = 0,
                   interval_seconds: int = 15) -> StepReport:
    """One scheduler pass with bookkeeping: heartbeat, a JobRun row per step, backoff for
    steps that keep failing, and a notification to the bureau when a step fails."""
    started = time.monotonic()
    backing_off = _backing_off(db, now, interval_seconds)
    report = run_due_steps(db, keyring, now, skip=backing_off)
    elapsed = time.monotonic() - started
    with db.write_session() as s:
        beat = s.get(SchedulerHeartbeat, 1)
        if beat is None:
            s.add(SchedulerHeartbeat(id=1, host=host[:100], pid=pid, interval_seconds=interval_seconds, beat_at=now))
        else:
            beat.host, beat.pid, beat.interval_seconds, beat.beat_at = host[:100], pid, interval_seconds, now
        for name in report.done:
            s.add(JobRun(name=name[:80], started_at=now, seconds=elapsed, ok=True))
        for name, error in report.failed:
            attempt = _attempts(s, name) + 1
            s.add(JobRun(name=name[:80], started_at=now, seconds=elapsed, ok=False, detail=error[:4000], attempt=attempt))
            _notify_failure(s, name, error, now)
        s.commit()
    return report


def _attempts(session, name: str) -> int:
    """How many times in a row this step has failed."""
    runs = session.exec(select(JobRun).where(JobRun.name == name[:80]).order_by(JobRun.id.desc()).limit(20)).all()
    count = 0
    for run in runs:
        if run.ok:
            break
        count += 1
    return count


def _backing_off(db: Database, now: datetime, interval_seconds: int) -> set[str]:
    """Steps whose last failure is too recent: wait interval × 2^(failures) (at most an hour)."""
    waiting: set[str] = set()
    with db.read_session() as s:
        recent = s.exec(select(JobRun).where(JobRun.ok == False, JobRun.started_at > now - timedelta(hours=1))  # noqa: E712
                        .order_by(JobRun.id.desc())).all()
        for run in recent:
            if run.name in waiting:
                continue
            delay = min(3600, interval_seconds * 2 ** run.attempt)
            if now < run.started_at + timedelta(seconds=delay):
                waiting.add(run.name)
    return waiting


def _notify_failure(session, name: str, error: str, now: datetime) -> None:
    """Tell the bureau of the batch concerned that a scheduled step failed."""
    code = name.split(" ", 1)[1] if " " in name else ""
    batch = session.exec(select(Batch).where(Batch.code == code)).first()
    if batch is None:
        return
    for org in session.exec(select(Organisation).where(Organisation.kind == "bureau",
                                                       Organisation.region_code == batch.region_code)).all():
        session.add(Notification(org_id=org.id, role=None, kind="job_failed", batch_code=code,
                                 text=f"定时任务失败，将自动重试 / scheduled step failed, will retry: {name}: {error[:300]}",
                                 created_at=now))
