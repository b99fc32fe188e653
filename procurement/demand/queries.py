"""Scoped reads of demand: versions and lines, diffs, bureau progress, consolidated demand.

Every read goes through :func:`accounts.scoping.scope`: hospitals see their own uploads,
bureau roles those of hospitals in their region. Unknown and foreign batches answer None.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import by_org, register_scope, scope
from procurement.demand import context as ctx
from procurement.demand.models import DemandLine, DemandReminder, DemandUpload
from procurement.models import Batch, BatchItem, Item, Region
from procurement.queries import find_batch

register_scope(DemandUpload, by_org(DemandUpload.hospital_org_id))
register_scope(DemandReminder, by_org(DemandReminder.hospital_org_id))
register_scope(DemandLine, lambda actor: DemandLine.upload_id.in_(
    scope(select(DemandUpload.id), actor, DemandUpload)))


@dataclass(frozen=True)
class LineView:
    """One demand line as pages show it."""

    item_code: str
    item_name: str
    unit: str
    last_year_use: int
    committed: int
    supplier: str | None
    reason: str | None


@dataclass(frozen=True)
class DiffLine:
    """What changed for one item between two versions (None: the item was not in that version)."""

    item_code: str
    item_name: str
    old: int | None
    new: int | None

    @property
    def change(self) -> str:
        """``added``, ``removed``, ``changed`` or ``same``."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.old != self.new else "same"


@dataclass(frozen=True)
class HospitalDemand:
    """A hospital's demand in a batch: its versions (newest first) and the latest lines."""

    batch: Batch
    hospital: Organisation
    versions: list[DemandUpload]
    lines: list[LineView]
    reminded: bool


def hospital_in_scope(session: Session, actor: Actor, code: str) -> Organisation | None:
    """A hospital organisation the actor may see, by code."""
    stmt = select(Organisation).where(Organisation.code == code, Organisation.kind == "hospital")
    return session.exec(scope(stmt, actor, Organisation)).first()


