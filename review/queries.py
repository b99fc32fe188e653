"""Read models for review, publicity and contracts (all scoped to the actor)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import register_scope, scope, within_region
from core.money import parse_amount_fen, parse_price_e4, round_half_up_div
from evaluation.models import Evaluation, EvaluationItem
from evaluation.queries import ReadableItem, display_names, readable_items
from evaluation.reading import Translate, read_item
from procurement.models import Batch, BatchItem, Item
from procurement.names import item_title
from procurement.queries import find_batch
from review.models import Contract, Objection, Publicity, ReviewDecision
from review.services import publicity_of, submitted_version


def _contract_rule(actor: Actor):
    """Hospitals and suppliers: their own contracts; bureau roles: contracts of their region's batches."""
    if actor.role == Role.HOSPITAL_BUYER:
        return Contract.hospital_org_id == actor.org_id
    if actor.role == Role.SUPPLIER_REP:
        return Contract.supplier_org_id == actor.org_id
    return Contract.batch_id.in_(select(Batch.id).where(within_region(Batch.region_code, actor.region_code)))


def _objection_rule(actor: Actor):
    """Suppliers: their own objections; bureau roles: their region's; hospitals: none."""
    if actor.role == Role.SUPPLIER_REP:
        return Objection.supplier_org_id == actor.org_id
    if actor.is_bureau:
        return Objection.batch_id.in_(select(Batch.id).where(within_region(Batch.region_code, actor.region_code)))
    return Objection.id == -1


register_scope(Contract, _contract_rule)
register_scope(Objection, _objection_rule)


@dataclass
class ItemReview:
    """One item as the reviewer sees it."""

    code: str
    name: str
    unit: str
    result: dict
    previous_price_e4: int | None
    saving_vs_previous_fen: int | None
    price_cut: Decimal | None  # 1 − average paid UCP / previous price
    suppliers: dict[str, str] = field(default_factory=dict)  # code → name
    readable: ReadableItem | None = None  # anchor, thresholds, sentences (when read for a person)


@dataclass
class ReviewView:
    """The review page: the version under review (or last), its items, the batch summary."""

    batch: Batch
    run: Evaluation | None
    items: list[ItemReview]
    decisions: list[tuple[ReviewDecision, Evaluation]]
    versions: list[Evaluation]
    publicity: Publicity | None
    objections: list[tuple[Objection, Organisation]]
    total_objective_fen: int = 0
    total_baseline_fen: int = 0
    total_saving_vs_previous_fen: int = 0
    average_cut: Decimal | None = None
    no_winner: list[tuple[str, str]] = field(default_factory=list)


def _item_review(result: dict, batch_item: BatchItem, item: Item, names: dict[str, str]) -> ItemReview:
    """Savings and price cut of one item's result."""
    objective = parse_amount_fen(result["objective"]) if result.get("objective") else None
    previous = batch_item.previous_price_e4
    saving = cut = None
    if objective is not None and previous and result.get("agreed_volume"):
        saving = round_half_up_div(previous * result["agreed_volume"], 100) - objective
        paid = Decimal(objective) / Decimal(result["agreed_volume"]) / 100
        cut = (1 - paid / (Decimal(previous) / 10000)).quantize(Decimal("0.001"))
    return ItemReview(item.code, item.generic_name, item.minimal_unit, result, previous, saving, cut, names)


def review_view(session: Session, actor: Actor, code: str, _: Translate | None = None) -> ReviewView | None:
    """Everything the review page shows (bureau roles of the batch's region only); with ``_``,
    each item also carries its reading (anchor, thresholds, a sentence per bid) in that language."""
    batch = find_batch(session, actor, code)
    if batch is None or not actor.is_bureau:
        return None
    publicity = publicity_of(session, batch)
    run = (session.get(Evaluation, publicity.evaluation_id) if publicity else submitted_version(session, batch))
    versions = list(session.exec(select(Evaluation).where(Evaluation.batch_id == batch.id)
                                 .order_by(Evaluation.version.desc())).all())
    if run is None:
        run = next((v for v in versions if v.status == "done"), None)
    names = {o.code: o.name for o in session.exec(select(Organisation).where(Organisation.kind == "supplier")).all()}
    items: list[ItemReview] = []
    if run is not None:
        catalog = {it.code: (bi, it) for bi, it in session.exec(
            select(BatchItem, Item).join(Item, BatchItem.item_id == Item.id).where(BatchItem.batch_id == batch.id)).all()}
        for row in session.exec(select(EvaluationItem).where(EvaluationItem.evaluation_id == run.id)
                                .order_by(EvaluationItem.item_code)).all():
            bi, it = catalog[row.item_code]
            items.append(_item_review(json.loads(row.result_json), bi, it, names))
        if _ is not None:
            readable = {r.item.code: r for r in readable_items(session, run, _)}
            for item in items:
                item.readable = readable.get(item.code)
    decisions = list(session.exec(select(ReviewDecision, Evaluation).join(Evaluation)
                                  .where(Evaluation.batch_id == batch.id).order_by(ReviewDecision.id)).all())
    objections = list(session.exec(scope(select(Objection, Organisation).join(
        Organisation, Objection.supplier_org_id == Organisation.id).where(Objection.batch_id == batch.id)
        .order_by(Objection.id), actor, Objection)).all())
    view = ReviewView(batch, run, items, decisions, versions, publicity, objections)
    cuts = [i.price_cut for i in items if i.price_cut is not None]
    view.average_cut = (sum(cuts) / len(cuts)).quantize(Decimal("0.001")) if cuts else None
    for i in items:
        view.total_objective_fen += parse_amount_fen(i.result["objective"]) if i.result.get("objective") else 0
        view.total_baseline_fen += parse_amount_fen(i.result["baseline_objective"]) if i.result.get("baseline_objective") else 0
        view.total_saving_vs_previous_fen += i.saving_vs_previous_fen or 0
        if not i.result.get("winners"):
            why = i.readable.reading if i.readable else None
            view.no_winner.append((i.code, (why.reason or why.status_sentence) if why
                                   else i.result.get("reason") or i.result.get("status")))
    return view


