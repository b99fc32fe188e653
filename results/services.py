"""Use cases of a batch that puts a published result into effect (落地).

``create_result_batch`` — an officer uploads the published result (workbook or JSON): checked
all or nothing (``results.document`` for the file's own rules, :func:`_resolve` for what needs
the database: the catalog, registered suppliers, this region's sub-regions, the live contracts
of the same items), then the batch, its items, regions, rules, cycle and version 1 are written in
one transaction. ``correct_result`` loads a corrected file as the next version (who and why);
prices are never edited. ``start_allocation_publicity`` ends demand collection and puts the
local allocation under publicity; publication (``review.services.end_publicity``) makes the
contracts (``results.contracts``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from accounts.scoping import within_region
from core import audit
from core.db import lock_for_update
from core.formats import pack_spec
from core.i18n import N_
from core.outcome import Outcome
from imports.errors import CellError, ErrorSink, WorkbookError
from imports.errors_workbook import build_error_workbook
from notices.services import notify
from procurement.demand.models import DemandUpload
from procurement.lifecycle import BatchStatus, GuardContext, Procedure, register_guard
from procurement.models import Batch, BatchItem, BatchRegion, Item, Region
from procurement.rules import merged_rules, parse_rules
from procurement.services import BatchError, create_batch, get_batch_for_update, transition_batch
from procurement.timeline import Timeline
from results.document import ResultDocument, ResultParse, parse_result
from results.models import ResultItem, ResultSupply, ResultVersion, ResultWinner
from review.models import Contract, Publicity

CORRECTABLE = frozenset({BatchStatus.DRAFT, BatchStatus.DEMAND})


class ResultRefused(ValueError):
    """A refused step of an executed result, with the reason."""


@dataclass(frozen=True)
class ResultRejected:
    """A result file refused as a whole: nothing was written. ``readable`` is False when the
    file itself could not be read (no annotated workbook can be made)."""

    message: str
    errors: tuple[CellError, ...] = ()
    error_count: int = 0
    readable: bool = True
    accepted: bool = field(default=False, init=False)


@dataclass(frozen=True)
class ResultLoaded:
    """A loaded result version."""

    batch_code: str
    version: int
    items: int
    winners: int
    repeated: bool = False
    accepted: bool = field(default=True, init=False)


@dataclass(frozen=True)
class Resolved:
    """A checked document with its database objects: items and suppliers by code, the batch's
    sub-regions, and per item × sub-region the (primary, backup, by rule) suppliers."""

    document: ResultDocument
    items: dict[str, Item]
    suppliers: dict[str, Organisation]
    cities: tuple[str, ...]
    supply: dict[tuple[str, str], tuple[str, str | None, bool]]


def current_version(session: Session, batch: Batch) -> ResultVersion | None:
    """The batch's current result: its highest version."""
    return session.exec(select(ResultVersion).where(ResultVersion.batch_id == batch.id)
                        .order_by(ResultVersion.version.desc())).first()


