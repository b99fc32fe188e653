"""Demand use cases: a hospital's sheet becomes a new version, a bureau bulk file, reminders.

Every use case is one transaction. A rejected upload writes nothing (the parse errors come
back to the caller); an accepted one is written whole, as version = previous + 1 of that
hospital's demand in the batch. Versions are serialised per batch × hospital (an advisory
lock on PostgreSQL, the write transaction on SQLite) with a unique constraint as backstop;
the batch row is share-locked so demand cannot close under a running upload.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core import audit
from core.bulk import collector_paused
from core.clock import local_text
from core.config import Settings
from core.db import advisory_xact_lock
from core.regions import region_contains
from imports.columns import Columns
from imports.demand import (
    BULK_LIMITS,
    DATA_SHEET,
    HOSPITAL_LIMITS,
    BulkDemandContext,
    CleanColumns,
    DemandParse,
    DemandRow,
    read_demand_sheet_bulk,
    read_demand_workbook,
    validate_demand_bulk,
)
from imports.errors import CellError, WorkbookError
from imports.errors_workbook import build_error_workbook
from imports.reader import RowsHandler
from imports.xlsx_guard import with_max_rows
from procurement.demand import context as ctx
from procurement.demand import queries as _queries  # noqa: F401 - registers the scope rules
from procurement.demand.bulk import PartStream, copy_rows
from procurement.demand.models import DemandLine, DemandReminder, DemandUpload
from procurement.lifecycle import BatchStatus
from procurement.models import Batch
from procurement.queries import find_batch

UPLOADERS = frozenset({Role.HOSPITAL_BUYER, Role.PRICE_OFFICER})
BUREAU_UPLOADERS = frozenset({Role.PRICE_OFFICER})
DEFAULT_TZ = Settings.timezone  # the bureau's zone unless the caller passes JICAI_TIMEZONE


class DemandError(ValueError):
    """A refused demand action, with a message for the user (Chinese / English)."""


@dataclass(frozen=True)
class DemandRejected:
    """An upload refused as a whole: nothing was written. ``readable`` is False when the file
    itself could not be read (so no annotated workbook can be made)."""

    message: str
    errors: tuple[CellError, ...] = ()
    error_count: int = 0
    readable: bool = True
    accepted: bool = field(default=False, init=False)


@dataclass(frozen=True)
class DemandAccepted:
    """An accepted upload: the new version (one per hospital for a bulk file)."""

    batch_code: str
    versions: dict[str, int]  # hospital code → new version number
    rows: int
    upload_ids: tuple[int, ...]
    accepted: bool = field(default=True, init=False)

    @property
    def version(self) -> int:
        """The version number of a single-hospital upload."""
        return next(iter(self.versions.values()))


def _batch(session: Session, actor: Actor | None, code: str, *, lock: bool = False) -> Batch:
    """The batch if the actor may see it (unknown and foreign alike refused); optionally share-locked."""
    if actor is None:
        batch = session.exec(select(Batch).where(Batch.code == code)).first()
    else:
        batch = find_batch(session, actor, code)
    if batch is None:
        raise Forbidden(f"批次不存在 / no such batch: {code}")
    if lock:
        batch = session.get(Batch, batch.id, with_for_update={"read": True}, populate_existing=True)
    return batch


def _check_open(batch: Batch, now: datetime, tz: str) -> None:
    """Uploads are taken only while the batch collects demand, and close with its deadline
    (named in the bureau's time zone ``tz``, never in UTC)."""
    if batch.status != BatchStatus.DEMAND:
        raise DemandError(f"批次“{batch.code}”不在报量阶段 / batch {batch.code} is not collecting demand "
                          f"(status: {batch.status})")
    if batch.demand_deadline is None or now >= batch.demand_deadline:
        zh, en = local_text(batch.demand_deadline, tz) if batch.demand_deadline else ("—", "—")
        raise DemandError(f"报量已于 {zh} 截止，不再接受上传 / uploads closed with the demand deadline ({en})")


def _hospital(session: Session, actor: Actor | None, code: str, catalog: ctx.BatchCatalog) -> Organisation:
    """The hospital an upload is for, checked against who uploads and the batch's regions."""
    if actor is not None and actor.role not in UPLOADERS:
        raise Forbidden("只有医疗机构采购员和价格招采处可以报量 / hospital buyers and price officers only")
    org = session.exec(select(Organisation).where(
        Organisation.code == code.strip(), Organisation.kind == OrgKind.HOSPITAL,
        Organisation.active == True)).first()  # noqa: E712
    if actor is not None and actor.role == Role.HOSPITAL_BUYER and (org is None or org.id != actor.org_id):
        raise Forbidden(f"只能报送本院的数据，不能报送「{code}」 / you may report only your own hospital, not {code}")
    if org is None or (actor is not None and not region_contains(actor.region_code, org.region_code)):
        raise DemandError(f"医院不存在或不在本地区 / no such hospital in your region: {code}")
    if ctx.region_of(org.region_code, catalog.regions) is None:
        raise DemandError(f"医院「{org.name}」不在本批次的供应地区 / {code} is outside the batch's supply regions")
    return org


def _rejection(errors: Sequence[CellError], count: int) -> DemandRejected:
    """A rejection for a readable file with cell errors."""
    return DemandRejected(f"上传未被接受：发现 {count} 处错误，未保存任何数据 / upload rejected: "
                          f"{count} error(s) found, nothing was saved", tuple(errors), count)


def _no_rows() -> DemandRejected:
    """A rejection for a sheet without any data row."""
    error = CellError(DATA_SHEET, 2, "", None, "", "表中没有数据行", "the sheet has no data rows", "empty")
    return _rejection([error], 1)


def _unreadable(exc: WorkbookError) -> DemandRejected:
    """A rejection for a file that is not a readable workbook."""
    return DemandRejected(str(exc), readable=False)


def _missing_floors(rows: Sequence[DemandRow], floors: dict[tuple[str, str], int]) -> list[CellError]:
    """A renewal carries volume: every item a hospital of the upload bought in the last cycle
    must be in its rows (an error per missing item; only hospitals the upload covers)."""
    given = {(r.hospital_code.upper(), r.item_code.upper()) for r in rows}
    hospitals = {h for h, _i in given}
    return [CellError(DATA_SHEET, 1, "品种编码 (item code)", None, item,
                      f"接续采购：医院 {hospital} 上一周期采购了此品种（{least}），须填报承诺量",
                      f"renewal: hospital {hospital} bought this item in the last cycle ({least}); report its committed "
                      "volume", "renewal_item_missing")
            for (hospital, item), least in sorted(floors.items())
            if least > 0 and hospital.upper() in hospitals and (hospital.upper(), item.upper()) not in given]


LINE_COLUMNS = ("upload_id", "batch_item_id", "last_year_use", "committed", "preferred_supplier_id", "reason")


def _line_rows(upload_ids: Iterable[int], parse: DemandParse, catalog: ctx.BatchCatalog) -> list[tuple]:
    """Demand lines as tuples in :data:`LINE_COLUMNS` order, for one bulk INSERT, straight from the
    accepted columns (``upload_ids``: one per row)."""
    return list(_column_lines(upload_ids, parse.columns, catalog))


def _column_lines(upload_ids: Iterable[int], columns: Sequence[Sequence], catalog: ctx.BatchCatalog) -> Iterator[tuple]:
    """The lines of accepted columns (``DemandParse.columns`` order), made as they are taken."""
    _hospitals, items, lasts, committed, brands, reasons, _rows = columns
    return zip(upload_ids, map(catalog.item_ids.__getitem__, items), lasts, committed,
               map(catalog.supplier_ids.get, brands), reasons, strict=True)


def submit_demand(session: Session, actor: Actor | None, batch_code: str, hospital_code: str,
                  data: bytes, filename: str, now: datetime, *, tz: str = DEFAULT_TZ,
                  max_rows: int | None = None) -> DemandAccepted | DemandRejected:
    """Apply one hospital's demand sheet as its next version, or reject it and write nothing.

    ``actor`` None is bureau IT at the command line (audited as the system, on behalf);
    ``max_rows`` is the deployment's row limit for a hospital's sheet (None: the default).
    """
    batch = _batch(session, actor, batch_code)
    if actor is not None and actor.role not in UPLOADERS:
        raise Forbidden("只有医疗机构采购员和价格招采处可以报量 / hospital buyers and price officers only")
    _check_open(batch, now, tz)
    catalog = ctx.batch_catalog(session, batch)
    hospital = _hospital(session, actor, hospital_code, catalog)
    floors = ctx.demand_floors(session, batch, hospital.id)
    try:
        parse = read_demand_workbook(data, filename=filename, context=ctx.demand_context(batch, hospital, catalog, floors),
                                     limits=with_max_rows(HOSPITAL_LIMITS, max_rows))
    except WorkbookError as exc:
        session.rollback()
        return _unreadable(exc)
    if not parse.ok or not parse.count:
        session.rollback()
        return _rejection(parse.errors, parse.error_count) if not parse.ok else _no_rows()
    if floors and (missing := _missing_floors(parse.rows, floors)):  # rows built only for a renewal
        session.rollback()
        return _rejection(missing, len(missing))
    batch = _batch(session, actor, batch_code, lock=True)
    _check_open(batch, now, tz)
    advisory_xact_lock(session, f"demand:{batch.id}:{hospital.id}")
    version = 1 + (session.exec(select(func.max(DemandUpload.version)).where(
        DemandUpload.batch_id == batch.id, DemandUpload.hospital_org_id == hospital.id)).one() or 0)
    on_behalf = actor is None or actor.org_id != hospital.id
    upload = DemandUpload(batch_id=batch.id, hospital_org_id=hospital.id, version=version,
                          uploaded_by=actor.user_id if actor else None, on_behalf=on_behalf,
                          filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                          row_count=parse.count, created_at=now)
    session.add(upload)
    session.flush()
    copy_rows(session, DemandLine.__tablename__, LINE_COLUMNS, _line_rows([upload.id] * parse.count, parse, catalog))
    audit.record(session, actor.audit() if actor else audit.SYSTEM, "demand.submit", "demand_upload", upload.id,
                 {"batch": batch.code, "hospital": hospital.code, "version": version, "rows": parse.count,
                  "on_behalf": on_behalf, "filename": upload.filename, "sha256": upload.sha256}, at=now)
    session.commit()
    return DemandAccepted(batch.code, {hospital.code: version}, parse.count, (upload.id,))


def submit_bulk_demand(session: Session, actor: Actor | None, batch_code: str, data: bytes,
                       filename: str, now: datetime, *, tz: str = DEFAULT_TZ,
                       max_rows: int | None = None) -> DemandAccepted | DemandRejected:
    """Apply a bureau-side file holding many hospitals' rows: one new version per hospital,
    all in one transaction, or nothing at all. Price officers (their region) or bureau IT (None);
    ``max_rows`` as for :func:`submit_demand`.

    On PostgreSQL the lines stream into the transaction while the sheet is still being read
    (:class:`_BulkLines`), as long as every cell read so far is good; the rules then decide,
    and any error drops the stream and rolls the whole transaction back."""
    if actor is not None and actor.role not in BUREAU_UPLOADERS:
        raise Forbidden("只有价格招采处可以批量导入 / price officers only")
    batch = _batch(session, actor, batch_code)
    _check_open(batch, now, tz)
    catalog = ctx.batch_catalog(session, batch)
    hospitals = {org.code.upper(): org for org, _r in ctx.batch_hospitals(
        session, catalog.regions, actor.region_code if actor else None)}
    floors = ctx.demand_floors(session, batch)
    lines = _BulkLines(session, actor, batch, hospitals, catalog, filename, hashlib.sha256(data).hexdigest(), now, tz)
    with collector_paused():  # 100,000 lines and their columns: no cyclic collection meanwhile
        try:
            refusal, count = _bulk_read_and_write(session, lines, data, filename, max_rows,
                                                  ctx.bulk_context(batch, frozenset(hospitals), catalog, floors), floors)
        finally:
            lines.drop()  # no-op once kept
    if refusal is not None:
        session.rollback()
        return refusal
    audit.record(session, actor.audit() if actor else audit.SYSTEM, "demand.bulk_submit", "batch", batch.code,
                 {"versions": lines.versions, "rows": count, "filename": filename[:255], "sha256": lines.digest}, at=now)
    session.commit()
    return DemandAccepted(batch.code, lines.versions, count, tuple(lines.upload_of.values()))


def _bulk_read_and_write(session: Session, lines: _BulkLines, data: bytes, filename: str, max_rows: int | None,
                         context: BulkDemandContext, floors: dict) -> tuple[DemandRejected | None, int]:
    """Read, check and write a bulk file; a refusal (the caller rolls back) or the rows written."""
    on_rows = lines.streaming() if session.connection().dialect.name == "postgresql" else None
    try:
        read = read_demand_sheet_bulk(data, filename=filename, limits=with_max_rows(BULK_LIMITS, max_rows), on_rows=on_rows)
    except WorkbookError as exc:
        return _unreadable(exc), 0
    parse = validate_demand_bulk(read, context)
    if not parse.ok or not parse.count:
        return (_rejection(parse.errors, parse.error_count) if not parse.ok else _no_rows()), 0
    if floors and (missing := _missing_floors(parse.rows, floors)):  # rows built only for a renewal
        return _rejection(missing, len(missing)), 0
    if not lines.keep(parse.count):  # not streamed (SQLite), or stopped: write the accepted rows now
        lines.write(parse.columns)
    return None, parse.count


class _BulkLines:
    """A bulk file's writes: the batch locked, one new version per hospital that has rows, the lines.

    Streamed (PostgreSQL, :meth:`streaming`): each part of the sheet, as it is read and while
    the read is free of errors, goes to a :class:`~procurement.demand.bulk.PartStream`, whose
    thread writes the versions of the part's new hospitals (their row counts set at the end) and
    COPYs its lines. Else :meth:`write` does it all at once after the rules."""

    def __init__(self, session: Session, actor: Actor | None, batch: Batch, hospitals: dict[str, Organisation],
                 catalog: ctx.BatchCatalog, filename: str, digest: str, now: datetime, tz: str) -> None:
        """Remember what the writes need (plain values: the writer thread touches no ORM object)."""
        self.session, self.batch_id, self.catalog, self.digest, self.now, self.tz = session, batch.id, catalog, digest, now, tz
        self.org_ids = {code: org.id for code, org in hospitals.items()}
        self.org_codes = {code: org.code for code, org in hospitals.items()}
        self.base = {"batch_id": batch.id, "uploaded_by": actor.user_id if actor else None, "on_behalf": True,
                     "filename": filename[:255], "sha256": digest, "created_at": now}
        self.previous: dict[int, int] = {}
        self.upload_of: dict[str, int] = {}  # hospital code → its new upload id, in order of first appearance
        self.versions: dict[str, int] = {}
        self.counts: Counter[str] = Counter()  # hospital code → its rows (streamed: read so far)
        self.inserted: dict[str, int] = {}  # hospital code → the row count its version was written with
        self.parts: PartStream | None = None
        self.streamed = 0

    def _lock(self) -> None:
        """Lock the batch (demand cannot close under the upload) and read the versions so far."""
        batch = self.session.get(Batch, self.batch_id, with_for_update=True, populate_existing=True)
        _check_open(batch, self.now, self.tz)
        self.previous = dict(self.session.exec(select(DemandUpload.hospital_org_id, func.max(DemandUpload.version))
                                               .where(DemandUpload.batch_id == self.batch_id)
                                               .group_by(DemandUpload.hospital_org_id)).all())

    def _uploads(self, conn, codes: Iterable[str]) -> None:
        """Write the versions of hospitals not yet in this upload (row counts: :meth:`_counted`)."""
        new = [code for code in dict.fromkeys(codes) if code not in self.upload_of]
        if not new:
            return
        uploads = [{**self.base, "hospital_org_id": self.org_ids[code], "version": self.previous.get(self.org_ids[code], 0) + 1,
                    "row_count": self.counts[code]} for code in new]  # streamed: the rows so far (see _counted)
        table = DemandUpload.__table__
        ids = dict(conn.execute(insert(table).returning(table.c.hospital_org_id, table.c.id), uploads).all())
        for code, upload in zip(new, uploads, strict=True):
            self.upload_of[code] = ids[self.org_ids[code]]
            self.versions[self.org_codes[code]] = upload["version"]
            self.inserted[code] = upload["row_count"]

    def _part_rows(self, conn, columns: Sequence[Sequence]) -> Iterable[tuple]:
        """In the writer thread: a part's new versions, then its lines."""
        self._uploads(conn, columns[0])
        return _column_lines(map(self.upload_of.__getitem__, columns[0]), columns, self.catalog)

    def streaming(self) -> RowsHandler:
        """Lock, start the writer thread, and return the reader's ``on_rows`` that feeds it."""
        self._lock()
        parts = self.parts = PartStream(self.session, DemandLine.__tablename__, LINE_COLUMNS, self._part_rows)
        clean, org_ids, item_ids = CleanColumns(self.catalog.brands), self.org_ids, self.catalog.item_ids

        def on_rows(table: Columns, still_clean: bool) -> None:
            if parts.stopped:
                return
            columns = clean.of(table) if still_clean else None
            if columns is None or not (org_ids.keys() >= set(columns[0]) and item_ids.keys() >= set(columns[1])):
                parts.stop()  # an error is certain: the rules will refuse the file
                return
            self.counts.update(columns[0])  # before the part is queued: its versions count its rows
            self.streamed += len(columns[0])
            parts.put(columns)

        return on_rows

    def keep(self, count: int) -> bool:
        """Finish a streamed write of ``count`` rows (True), or drop it and roll back (False)."""
        if self.parts is None:
            return False
        parts, self.parts = self.parts, None
        if parts.stopped or self.streamed != count:  # never when ok, but then write afresh
            parts.drop()
            self._reset()
            return False
        if parts.keep() != count:
            raise RuntimeError(f"demand lines written {parts.written} of {count}")
        self._counted()
        return True

    def _counted(self) -> None:
        """Set each new version's row count."""
        changed = [{"upload": upload, "rows": self.counts[code]} for code, upload in self.upload_of.items()
                   if self.counts[code] != self.inserted[code]]  # a hospital whose rows ran on into later parts
        if changed:
            table = DemandUpload.__table__
            self.session.execute(update(table).where(table.c.id == bindparam("upload")).values(row_count=bindparam("rows")),
                                 changed)

    def _reset(self) -> None:
        """Forget a dropped stream's writes (rolled back)."""
        self.session.rollback()
        self.upload_of, self.versions, self.counts, self.inserted, self.streamed = {}, {}, Counter(), {}, 0

    def write(self, columns: Sequence[Sequence]) -> None:
        """Write the accepted ``columns`` at once (``DemandParse.columns`` order)."""
        self._lock()
        self.counts = Counter(columns[0])
        self._uploads(self.session.connection(), self.counts)
        copy_rows(self.session, DemandLine.__tablename__, LINE_COLUMNS,
                  list(_column_lines(map(self.upload_of.__getitem__, columns[0]), columns, self.catalog)))

    def drop(self) -> None:
        """Abandon a stream still running (the caller rolls back)."""
        if self.parts is not None:
            self.parts.drop()
            self.parts = None


def error_workbook(rejection: DemandRejected, data: bytes, filename: str) -> bytes | None:
    """The user's own workbook with the bad cells marked and a summary sheet (None if unreadable)."""
    if not rejection.readable or not rejection.errors:
        return None
    try:
        return build_error_workbook(data, rejection.errors, filename=filename)
    except WorkbookError:
        return None


def send_demand_reminders(session: Session, actor: Actor, batch_code: str, now: datetime, *,
                          tz: str = DEFAULT_TZ) -> int:
    """Remind every hospital of the batch (in the officer's region) that has not submitted yet."""
    if actor.role not in BUREAU_UPLOADERS:
        raise Forbidden("price officers only")
    batch = _batch(session, actor, batch_code, lock=True)
    _check_open(batch, now, tz)
    catalog = ctx.batch_catalog(session, batch)
    done = ctx.submitted_hospital_ids(session, batch.id)
    missing = [org for org, _r in ctx.batch_hospitals(session, catalog.regions, actor.region_code)
               if org.id not in done]
    if not missing:
        session.rollback()
        return 0
    session.execute(insert(DemandReminder.__table__), [
        {"batch_id": batch.id, "hospital_org_id": org.id, "sent_by": actor.user_id, "sent_at": now}
        for org in missing])
    audit.record(session, actor.audit(), "demand.remind", "batch", batch.code,
                 {"hospitals": [org.code for org in missing]}, at=now)
    session.commit()
    return len(missing)
