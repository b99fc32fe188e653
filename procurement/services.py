"""Use cases for the catalog and batches: create, edit, add items and regions, transition."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.clock import utcnow
from core.db import lock_for_update
from core.regions import region_contains
from procurement.lifecycle import BatchStatus, GuardContext, Procedure, check_transition
from procurement.models import Batch, BatchItem, BatchRegion, BatchTransition, Item, Region
from procurement.rules import BatchRules, RuleError, merged_rules, parse_rules
from procurement.timeline import Timeline, TimelineError, check_timeline

BATCH_MANAGERS = frozenset({Role.PRICE_OFFICER, Role.ADMIN})
EDITABLE_STATES = frozenset({BatchStatus.DRAFT})


class BatchError(ValueError):
    """A refused batch or catalog change, with a message for the user."""


def _tendered(batch: Batch) -> None:
    """Items, prices and supply regions of a batch putting a published result into effect come
    from its result file: a correction is a new version of the file, never an edit."""
    if batch.procedure == Procedure.RESULT:
        raise BatchError("落地执行批次的品种、价格和供应地区来自中选结果文件，更正须上传新版本 / the items, prices and "
                         "regions of an executed result come from its file: load a corrected version")


def _require_manager(actor: Actor, batch: Batch | None = None) -> None:
    """Price officers and admins manage batches, only in their own region."""
    if actor.role not in BATCH_MANAGERS:
        raise Forbidden("batch managers only")
    if batch is not None and not region_contains(actor.region_code, batch.region_code):
        raise Forbidden("batch outside the actor's region")


def get_batch_for_update(session: Session, actor: Actor, code: str) -> Batch:
    """Load and lock a batch the actor manages; unknown or foreign batches are refused alike."""
    batch = session.exec(select(Batch).where(Batch.code == code)).first()
    if batch is None:
        raise Forbidden("no such batch")
    batch = lock_for_update(session, Batch, batch.id)
    _require_manager(actor, batch)
    return batch


def _touch(batch: Batch, now: datetime) -> None:
    """Record that the batch changed: bump its revision and update time."""
    batch.revision += 1
    batch.updated_at = now


def create_item(session: Session, actor: Actor | None, *, commit: bool = True, **fields) -> Item:
    """Add a catalog item (admin, or the seed acting as ``None``)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("admin only")
    code = str(fields.get("code", "")).strip()
    if not code or not str(fields.get("generic_name", "")).strip():
        raise BatchError("品种编码和通用名必填 / item code and generic name are required")
    if session.exec(select(Item).where(Item.code == code)).first():
        raise BatchError(f"品种编码已存在 / item code already exists: {code}")
    if fields.get("kind", "drug") not in {"drug", "consumable"}:
        raise BatchError("品种类型须为药品或耗材 / kind must be drug or consumable")
    strength = fields.get("rep_strength")
    if strength is not None and Decimal(strength) <= 0:
        raise BatchError("代表规格含量须大于 0 / representative strength must be > 0")
    item = Item(**{**fields, "code": code})
    session.add(item)
    session.flush()
    actor_a = actor.audit() if actor else audit.SYSTEM
    audit.record(session, actor_a, "item.create", "item", code, {"name": item.generic_name})
    if commit:
        session.commit()
    return item


def create_batch(
    session: Session,
    actor: Actor,
    *,
    code: str,
    name: str,
    kind: str = "drug",
    rules: dict | None = None,
    timeline: Timeline | None = None,
    now: datetime | None = None,
    procedure: str = "tender",
    commit: bool = True,
) -> Batch:
    """Create a draft batch in the actor's region with a validated rule set (``procedure``: see
    ``procurement.lifecycle.PROCEDURES``; ``commit=False`` leaves it in the caller's transaction)."""
    _require_manager(actor)
    now = now or utcnow()
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise BatchError("批次编号和名称必填 / batch code and name are required")
    if session.exec(select(Batch).where(Batch.code == code)).first():
        raise BatchError(f"批次编号已存在 / batch code already exists: {code}")
    if timeline:
        check_timeline(timeline, now)
    rule_set = parse_rules(rules)
    batch = Batch(code=code, name=name, kind=kind, procedure=Procedure(procedure), region_code=actor.region_code,
                  status=BatchStatus.DRAFT, rules_json=rule_set.to_json(),
                  created_by=actor.user_id, created_at=now, updated_at=now)
    if timeline:
        _apply_timeline(batch, timeline)
    session.add(batch)
    session.flush()
    audit.record(session, actor.audit(), "batch.create", "batch", code, {"name": name, "procedure": procedure}, at=now)
    if commit:
        session.commit()
    return batch


