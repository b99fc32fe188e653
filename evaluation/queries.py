"""Read models of evaluations (bureau roles of the batch's region only)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import OrgKind
from evaluation.models import Evaluation, EvaluationItem
from evaluation.reading import ItemReading, Names, Translate, read_item
from optimizer import solve_item
from optimizer.clearing import snapshot_hash
from optimizer.encode import item_result_to_json
from optimizer.jsonio import parse_instance
from procurement.models import Batch, Region
from procurement.models import Item as CatalogItem
from procurement.names import item_title
from procurement.queries import find_tendered_batch


@dataclass(frozen=True)
class RunView:
    """A run with its items' results decoded."""

    run: Evaluation
    items: list[tuple[EvaluationItem, dict]]


def runs_of(session: Session, actor: Actor, batch_code: str) -> tuple[Batch, list[Evaluation]] | None:
    """The batch and its evaluation runs, newest first (bureau roles only)."""
    batch = find_tendered_batch(session, actor, batch_code)
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
    """What an auditor needs to re-run one item: input snapshot and hash, LP, solver log.

    Runs keep the snapshot and its hash; the LP text and the solver log are made now, by
    re-running the snapshot (``replay``, which says whether the re-run gives the stored
    result). Records of older runs that stored them are served as stored."""
    found = run_view(session, actor, batch_code, version)
    if found is None:
        return None
    for item, result in found[1].items:
        if item.item_code == item_code:
            record = {"batch": batch_code, "version": version, "item": item_code,
                      "snapshot_sha256": item.snapshot_sha256, "snapshot": json.loads(item.snapshot),
                      "lp": item.lp_text, "solver_log": item.solver_log, "result": result}
            if not item.lp_text:
                record["lp"], record["solver_log"], record["replay"] = replay_item(item.snapshot, item.snapshot_sha256,
                                                                                   result)
            return record
    return None


def _comparable(result: dict) -> dict:
    """A result without what differs between two runs of the same input (timing, record hash)."""
    return {k: v for k, v in result.items() if k not in ("solve_seconds", "clearing_sha256")}


def replay_item(snapshot: str, sha256: str, stored: dict) -> tuple[str, str, dict]:
    """LP text and solver log of a re-run of an item's snapshot, and whether it gives the
    stored result (a snapshot that does not match its hash is not re-run)."""
    if snapshot_hash(snapshot) != sha256:
        return "", "", {"matches_result": False, "error": "snapshot does not match its sha256"}
    instance = parse_instance(json.loads(snapshot))
    again = solve_item(instance.items[0], instance.rules, record=True)
    same = _comparable(item_result_to_json(again)) == _comparable(stored)
    return again.clearing.lp_text, again.clearing.solver_log, {
        "matches_result": same, "note": "LP text and solver log of a re-run of the snapshot, made for this record"}


def display_names(session: Session) -> Names:
    """Organisation names of suppliers, and names of regions and hospitals (the allocation
    units of a region- or hospital-level batch), by code."""
    orgs = session.exec(select(Organisation.code, Organisation.name, Organisation.kind)).all()
    regions = {code: name for code, name in session.exec(select(Region.code, Region.name)).all()}
    regions |= {code: name for code, name, kind in orgs if kind == OrgKind.HOSPITAL}
    return Names({code: name for code, name, kind in orgs if kind == OrgKind.SUPPLIER}, regions)


@dataclass(frozen=True)
class ReadableItem:
    """One item of a run: the catalog entry and the reading of its result."""

    item: CatalogItem
    reading: ItemReading
    result: dict

    @property
    def title(self) -> str:
        """Generic name, dosage form and strength."""
        return item_title(self.item)


def readable_items(session: Session, run: Evaluation, _: Translate) -> list[ReadableItem]:
    """Every finished item of a run, read with names, anchor, thresholds and sentences."""
    names = display_names(session)
    rows = session.exec(select(EvaluationItem, CatalogItem).join(CatalogItem, CatalogItem.code == EvaluationItem.item_code)
                        .where(EvaluationItem.evaluation_id == run.id).order_by(EvaluationItem.item_code)).all()
    out = []
    for row, item in rows:
        result = json.loads(row.result_json)
        out.append(ReadableItem(item, read_item(result, row.snapshot, item.minimal_unit, names, _), result))
    return out


def readable_run(session: Session, actor: Actor, batch_code: str, version: int,
                 _: Translate) -> tuple[Batch, Evaluation, list[ReadableItem]] | None:
    """One run of the batch, every item read for a person (bureau roles only)."""
    found = run_view(session, actor, batch_code, version)
    if found is None:
        return None
    batch, view = found
    return batch, view.run, readable_items(session, view.run, _)
