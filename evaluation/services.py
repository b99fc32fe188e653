"""Use cases of evaluation: request a run, claim it, run it item by item with progress.

A request only queues a run (one transaction). Running happens in the background — a thread
started by the web request, or the scheduler, whichever claims the run first: the claim is an
atomic ``UPDATE … WHERE status = 'queued'``, so a run is never executed twice. Items are solved
in a pool of processes (``evaluation_workers``) and each result is committed in item order as
soon as it is in, so progress (item k of n) is visible while it runs. The clearing record keeps
the item's input snapshot and hash; its LP text and solver log are made when someone asks for
the record (``queries.clearing_record`` re-runs the snapshot), not during the run.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.clock import utcnow
from core.db import Database, lock_for_update
from core.money import parse_amount_fen
from core.outcome import Outcome
from evaluation.instance import build_instance
from evaluation.models import Evaluation, EvaluationItem
from optimizer.clearing import canonical_snapshot, snapshot_hash
from optimizer.encode import item_result_to_json
from optimizer.evaluate import solve_items
from procurement.lifecycle import BatchStatus
from procurement.models import Batch
from procurement.queries import find_batch
from procurement.rules import parse_rules
from procurement.services import transition_batch

RUNNABLE = frozenset({BatchStatus.OPENED, BatchStatus.EVALUATION})


class EvaluationError(ValueError):
    """An evaluation cannot be requested or run, with the reason."""


def request_evaluation(session: Session, actor: Actor, batch_code: str, now: datetime, note: str = "", *,
                       seen_version: int | None = None) -> Outcome[Evaluation]:
    """Queue a new evaluation version of an opened batch (price officers).

    ``seen_version`` is the latest version the officer's page showed (its form carries it):
    when a newer version exists already, this request repeats the one that made it (a double
    click, a retried POST) and is a no-op answering that version (``repeated``). The batch row
    is locked first, so concurrent requests queue one version."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    batch = find_batch(session, actor, batch_code)
    if batch is None:
        raise Forbidden("no such batch")
    batch = lock_for_update(session, Batch, batch.id)
    latest = session.exec(select(Evaluation).where(Evaluation.batch_id == batch.id)
                          .order_by(Evaluation.version.desc())).first()
    if seen_version is not None and latest is not None and latest.version > seen_version:
        session.commit()  # nothing written: end the locking transaction
        return Outcome(latest, repeated=True)
    if batch.status not in RUNNABLE:
        raise EvaluationError(f"批次须已开标或在评审中 / the batch must be opened or under evaluation ({batch.status})")
    busy = session.exec(select(Evaluation).where(Evaluation.batch_id == batch.id,
                                                 Evaluation.status.in_(("queued", "running")))).first()
    if busy is not None:
        raise EvaluationError(f"第 {busy.version} 版评审仍在进行 / version {busy.version} is still running")
    version = (latest.version if latest else 0) + 1
    run = Evaluation(batch_id=batch.id, version=version, rules_json=batch.rules_json, requested_by=actor.user_id,
                     note=note, created_at=now)
    session.add(run)
    if batch.status == BatchStatus.OPENED:
        transition_batch(session, actor, batch.code, "start_evaluation", now=now, commit=False, internal=True)
    session.flush()
    audit.record(session, actor.audit(), "evaluation.request", "batch", batch.code, {"version": version, "note": note}, at=now)
    session.commit()
    return Outcome(run)


def claim(db: Database, evaluation_id: int, now: datetime) -> bool:
    """Atomically move a queued run to running; False when someone else has it."""
    with db.write_session() as session:
        result = session.execute(update(Evaluation).where(Evaluation.id == evaluation_id, Evaluation.status == "queued")
                                 .values(status="running", started_at=now))
        session.commit()
        return result.rowcount == 1


def run_evaluation(db: Database, evaluation_id: int, actor: Actor, workers: int = 1) -> Evaluation:
    """Solve every item of a claimed run (``workers`` processes), committing each result in
    item order; never leaves it running."""
    with db.write_session() as session:
        run = session.get(Evaluation, evaluation_id)
        batch = session.get(Batch, run.batch_id)
        try:
            instance = build_instance(session, actor, batch, parse_rules(run.rules_json))
        except Exception as exc:  # noqa: BLE001 - recorded on the run, shown to officers
            return _fail(session, run, f"输入无法构建 / cannot build the input: {exc}")
        run.items_total = len(instance.items)
        snapshots = [canonical_snapshot(instance.rules, item) for item in instance.items]
        run.input_sha256 = hashlib.sha256("".join(snapshots).encode()).hexdigest()
        session.commit()
    objective = baseline = 0
    results = solve_items(instance.items, instance.rules, workers=workers)
    for item, snapshot, result in zip(instance.items, snapshots, results, strict=True):
        with db.write_session() as session:
            session.add(EvaluationItem(
                evaluation_id=evaluation_id, item_code=item.code, status=str(result.status),
                result_json=json.dumps(item_result_to_json(result), ensure_ascii=False),
                snapshot=snapshot, snapshot_sha256=snapshot_hash(snapshot)))
            run = session.get(Evaluation, evaluation_id)
            run.items_done += 1
            session.commit()
        objective += parse_amount_fen(result.objective) if result.objective is not None else 0
        baseline += parse_amount_fen(result.baseline_objective) if result.baseline_objective is not None else 0
    with db.write_session() as session:
        run = session.get(Evaluation, evaluation_id)
        run.status, run.finished_at = "done", utcnow()
        run.objective_fen, run.baseline_fen = objective, baseline
        batch = session.get(Batch, run.batch_id)
        audit.record(session, actor.audit(), "evaluation.done", "batch", batch.code,
                     {"version": run.version, "objective_fen": objective, "baseline_fen": baseline,
                      "input_sha256": run.input_sha256})
        session.commit()
        return run


def _fail(session: Session, run: Evaluation, message: str) -> Evaluation:
    """Mark a run failed with its reason."""
    run.status, run.error, run.finished_at = "failed", message[:2000], utcnow()
    session.commit()
    return run


def claim_and_run(db: Database, evaluation_id: int, actor: Actor, workers: int = 1) -> Evaluation | None:
    """Claim then run (the background entry point); None when another worker has it."""
    if not claim(db, evaluation_id, utcnow()):
        return None
    try:
        return run_evaluation(db, evaluation_id, actor, workers)
    except Exception as exc:  # noqa: BLE001 - a crashed run is marked failed, never left running
        with db.write_session() as session:
            return _fail(session, session.get(Evaluation, evaluation_id), f"{type(exc).__name__}: {exc}")