def _apply_timeline(batch: Batch, timeline: Timeline) -> None:
    """Copy the timeline onto the batch."""
    for name in ("demand_deadline", "bid_deadline", "opening_at", "cycle_start", "cycle_end"):
        setattr(batch, name, getattr(timeline, name))


def update_batch(
    session: Session,
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    rule_changes: dict | None = None,
    timeline: Timeline | None = None,
    now: datetime | None = None,
) -> Batch:
    """Edit a draft batch's name, rules or timeline; a bad rule is refused with its name, a
    contradictory or past timeline with every field at fault (:class:`TimelineError`)."""
    now = now or utcnow()
    batch = get_batch_for_update(session, actor, code)
    if batch.status not in EDITABLE_STATES:
        raise BatchError("只有草稿状态的批次可以修改 / only draft batches can be edited")
    detail: dict = {}
    if name is not None and name.strip():
        detail["name"] = [batch.name, name.strip()]
        batch.name = name.strip()
    if rule_changes:
        try:
            new_rules = merged_rules(parse_rules(batch.rules_json), rule_changes)
        except RuleError:
            session.rollback()
            raise
        batch.rules_json = new_rules.to_json()
        detail["rules"] = {k: str(v) for k, v in rule_changes.items()}
    if timeline is not None:
        if batch.procedure == Procedure.RESULT and (
                (timeline.cycle_start, timeline.cycle_end) != (batch.cycle_start, batch.cycle_end)
                or timeline.bid_deadline or timeline.opening_at):
            session.rollback()
            raise BatchError("落地执行批次的采购周期来自中选结果文件，且没有申报和开标时间 / an executed result's cycle comes from "
                             "its file, and it has no bid deadline or opening")
        try:
            check_timeline(timeline, now)
        except TimelineError:
            session.rollback()
            raise
        _apply_timeline(batch, timeline)
        detail["timeline"] = {k: str(v) for k, v in timeline.__dict__.items()}
    _touch(batch, now)
    audit.record(session, actor.audit(), "batch.update", "batch", code, detail, at=now)
    session.commit()
    return batch


def rules_of(batch: Batch) -> BatchRules:
    """The batch's validated rule set."""
    return parse_rules(batch.rules_json)


def add_batch_item(
    session: Session, actor: Actor, code: str, item_code: str, max_valid_price_e4: int,
    previous_price_e4: int | None = None, now: datetime | None = None,
) -> BatchItem:
    """Put a catalog item into a draft batch with its maximum valid price."""
    now = now or utcnow()
    batch = get_batch_for_update(session, actor, code)
    if batch.status not in EDITABLE_STATES:
        raise BatchError("只有草稿状态的批次可以修改 / only draft batches can be edited")
    _tendered(batch)
    item = session.exec(select(Item).where(Item.code == item_code, Item.active == True)).first()  # noqa: E712
    if item is None:
        raise BatchError(f"品种不存在 / no such item: {item_code}")
    if max_valid_price_e4 <= 0:
        raise BatchError("最高有效申报价须大于 0 / maximum valid price must be > 0")
    existing = session.exec(select(BatchItem).where(
        BatchItem.batch_id == batch.id, BatchItem.item_id == item.id)).first()
    if existing and existing.active:
        raise BatchError(f"品种已在批次中 / item already in the batch: {item_code}")
    if existing:
        existing.active, existing.max_valid_price_e4 = True, max_valid_price_e4
        existing.previous_price_e4 = previous_price_e4
        row = existing
    else:
        row = BatchItem(batch_id=batch.id, item_id=item.id, max_valid_price_e4=max_valid_price_e4,
                        previous_price_e4=previous_price_e4)
        session.add(row)
    _touch(batch, now)
    audit.record(session, actor.audit(), "batch.add_item", "batch", code,
                 {"item": item_code, "max_valid_price_e4": max_valid_price_e4}, at=now)
    session.commit()
    return row


