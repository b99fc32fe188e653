"""What the workbook reader needs to know about a batch, loaded from the database.

Plain reads with no actor: callers (services, scoped queries) decide who may ask first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from accounts.models import Organisation
from accounts.roles import OrgKind
from accounts.scoping import within_region
from core.regions import region_contains
from imports.demand import BatchItem as SheetItem
from imports.demand import BrandOption, BulkDemandContext, DemandContext
from procurement.demand.models import DemandFloor, DemandUpload
from procurement.models import Batch, BatchItem, BatchRegion, Item
from procurement.rules import parse_rules


@dataclass(frozen=True)
class BatchCatalog:
    """A batch's active items (by folded code), its supply regions and the brands on offer."""

    items: tuple[SheetItem, ...]
    item_ids: dict[str, int]  # upper-cased item code → batch_item.id
    regions: tuple[str, ...]
    brands: tuple[BrandOption, ...]
    supplier_ids: dict[str, int]  # supplier code → organisation.id


def _spec(item: Item) -> str:
    """The representative specification as the template shows it, e.g. ``10mg × 7片``."""
    text = f"{item.rep_strength or ''}{item.strength_unit or ''}"
    if item.rep_units_per_pack:
        text = f"{text} × {item.rep_units_per_pack}{item.minimal_unit}".strip(" ×")
    return text


def batch_catalog(session: Session, batch: Batch) -> BatchCatalog:
    """Load the batch's items, regions and the active supplier organisations (brands)."""
    rows = session.exec(
        select(BatchItem.id, Item).join(Item, BatchItem.item_id == Item.id)
        .where(BatchItem.batch_id == batch.id, BatchItem.active == True)  # noqa: E712
        .order_by(Item.code)
    ).all()
    items = tuple(SheetItem(it.code, it.generic_name, it.dosage_form or "", _spec(it), it.minimal_unit)
                  for _bid, it in rows)
    regions = tuple(session.exec(select(BatchRegion.region_code).where(
        BatchRegion.batch_id == batch.id).order_by(BatchRegion.region_code)).all())
    suppliers = session.exec(select(Organisation).where(
        Organisation.kind == OrgKind.SUPPLIER, Organisation.active == True)  # noqa: E712
        .order_by(Organisation.code)).all()
    return BatchCatalog(
        items=items,
        item_ids={it.code.upper(): bid for bid, it in rows},
        regions=regions,
        brands=tuple(BrandOption(s.code, s.name) for s in suppliers),
        supplier_ids={s.code: s.id for s in suppliers},
    )


def region_of(hospital_region: str, regions: tuple[str, ...]) -> str | None:
    """The batch supply region a hospital belongs to (its region code lies inside), or None."""
    for region in regions:
        if region_contains(region, hospital_region):
            return region
    return None


def batch_hospitals(session: Session, regions: tuple[str, ...], within: str | None = None) -> list[tuple[Organisation, str]]:
    """Active hospitals in the batch's supply regions (optionally inside ``within``), with their region."""
    if not regions:
        return []
    stmt = select(Organisation).where(Organisation.kind == OrgKind.HOSPITAL,
                                      Organisation.active == True,  # noqa: E712
                                      or_(*(within_region(Organisation.region_code, r) for r in regions)))
    found = []
    for org in session.exec(stmt.order_by(Organisation.code)).all():
        region = region_of(org.region_code, regions)
        if region is not None and (within is None or region_contains(within, org.region_code)):
            found.append((org, region))
    return found


def demand_floors(session: Session, batch: Batch, hospital_id: int | None = None) -> dict[tuple[str, str], int]:
    """A renewal batch's demand floors, (hospital code, item code) → least committed volume
    (empty for any other batch); optionally of one hospital."""
    stmt = (select(Organisation.code, Item.code, DemandFloor.floor_volume)
            .join(Organisation, DemandFloor.hospital_org_id == Organisation.id)
            .join(BatchItem, DemandFloor.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
            .where(DemandFloor.batch_id == batch.id))
    if hospital_id is not None:
        stmt = stmt.where(DemandFloor.hospital_org_id == hospital_id)
    return {(h, i): int(least) for h, i, least in session.exec(stmt).all()}


def demand_context(batch: Batch, hospital: Organisation, catalog: BatchCatalog,
                   floors: dict[tuple[str, str], int] | None = None) -> DemandContext:
    """The reader's context for one hospital's sheet (``floors``: a renewal's, see :func:`demand_floors`)."""
    return DemandContext(hospital.code, hospital.name, batch.code, catalog.items,
                         parse_rules(batch.rules_json).demand_floor_ratio, catalog.brands, floors or {})


def bulk_context(batch: Batch, hospital_codes: frozenset[str], catalog: BatchCatalog,
                 floors: dict[tuple[str, str], int] | None = None) -> BulkDemandContext:
    """The reader's context for a bureau-side file with many hospitals."""
    return BulkDemandContext(batch.code, catalog.items, hospital_codes,
                             parse_rules(batch.rules_json).demand_floor_ratio, catalog.brands, floors or {})


def submitted_hospital_ids(session: Session, batch_id: int) -> set[int]:
    """Hospitals with at least one accepted demand version in the batch."""
    return set(session.exec(select(DemandUpload.hospital_org_id).where(
        DemandUpload.batch_id == batch_id).distinct()).all())
