"""Read models of an executed result: its versions, items and winners, the local allocation per
sub-region, the publicity and its objections — scoped through the batch (``find_batch``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.roles import Role
from accounts.scoping import register_scope, scope
from procurement.lifecycle import GuardContext, Procedure, step_state
from procurement.models import Batch, BatchItem, Item, Region
from procurement.queries import find_batch
from procurement.rules import parse_rules
from results.contracts import ratio_for
from results.models import ResultItem, ResultSupply, ResultVersion, ResultWinner
from results.services import current_version
from review.models import Objection, Publicity

register_scope(ResultVersion, lambda a: ResultVersion.batch_id.in_(scope(select(Batch.id), a, Batch)))


@dataclass(frozen=True)
class SupplyView:
    """One sub-region of an item: its primary and backup supplier."""

    region: Region
    primary: Organisation
    backup: Organisation | None
    by_rule: bool


@dataclass
class ItemView:
    """One item of the result: its published specification, ratio, winners and allocation."""

    batch_item: BatchItem
    item: Item
    line: ResultItem
    ratio: Decimal
    winners: list[tuple[ResultWinner, Organisation]] = field(default_factory=list)
    supply: list[SupplyView] = field(default_factory=list)


@dataclass
class ResultView:
    """The allocation page: the batch, its result versions (newest first, with who loaded them),
    the current version's items, the publicity and its objections."""

    batch: Batch
    versions: list[tuple[ResultVersion, str]]
    current: ResultVersion | None
    items: list[ItemView]
    publicity: Publicity | None
    objections: list[tuple[Objection, Organisation]]
    publicity_step: object | None = None  # the start_publicity ActionState, for officers


def result_view(session: Session, actor: Actor, code: str, now) -> ResultView | None:
    """Everything the allocation page shows, or None (unknown, foreign, or not an executed result)."""
    batch = find_batch(session, actor, code)
    if batch is None or batch.procedure != Procedure.RESULT:
        return None
    versions = list(session.exec(select(ResultVersion, User.display_name).join(User, ResultVersion.created_by == User.id)
                                 .where(ResultVersion.batch_id == batch.id)
                                 .order_by(ResultVersion.version.desc())).all())
    current = current_version(session, batch)
    items = _items(session, batch, current) if current else []
    publicity = session.exec(select(Publicity).where(Publicity.batch_id == batch.id)).first()
    objections: list = []
    if publicity is not None:
        stmt = (select(Objection, Organisation).join(Organisation, Objection.supplier_org_id == Organisation.id)
                .where(Objection.batch_id == batch.id).order_by(Objection.id))
        objections = list(session.exec(scope(stmt, actor, Objection)).all())
    step = None
    if actor.role == Role.PRICE_OFFICER:
        step = step_state(GuardContext(session=session, batch=batch, now=now, actor_user_id=actor.user_id, reason=""),
                          "start_publicity")
    return ResultView(batch, [(v, name) for v, name in versions], current, items, publicity, objections, step)


def _items(session: Session, batch: Batch, version: ResultVersion) -> list[ItemView]:
    """The version's items with their winners (cheapest first) and supply per sub-region."""
    rules = parse_rules(batch.rules_json)
    rows = session.exec(select(ResultItem, BatchItem, Item).join(BatchItem, ResultItem.batch_item_id == BatchItem.id)
                        .join(Item, BatchItem.item_id == Item.id).where(ResultItem.version_id == version.id)
                        .order_by(Item.code)).all()
    orgs = {o.id: o for o in session.exec(select(Organisation).where(Organisation.id.in_(
        select(ResultWinner.supplier_org_id).where(ResultWinner.version_id == version.id)))).all()}
    winners: dict[int, list] = {}
    for w in session.exec(select(ResultWinner).where(ResultWinner.version_id == version.id)
                          .order_by(ResultWinner.ucp_e4, ResultWinner.id)).all():
        winners.setdefault(w.batch_item_id, []).append((w, orgs[w.supplier_org_id]))
    regions = {r.code: r for r in session.exec(select(Region).where(Region.code.in_(
        select(ResultSupply.region_code).where(ResultSupply.version_id == version.id)))).all()}
    supply: dict[int, list[SupplyView]] = {}
    for s in session.exec(select(ResultSupply).where(ResultSupply.version_id == version.id)
                          .order_by(ResultSupply.region_code)).all():
        supply.setdefault(s.batch_item_id, []).append(SupplyView(
            regions[s.region_code], orgs[s.primary_supplier_org_id],
            orgs.get(s.backup_supplier_org_id) if s.backup_supplier_org_id else None, s.by_rule))
    return [ItemView(bi, item, line, ratio_for(rules, len(winners.get(bi.id, [])), line.agreed_ratio),
                     winners.get(bi.id, []), supply.get(bi.id, [])) for line, bi, item in rows]