@dataclass
class PublicResult:
    """What suppliers and hospitals see of a result under publicity or published."""

    batch: Batch
    publicity: Publicity
    items: list[tuple[str, str, list[dict]]]  # item code, name, winners
    own_outcomes: list[tuple[str, dict]]
    objections: list[Objection]


def public_result(session: Session, actor: Actor, code: str, _: Translate | None = None) -> PublicResult | None:
    """The proposed or published winners with region names; a supplier also sees its own
    outcome per item, with the sentence that explains it (in the language of ``_``)."""
    batch = find_batch(session, actor, code)
    publicity = publicity_of(session, batch) if batch else None
    if batch is None or publicity is None:
        return None
    names = display_names(session)
    own_code = session.get(Organisation, actor.org_id).code
    items, own = [], []
    for row, item in session.exec(select(EvaluationItem, Item).join(Item, Item.code == EvaluationItem.item_code)
                                  .where(EvaluationItem.evaluation_id == publicity.evaluation_id)
                                  .order_by(EvaluationItem.item_code)).all():
        result = json.loads(row.result_json)
        winners = [{**w, "name": names.supplier(w["supplier"]), "region_names": [names.region(r) for r in w["regions"]]}
                   for w in result.get("winners", [])]
        items.append((item.code, item.generic_name, winners))
        for outcome in result.get("outcomes", []):
            if actor.role == Role.SUPPLIER_REP and outcome["supplier"] == own_code:
                reading = read_item(result, row.snapshot, item.minimal_unit, names, _) if _ else None
                sentence = next((b.sentence for b in reading.bids if b.supplier == own_code), "") if reading else ""
                own.append((item.code, {**outcome, "item_name": item.generic_name, "sentence": sentence}))
    objections = list(session.exec(scope(select(Objection).where(Objection.batch_id == batch.id), actor, Objection)).all())
    return PublicResult(batch, publicity, items, own, objections)


def contracts_of(session: Session, actor: Actor, code: str) -> tuple[Batch, list[tuple[Contract, Item, Organisation, Organisation]]] | None:
    """The batch's contracts within the actor's scope, with item, hospital and supplier."""
    batch = find_batch(session, actor, code)
    if batch is None:
        return None
    rows = session.exec(scope(
        select(Contract, Item).join(BatchItem, Contract.batch_item_id == BatchItem.id)
        .join(Item, BatchItem.item_id == Item.id).where(Contract.batch_id == batch.id)
        .order_by(Item.code, Contract.code), actor, Contract)).all()
    orgs = {o.id: o for o in session.exec(select(Organisation).where(Organisation.id.in_(
        {c.hospital_org_id for c, _i in rows} | {c.supplier_org_id for c, _i in rows}))).all()} if rows else {}
    return batch, [(c, i, orgs[c.hospital_org_id], orgs[c.supplier_org_id]) for c, i in rows]


def unsigned_count(session: Session, actor: Actor) -> list[tuple[str, int]]:
    """(batch code, contracts awaiting this organisation's signature) for landing pages."""
    if actor.role == Role.HOSPITAL_BUYER:
        pending = Contract.hospital_signed_at == None  # noqa: E711
    elif actor.role == Role.SUPPLIER_REP:
        pending = Contract.supplier_signed_at == None  # noqa: E711
    else:
        return []
    rows = session.exec(scope(select(Batch.code, Contract.id).join(Batch, Contract.batch_id == Batch.id)
                              .where(pending), actor, Contract)).all()
    counts: dict[str, int] = {}
    for code, _id in rows:
        counts[code] = counts.get(code, 0) + 1
    return sorted(counts.items())


def price_e4_of(text: str | None) -> int | None:
    """A decimal-string UCP from a result as price_e4."""
    return parse_price_e4(text) if text else None


def objection(session: Session, actor: Actor, objection_id: int) -> Objection | None:
    """One objection within the actor's scope."""
    return session.exec(scope(select(Objection).where(Objection.id == objection_id), actor, Objection)).first()


def batch_code(session: Session, batch_id: int) -> str:
    """The code of a batch by id."""
    return session.get(Batch, batch_id).code


@dataclass(frozen=True)
class ContractLabel:
    """What a list shows for a contract instead of its code."""

    item: str  # generic name, dosage form, strength
    unit: str  # the minimal unit the price is per (片, 支 …)
    hospital: str
    supplier: str


def contract_labels(session: Session, contracts: list[Contract]) -> dict[int, ContractLabel]:
    """Item title, hospital and supplier names of the given contracts, by contract id."""
    if not contracts:
        return {}
    org_ids = {c.hospital_org_id for c in contracts} | {c.supplier_org_id for c in contracts}
    orgs = {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.id.in_(org_ids))).all()}
    items = {bi_id: (item_title(item), item.minimal_unit) for bi_id, item in session.exec(
        select(BatchItem.id, Item).join(Item, BatchItem.item_id == Item.id)
        .where(BatchItem.id.in_({c.batch_item_id for c in contracts}))).all()}
    return {c.id: ContractLabel(*items.get(c.batch_item_id, ("", "")), orgs.get(c.hospital_org_id, ""),
                                orgs.get(c.supplier_org_id, "")) for c in contracts}