def _require_officer(actor: Actor) -> None:
    """Price officers load and correct results."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")


def _fail(sink: ErrorSink, cell, value: object, zh: str, en: str, code: str) -> None:
    """One error on a cell of the file."""
    sink.add(CellError(cell.sheet, cell.row, cell.column, cell.ref, "" if value is None else str(value), zh, en, code))


def _resolve(session: Session, region_code: str, kind: str, doc: ResultDocument,
             batch_id: int | None) -> tuple[Resolved | None, ErrorSink]:
    """The checks that need the database, each error on its row and column: items in the
    catalog (of the batch's kind), winners registered as suppliers, supply regions of this
    bureau (its own code: every sub-region without a row of its own), every item supplied in
    every sub-region the result covers, and no overlap with live contracts of the same items
    in this region."""
    sink = ErrorSink()
    codes = [i.item_code for i in doc.items]
    catalog = {i.code: i for i in session.exec(select(Item).where(Item.code.in_(codes), Item.active == True)).all()}  # noqa: E712
    for line in doc.items:
        item = catalog.get(line.item_code)
        if item is None:
            _fail(sink, line.row.cells["item_code"], line.item_code, "品种编码不在目录中", "unknown item code", "unknown_item")
        elif item.kind != kind:
            _fail(sink, line.row.cells["item_code"], line.item_code, "品种类型与批次不符（药品 / 耗材）",
                  "the item's kind differs from the batch's (drug / consumable)", "item_kind")
    wanted = sorted({w.supplier_code for w in doc.winners})
    suppliers = {o.code: o for o in session.exec(select(Organisation).where(
        Organisation.code.in_(wanted), Organisation.kind == OrgKind.SUPPLIER, Organisation.active == True)).all()}  # noqa: E712
    for w in doc.winners:
        if w.supplier_code not in suppliers:
            _fail(sink, w.row.cells["supplier_code"], w.supplier_code, "企业未在平台注册", "the supplier is not registered",
                  "unknown_supplier")
    children = set(session.exec(select(Region.code).where(Region.parent_code == region_code)).all())
    explicit: dict[str, dict[str, tuple[str, str | None]]] = defaultdict(dict)
    rule: dict[str, tuple[str, str | None]] = {}
    for s in doc.supply:
        if s.region_code == region_code:
            rule[s.item_code] = (s.primary, s.backup)
        elif s.region_code in children:
            explicit[s.item_code][s.region_code] = (s.primary, s.backup)
        else:
            _fail(sink, s.row.cells["region_code"], s.region_code, "不是本地区或其下级地区", "not this region or one of its "
                  "sub-regions", "foreign_region")
    covered = {code: (children if code in rule else set()) | set(explicit[code]) for code in codes}
    cities = tuple(sorted(set().union(*covered.values()))) if covered else ()
    for line in doc.items:
        missing = sorted(set(cities) - covered[line.item_code])
        if missing:
            names = "、".join(missing[:5]) + ("…" if len(missing) > 5 else "")
            _fail(sink, line.row.cells["item_code"], line.item_code, f"以下地区没有主供企业：{names}",
                  f"no primary supplier for these regions: {names}", "uncovered_region")
    _overlaps(session, region_code, doc, catalog, batch_id, sink)
    if sink.count:
        return None, sink
    supply = {}
    for code in codes:
        for city in cities:
            if city in explicit[code]:
                supply[(code, city)] = (*explicit[code][city], False)
            else:
                supply[(code, city)] = (*rule[code], True)
    return Resolved(doc, catalog, suppliers, cities, supply), sink


def _overlaps(session: Session, region_code: str, doc: ResultDocument, catalog: dict[str, Item],
              batch_id: int | None, sink: ErrorSink) -> None:
    """An error on each item whose live contracts in this region overlap the result's cycle."""
    if not catalog:
        return
    by_id = {item.id: code for code, item in catalog.items()}
    stmt = (select(BatchItem.item_id, func.max(Contract.period_end), func.min(Batch.code))
            .join(Contract, Contract.batch_item_id == BatchItem.id).join(Batch, Contract.batch_id == Batch.id)
            .where(BatchItem.item_id.in_(list(by_id)), within_region(Batch.region_code, region_code),
                   Batch.status != BatchStatus.CANCELLED, Contract.period_end >= doc.cycle_start,
                   Contract.period_start <= doc.cycle_end)
            .group_by(BatchItem.item_id))
    if batch_id is not None:
        stmt = stmt.where(Batch.id != batch_id)
    lines = {line.item_code: line for line in doc.items}
    for item_id, until, code in session.exec(stmt).all():
        line = lines[by_id[item_id]]
        _fail(sink, line.row.cells["item_code"], line.item_code,
              f"采购周期（{doc.cycle_start} 起）与本地区该品种尚在执行的协议重叠：批次 {code}，协议至 {until}",
              f"the cycle (from {doc.cycle_start}) overlaps live contracts of this item in this region: batch {code}, "
              f"until {until}", "overlap")


def _read(data: bytes, filename: str) -> ResultParse | ResultRejected:
    """The file read and checked on its own, or its file-level refusal."""
    try:
        parsed = parse_result(data, filename)
    except WorkbookError as exc:
        return ResultRejected(f"{exc.zh} / {exc.en}", readable=False)
    if not parsed.ok:
        return _rejected(parsed.errors, parsed.error_count)
    return parsed


def _rejected(errors, count: int) -> ResultRejected:
    """A refusal listing ``count`` errors."""
    return ResultRejected(f"中选结果文件有 {count} 处错误，未保存任何内容 / the result file has {count} errors; nothing was "
                          "stored", tuple(errors), count)


def error_workbook(result: ResultRejected, data: bytes, filename: str) -> bytes | None:
    """The user's own workbook with the refused cells marked (None for JSON or unreadable files)."""
    if not result.readable or not result.errors or filename.lower().endswith(".json") or data[:1] == b"{":
        return None
    return build_error_workbook(data, result.errors, filename=filename)


def _rules_from(doc: ResultDocument) -> dict:
    """The rule settings the result fixes: its agreed ratio (one share for any number of
    winners) and its fixed contract end date."""
    changes: dict = {"contract_end": doc.contract_end.isoformat() if doc.contract_end else None}
    if doc.agreed_ratio is not None:
        changes["agreed_ratio"] = {"1": str(doc.agreed_ratio)}
    return changes


def create_result_batch(session: Session, actor: Actor, *, code: str, name: str, kind: str, demand_deadline: datetime,
                        data: bytes, filename: str, now: datetime) -> ResultLoaded | ResultRejected:
    """Create a draft batch of kind "executed result" from the published result file; a file
    with any error writes nothing and answers every error."""
    _require_officer(actor)
    read = _read(data, filename)
    if isinstance(read, ResultRejected):
        return read
    doc = read.document
    resolved, sink = _resolve(session, actor.region_code, kind, doc, None)
    if resolved is None:
        session.rollback()
        return _rejected(sink.listed(), sink.count)
    timeline = Timeline(demand_deadline, None, None, doc.cycle_start, doc.cycle_end)
    batch = create_batch(session, actor, code=code, name=name, kind=kind, timeline=timeline, now=now,
                         procedure=Procedure.RESULT, rules=merged_rules(parse_rules(None), _rules_from(doc))
                         .model_dump(mode="json"), commit=False)
    version = _write_version(session, actor, batch, resolved, 1, filename, read.file_format, data, "", now)
    session.commit()
    return ResultLoaded(batch.code, version.version, len(doc.items), len(doc.winners))


def correct_result(session: Session, actor: Actor, code: str, data: bytes, filename: str, reason: str,
                   now: datetime) -> ResultLoaded | ResultRejected:
    """Load a corrected result file as the next version (with who and why). While demand is
    collected the items and sub-regions must stay the same; after that the result is fixed.
    The same file again is a no-op."""
    _require_officer(actor)
    batch = get_batch_for_update(session, actor, code)
    if batch.procedure != Procedure.RESULT:
        raise ResultRefused(N_("This batch is tendered, not put into effect from a published result."))
    if batch.status not in CORRECTABLE:
        raise ResultRefused(N_("The result is fixed once its local allocation is under publicity."))
    current = current_version(session, batch)
    if current is not None and current.sha256 == hashlib.sha256(data).hexdigest():
        session.commit()  # nothing written: end the locking transaction
        return ResultLoaded(batch.code, current.version, 0, 0, repeated=True)
    if not reason.strip():
        raise ResultRefused(N_("A correction needs a reason."))
    read = _read(data, filename)
    if isinstance(read, ResultRejected):
        session.rollback()
        return read
    resolved, sink = _resolve(session, batch.region_code, batch.kind, read.document, batch.id)
    if resolved is not None and batch.status == BatchStatus.DEMAND:
        _same_scope(session, batch, resolved, sink)
    if sink.count:
        session.rollback()
        return _rejected(sink.listed(), sink.count)
    batch.cycle_start, batch.cycle_end = read.document.cycle_start, read.document.cycle_end
    batch.rules_json = merged_rules(parse_rules(batch.rules_json), _rules_from(read.document)).to_json()
    version = _write_version(session, actor, batch, resolved, current.version + 1 if current else 1, filename,
                             read.file_format, data, reason.strip(), now)
    session.commit()
    return ResultLoaded(batch.code, version.version, len(read.document.items), len(read.document.winners))


def _same_scope(session: Session, batch: Batch, resolved: Resolved, sink: ErrorSink) -> None:
    """While hospitals report demand, a correction may change prices and suppliers but not which
    items or sub-regions the batch has."""
    items = set(session.exec(select(Item.code).join(BatchItem, BatchItem.item_id == Item.id).where(
        BatchItem.batch_id == batch.id, BatchItem.active == True)).all())  # noqa: E712
    regions = set(session.exec(select(BatchRegion.region_code).where(BatchRegion.batch_id == batch.id)).all())
    for line in resolved.document.items:
        if line.item_code not in items:
            _fail(sink, line.row.cells["item_code"], line.item_code, "报量期间不能增加品种", "no item may be added while demand "
                  "is collected", "scope_changed")
    gone = sorted(items - set(resolved.items))
    if gone or regions != set(resolved.cities):
        first = resolved.document.items[0].row.cells["item_code"]
        _fail(sink, first, "、".join(gone), "报量期间品种和供应地区须保持不变", "the items and supply regions must stay the same "
              "while demand is collected", "scope_changed")


def _write_version(session: Session, actor: Actor, batch: Batch, resolved: Resolved, number: int, filename: str,
                   file_format: str, data: bytes, reason: str, now: datetime) -> ResultVersion:
    """Write version ``number``: the batch's items (and, in a draft, its sub-regions) follow the
    file; the version's items, winners and allocation are stored as read."""
    doc = resolved.document
    existing = {bi.item_id: bi for bi in session.exec(select(BatchItem).where(BatchItem.batch_id == batch.id)).all()}
    lines = {line.item_code: line for line in doc.items}
    batch_items: dict[str, BatchItem] = {}
    for code, item in resolved.items.items():
        row = existing.get(item.id) or BatchItem(batch_id=batch.id, item_id=item.id)
        row.active, row.max_valid_price_e4, row.previous_price_e4 = True, None, lines[code].previous_price_e4
        session.add(row)
        batch_items[code] = row
    for item_id, row in existing.items():
        if item_id not in {i.id for i in resolved.items.values()}:
            row.active = False
    if batch.status == BatchStatus.DRAFT:
        current = {r.region_code: r for r in session.exec(select(BatchRegion).where(BatchRegion.batch_id == batch.id)).all()}
        for gone in set(current) - set(resolved.cities):
            session.delete(current[gone])  # a draft's supply regions are configuration (ARCHITECTURE invariant 4)
        for city in set(resolved.cities) - set(current):
            session.add(BatchRegion(batch_id=batch.id, region_code=city))
    version = ResultVersion(batch_id=batch.id, version=number, source=doc.source, document_no=doc.document_no,
                            document_date=doc.document_date, cycle_start=doc.cycle_start, cycle_years=doc.cycle_years,
                            filename=filename[-255:], file_format=file_format, sha256=hashlib.sha256(data).hexdigest(),
                            reason=reason, created_by=actor.user_id, created_at=now)
    session.add(version)
    session.flush()
    for code, line in lines.items():
        session.add(ResultItem(version_id=version.id, batch_item_id=batch_items[code].id, rep_spec=line.rep_spec,
                               agreed_ratio=line.agreed_ratio, previous_price_e4=line.previous_price_e4))
    for w in doc.winners:
        item = resolved.items[w.item_code]
        session.add(ResultWinner(version_id=version.id, batch_item_id=batch_items[w.item_code].id,
                                 supplier_org_id=resolved.suppliers[w.supplier_code].id, strength=w.strength,
                                 units_per_pack=w.units_per_pack,
                                 pack_spec=pack_spec(w.strength, item.strength_unit or "", w.units_per_pack)[:60],
                                 pack_price_e4=w.pack_price_e4, ucp_e4=w.ucp_e4))
    for (code, city), (primary, backup, by_rule) in sorted(resolved.supply.items()):
        session.add(ResultSupply(version_id=version.id, batch_item_id=batch_items[code].id, region_code=city,
                                 primary_supplier_org_id=resolved.suppliers[primary].id,
                                 backup_supplier_org_id=resolved.suppliers[backup].id if backup else None,
                                 by_rule=by_rule))
    batch.revision += 1
    batch.updated_at = now
    audit.record(session, actor.audit(), "result.load", "batch", batch.code,
                 {"version": number, "source": doc.source, "document_no": doc.document_no, "sha256": version.sha256,
                  "file": version.filename, "reason": reason, "content": json.dumps(doc.canonical(), ensure_ascii=False)},
                 at=now)
    return version


def _has_result(ctx: GuardContext) -> str | None:
    """An executed result collects demand only once its result file is loaded."""
    if ctx.batch.procedure != Procedure.RESULT:
        return None
    if current_version(ctx.session, ctx.batch) is None:
        return "尚未上传中选结果文件 / the published result has not been loaded"
    return None


register_guard("open_demand", _has_result)


def start_allocation_publicity(session: Session, actor: Actor | None, code: str, now: datetime) -> Outcome[Publicity]:
    """End demand collection and put the local allocation (the current version's primary and
    backup supplier per sub-region) under publicity; ``actor`` None is the scheduler at the
    demand deadline. A repeat once under publicity is a no-op."""
    if actor is not None:
        _require_officer(actor)
        batch = get_batch_for_update(session, actor, code)
    else:
        found = session.exec(select(Batch).where(Batch.code == code)).first()
        if found is None:
            raise BatchError(f"批次不存在 / no such batch: {code}")
        batch = lock_for_update(session, Batch, found.id)
    existing = session.exec(select(Publicity).where(Publicity.batch_id == batch.id)).first()
    if existing is not None:
        session.commit()  # nothing written: end the locking transaction
        return Outcome(existing, repeated=True)
    version = current_version(session, batch)
    transition_batch(session, actor, code, "start_publicity", now=now, commit=False, internal=True)
    days = parse_rules(batch.rules_json).publicity_days
    publicity = Publicity(batch_id=batch.id, result_version_id=version.id, starts_at=now,
                          ends_at=now + timedelta(days=days))
    session.add(publicity)
    winners = set(session.exec(select(ResultWinner.supplier_org_id).where(ResultWinner.version_id == version.id)).all())
    hospitals = set(session.exec(select(DemandUpload.hospital_org_id).where(DemandUpload.batch_id == batch.id)).all())
    bureau = set(session.exec(select(Organisation.id).where(Organisation.kind == OrgKind.BUREAU,
                                                            Organisation.region_code == batch.region_code)).all())
    text = N_("The local allocation is under publicity until %(until)s; objections may be lodged: %(batch)s",
              until=(now + timedelta(days=days)).date().isoformat(), batch=batch.name)
    notify(session, winners, Role.SUPPLIER_REP, "publicity_started", batch.code, text, now)
    notify(session, hospitals, Role.HOSPITAL_BUYER, "publicity_started", batch.code, text, now)
    notify(session, bureau, Role.PRICE_OFFICER, "publicity_started", batch.code, text, now)
    audit.record(session, actor.audit() if actor else audit.SYSTEM, "result.publicity", "batch", code,
                 {"version": version.version, "days": days}, at=now)
    session.commit()
    return Outcome(publicity)


def is_result_winner(session: Session, batch: Batch, supplier_org_id: int) -> bool:
    """Whether the supplier is a winner of the batch's current result (it may object to the
    local allocation during its publicity)."""
    version = current_version(session, batch)
    return version is not None and session.exec(select(ResultWinner.id).where(
        ResultWinner.version_id == version.id, ResultWinner.supplier_org_id == supplier_org_id)).first() is not None
