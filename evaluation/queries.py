"""Read models of evaluations (bureau roles of the batch's region only)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from accounts.actor import Actor
from evaluation.models import Evaluation, EvaluationItem
from procurement.models import Batch
from procurement.queries import find_batch


@dataclass(frozen=True)
class RunView:
    """A run with its items' results decoded."""

    run: Evaluation
    items: list[tuple[EvaluationItem, dict]]


def runs_of(session: Session, actor: Actor, batch_code: str) -> tuple[Batch, list[Evaluation]] | None:
    """The batch and its evaluation runs, newest first (bureau roles only)."""
    batch = find_batch(session, actor, batch_code)
    if batch is None or not actor.is_bureau:
        return None
    runs = session.exec(select(Evaluation).where(Evaluation.batch_id == batch.id)
                        .order_by(Evaluation.version.desc())).all()
    return batch, list(runs)


def run_view(session: Session, actor: Actor, batch_code: str, version: int) -> tuple[Batch, RunView] | None:
    """One run with its item results."""
    found = runs_of(session, actor, batch_code)
    if found is None:
        return None
    batch, runs = found
    run = next((r for r in runs if r.version == version), None)
    if run is None:
        return None
    items = session.exec(select(EvaluationItem).where(EvaluationItem.evaluation_id == run.id)
                         .order_by(EvaluationItem.item_code)).all()
    return batch, RunView(run, [(i, json.loads(i.result_json)) for i in items])


def clearing_record(session: Session, actor: Actor, batch_code: str, version: int, item_code: str) -> dict | None:
    """What an auditor needs to re-run one item: input snapshot and hash, LP, solver log."""
    found = run_view(session, actor, batch_code, version)
    if found is None:
        return None
    for item, result in found[1].items:
        if item.item_code == item_code:
            return {"batch": batch_code, "version": version, "item": item_code,
                    "snapshot_sha256": item.snapshot_sha256, "snapshot": json.loads(item.snapshot),
                    "lp": item.lp_text, "solver_log": item.solver_log, "result": result}
    return None