def version_lines(session: Session, actor: Actor, upload_id: int) -> list[LineView]:
    """The lines of one version, by item code."""
    supplier = Organisation.__table__.alias("supplier")
    rows = session.exec(
        select(DemandLine, Item.code, Item.generic_name, Item.minimal_unit, supplier.c.name)
        .join(BatchItem, DemandLine.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
        .outerjoin(supplier, DemandLine.preferred_supplier_id == supplier.c.id)
        .where(DemandLine.upload_id == upload_id, DemandLine.upload_id.in_(
            scope(select(DemandUpload.id), actor, DemandUpload)))
        .order_by(Item.code)).all()
    return [LineView(code, name, unit, line.last_year_use, line.committed, sup, line.reason)
            for line, code, name, unit, sup in rows]


def hospital_demand(session: Session, actor: Actor, batch_code: str, hospital_code: str) -> HospitalDemand | None:
    """The hospital page's data, or None when the batch or hospital is unknown or out of scope."""
    batch = find_batch(session, actor, batch_code)
    hospital = hospital_in_scope(session, actor, hospital_code) if batch else None
    if batch is None or hospital is None:
        return None
    versions = list(session.exec(scope(select(DemandUpload).where(
        DemandUpload.batch_id == batch.id, DemandUpload.hospital_org_id == hospital.id), actor, DemandUpload)
        .order_by(DemandUpload.version.desc())).all())
    lines = version_lines(session, actor, versions[0].id) if versions else []
    reminded = not versions and session.exec(scope(select(DemandReminder.id).where(
        DemandReminder.batch_id == batch.id, DemandReminder.hospital_org_id == hospital.id),
        actor, DemandReminder)).first() is not None
    return HospitalDemand(batch, hospital, versions, lines, reminded)


def version_diff(session: Session, actor: Actor, old: DemandUpload | None, new: DemandUpload) -> list[DiffLine]:
    """Per item: committed volume in ``old`` and ``new`` (added and removed lines included)."""
    before = {v.item_code: v for v in version_lines(session, actor, old.id)} if old else {}
    after = {v.item_code: v for v in version_lines(session, actor, new.id)}
    return [DiffLine(code, (after.get(code) or before[code]).item_name,
                     before[code].committed if code in before else None,
                     after[code].committed if code in after else None)
            for code in sorted(set(before) | set(after))]


@dataclass(frozen=True)
class RegionProgress:
    """Submission progress of one supply region."""

    code: str
    name: str
    hospitals: int
    submitted: int

    @property
    def share(self) -> Decimal:
        """Submitted share in percent, one decimal (half up)."""
        if not self.hospitals:
            return Decimal(0)
        return (Decimal(100 * self.submitted) / self.hospitals).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    """Who has and has not submitted, by region, for the bureau."""

    batch: Batch
    regions: list[RegionProgress]
    missing: list[tuple[Organisation, str]]  # hospital and its batch region
    reminded: set[int]  # hospital ids already reminded

    @property
    def total(self) -> RegionProgress:
        """All regions together."""
        return RegionProgress("", "", sum(r.hospitals for r in self.regions), sum(r.submitted for r in self.regions))


def _region_names(session: Session, codes: tuple[str, ...]) -> dict[str, str]:
    """Region code → name."""
    return dict(session.exec(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


def submission_progress(session: Session, actor: Actor, batch_code: str) -> Progress | None:
    """Progress of demand collection in the actor's region (bureau roles)."""
    batch = find_batch(session, actor, batch_code)
    if batch is None or not actor.is_bureau:
        return None
    catalog = ctx.batch_catalog(session, batch)
    hospitals = ctx.batch_hospitals(session, catalog.regions, actor.region_code)
    done = set(session.exec(scope(select(DemandUpload.hospital_org_id).where(
        DemandUpload.batch_id == batch.id), actor, DemandUpload).distinct()).all())
    reminded = set(session.exec(scope(select(DemandReminder.hospital_org_id).where(
        DemandReminder.batch_id == batch.id), actor, DemandReminder).distinct()).all())
    names = _region_names(session, catalog.regions)
    regions = [RegionProgress(code, names.get(code, code), sum(1 for _o, r in hospitals if r == code),
                              sum(1 for o, r in hospitals if r == code and o.id in done))
               for code in catalog.regions]
    missing = [(org, region) for org, region in hospitals if org.id not in done]
    return Progress(batch, regions, missing, reminded)


@dataclass(frozen=True)
class ItemDemand:
    """Consolidated demand of one item (optionally within one region): Σ over latest versions."""

    item_code: str
    item_name: str
    unit: str
    region_code: str
    region_name: str
    hospitals: int
    last_year_use: int
    committed: int


def latest_upload_ids(actor: Actor, batch_id: int):
    """Scoped SELECT of the latest version's id for each hospital of the batch."""
    latest = (select(DemandUpload.hospital_org_id.label("h"), func.max(DemandUpload.version).label("v"))
              .where(DemandUpload.batch_id == batch_id).group_by(DemandUpload.hospital_org_id).subquery())
    stmt = select(DemandUpload.id).join(latest, and_(DemandUpload.hospital_org_id == latest.c.h,
                                                     DemandUpload.version == latest.c.v))
    return scope(stmt.where(DemandUpload.batch_id == batch_id), actor, DemandUpload)


def consolidated_demand(session: Session, actor: Actor, batch_code: str) -> tuple[Batch, list[ItemDemand], list[ItemDemand]] | None:
    """Per item and per item × supply region: hospitals, Σ last year's use, Σ committed."""
    batch = find_batch(session, actor, batch_code)
    if batch is None or not actor.is_bureau:
        return None
    catalog = ctx.batch_catalog(session, batch)
    names = _region_names(session, catalog.regions)
    rows = session.exec(
        select(Item.code, Organisation.region_code, func.count(DemandLine.id),
               func.sum(DemandLine.last_year_use), func.sum(DemandLine.committed))
        .select_from(DemandLine).join(DemandUpload, DemandLine.upload_id == DemandUpload.id)
        .join(Organisation, DemandUpload.hospital_org_id == Organisation.id)
        .join(BatchItem, DemandLine.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
        .where(DemandLine.upload_id.in_(latest_upload_ids(actor, batch.id)))
        .group_by(Item.code, Organisation.region_code)).all()
    sums: dict[tuple[str, str], list[int]] = {}
    for item_code, org_region, count, last, committed in rows:
        region = ctx.region_of(org_region, catalog.regions) or ""
        for key in ((item_code, ""), (item_code, region)):
            acc = sums.setdefault(key, [0, 0, 0])
            acc[0] += int(count)
            acc[1] += int(last or 0)
            acc[2] += int(committed or 0)
    per_item, per_region = [], []
    for item in catalog.items:
        total = sums.get((item.code, ""), [0, 0, 0])
        per_item.append(ItemDemand(item.code, item.name, item.unit, "", "", *total))
        for region in catalog.regions:
            acc = sums.get((item.code, region), [0, 0, 0])
            per_region.append(ItemDemand(item.code, item.name, item.unit, region, names.get(region, region), *acc))
    return batch, per_item, per_region


def demand_task_state(session: Session, actor: Actor, batch_ids: list[int]) -> tuple[set[int], set[int]]:
    """For a hospital actor: batches it has submitted demand to, and batches it was reminded about."""
    if not batch_ids:
        return set(), set()
    submitted = set(session.exec(scope(select(DemandUpload.batch_id).where(
        DemandUpload.batch_id.in_(batch_ids), DemandUpload.hospital_org_id == actor.org_id),
        actor, DemandUpload).distinct()).all())
    reminded = set(session.exec(scope(select(DemandReminder.batch_id).where(
        DemandReminder.batch_id.in_(batch_ids), DemandReminder.hospital_org_id == actor.org_id),
        actor, DemandReminder).distinct()).all())
    return submitted, reminded


def demand_template(session: Session, actor: Actor, batch_code: str, hospital_code: str) -> tuple[str, bytes] | None:
    """The pre-filled template for a hospital the actor may see, in a batch of its supply regions."""
    from imports.template import build_demand_template

    batch = find_batch(session, actor, batch_code)
    hospital = hospital_in_scope(session, actor, hospital_code) if batch else None
    if batch is None or hospital is None:
        return None
    catalog = ctx.batch_catalog(session, batch)
    if ctx.region_of(hospital.region_code, catalog.regions) is None:
        return None
    data = build_demand_template(ctx.demand_context(batch, hospital, catalog))
    return f"{batch.code}_{hospital.code}_报量模板.xlsx", data


def hospital_by_id(session: Session, actor: Actor, org_id: int) -> Organisation | None:
    """A hospital organisation by id, within the actor's scope."""
    stmt = select(Organisation).where(Organisation.id == org_id, Organisation.kind == "hospital")
    return session.exec(scope(stmt, actor, Organisation)).first()


def latest_lines(session: Session, batch_id: int) -> list[tuple[DemandLine, Organisation, BatchItem, Item]]:
    """Every line of each hospital's latest demand version of the batch, with the hospital, the
    batch item and the item (unscoped: for the use cases that make contracts from demand)."""
    latest = (select(DemandUpload.hospital_org_id.label("h"), func.max(DemandUpload.version).label("v"))
              .where(DemandUpload.batch_id == batch_id).group_by(DemandUpload.hospital_org_id).subquery())
    return list(session.exec(
        select(DemandLine, Organisation, BatchItem, Item)
        .join(DemandUpload, DemandLine.upload_id == DemandUpload.id)
        .join(latest, and_(DemandUpload.hospital_org_id == latest.c.h, DemandUpload.version == latest.c.v))
        .join(Organisation, DemandUpload.hospital_org_id == Organisation.id)
        .join(BatchItem, DemandLine.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
        .where(DemandUpload.batch_id == batch_id)
        .order_by(Organisation.code, Item.code)).all())