def remove_batch_item(session: Session, actor: Actor, code: str, item_code: str,
                      now: datetime | None = None) -> None:
    """Take an item out of a draft batch (deactivated, kept in history)."""
    now = now or utcnow()
    batch = get_batch_for_update(session, actor, code)
    if batch.status not in EDITABLE_STATES:
        raise BatchError("只有草稿状态的批次可以修改 / only draft batches can be edited")
    _tendered(batch)
    row = session.exec(select(BatchItem).join(Item).where(
        BatchItem.batch_id == batch.id, Item.code == item_code, BatchItem.active == True)).first()  # noqa: E712
    if row is None:
        raise BatchError(f"品种不在批次中 / item not in the batch: {item_code}")
    row.active = False
    _touch(batch, now)
    audit.record(session, actor.audit(), "batch.remove_item", "batch", code, {"item": item_code}, at=now)
    session.commit()


def set_batch_regions(session: Session, actor: Actor, code: str, region_codes: list[str],
                      now: datetime | None = None) -> int:
    """Set a draft batch's supply regions (each within the bureau's region); returns the count."""
    now = now or utcnow()
    batch = get_batch_for_update(session, actor, code)
    if batch.status not in EDITABLE_STATES:
        raise BatchError("只有草稿状态的批次可以修改 / only draft batches can be edited")
    _tendered(batch)
    wanted = sorted(set(region_codes))
    for rc in wanted:
        if session.get(Region, rc) is None:
            raise BatchError(f"地区不存在 / no such region: {rc}")
        if not region_contains(batch.region_code, rc) or rc == batch.region_code:
            raise BatchError(f"地区不在本批次范围内 / region outside the batch's area: {rc}")
    current = {r.region_code: r for r in session.exec(
        select(BatchRegion).where(BatchRegion.batch_id == batch.id)).all()}
    for rc in set(current) - set(wanted):
        session.delete(current[rc])  # supply regions of a draft are configuration, not records
    for rc in set(wanted) - set(current):
        session.add(BatchRegion(batch_id=batch.id, region_code=rc))
    _touch(batch, now)
    audit.record(session, actor.audit(), "batch.set_regions", "batch", code, {"regions": wanted}, at=now)
    session.commit()
    return len(wanted)


def transition_batch(
    session: Session, actor: Actor | None, code: str, action: str, *, reason: str = "",
    now: datetime | None = None, commit: bool = True, internal: bool = False,
) -> Batch:
    """Move a batch through its lifecycle if the table and every guard allow it.

    ``actor`` None means the scheduler acting on the batch's timeline.
    """
    now = now or utcnow()
    if actor is None:
        batch = session.exec(select(Batch).where(Batch.code == code)).first()
        if batch is None:
            raise BatchError(f"批次不存在 / no such batch: {code}")
        batch = lock_for_update(session, Batch, batch.id)
    else:
        batch = get_batch_for_update(session, actor, code)
    ctx = GuardContext(session=session, batch=batch, now=now,
                       actor_user_id=actor.user_id if actor else None, reason=reason)
    target, refusal = check_transition(ctx, action, internal)
    if refusal:
        session.rollback()
        raise BatchError(refusal)
    source = batch.status
    batch.status = target
    _touch(batch, now)
    session.add(BatchTransition(batch_id=batch.id, action=action, from_status=source,
                                to_status=target, reason=reason,
                                actor_user_id=actor.user_id if actor else None, at=now))
    audit.record(session, actor.audit() if actor else audit.SYSTEM, f"batch.{action}", "batch",
                 code, {"from": source, "to": str(target), "reason": reason}, at=now)
    if commit:
        session.commit()
    return batch
