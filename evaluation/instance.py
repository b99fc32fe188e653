"""Build the optimizer's input from the database: rules, regions' demand, opened bids."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from accounts.actor import Actor
from accounts.models import Organisation
from bidding.models import OpenedBid, OpeningRecord
from core.money import price_e4_to_decimal
from optimizer import Bid, Instance, Item, Region, Rules, Tier
from optimizer.jsonio import parse_rules
from procurement.demand.models import DemandLine, DemandUpload
from procurement.demand.queries import consolidated_demand
from procurement.models import Batch, BatchItem
from procurement.models import Item as CatalogItem
from procurement.rules import BatchRules

OPTIMIZER_KEYS = ("fuse_multiple", "anchor", "half_mean_k", "reduction_safe_harbour", "absolute_safe_harbour",
                  "max_winners", "agreed_ratio", "contract_years", "min_regions_per_winner", "max_share",
                  "backup", "solver", "time_limit_seconds", "gradient")


def optimizer_rules(rules: BatchRules) -> Rules:
    """The batch's rule set in the optimizer's terms (the JSON contract's ``rules``)."""
    data = json.loads(rules.to_json())
    picked = {k: data[k] for k in OPTIMIZER_KEYS}
    if picked["max_winners"].get("table") is None:
        picked["max_winners"] = {"minus": picked["max_winners"]["minus"], "cap": picked["max_winners"]["cap"]}
    else:
        picked["max_winners"] = {"table": picked["max_winners"]["table"], "cap": picked["max_winners"]["cap"]}
    picked["gap"] = float(Decimal(data["gap"]))  # a solver tolerance, not money
    return parse_rules(picked)


def _opened_bids(session: Session, batch: Batch) -> dict[int, list[Bid]]:
    """Bids usable by the optimizer per batch item: opened, receipt verified, priced."""
    record = session.exec(select(OpeningRecord).where(OpeningRecord.batch_id == batch.id)).first()
    if record is None:
        return {}
    rows = session.exec(select(OpenedBid, Organisation).join(Organisation, OpenedBid.supplier_org_id == Organisation.id)
                        .where(OpenedBid.opening_id == record.id)).all()
    bids: dict[int, list[Bid]] = defaultdict(list)
    for opened, supplier in rows:
        if not opened.receipt_ok or opened.ucp_e4 is None or "receipt_mismatch" in opened.reasons_json:
            continue  # unverifiable envelopes never reach the optimizer
        tiers = tuple(Tier(t["min_volume"], price_e4_to_decimal(t["ucp_e4"])) for t in json.loads(opened.tiers_json))
        bids[opened.batch_item_id].append(Bid(supplier.code, price_e4_to_decimal(opened.ucp_e4), opened.capacity,
                                              opened.submitted_at, tiers))
    return bids


def _hospital_units(session: Session, batch: Batch) -> dict[str, list[Region]]:
    """Per item: one allocation unit per hospital (its latest committed demand), pinned to the
    brand it named — the hospital-level allocation (``allocation_unit = "hospital"``)."""
    latest = (select(DemandUpload.hospital_org_id, func.max(DemandUpload.version).label("v"))
              .where(DemandUpload.batch_id == batch.id).group_by(DemandUpload.hospital_org_id).subquery())
    hospital, brand = aliased(Organisation), aliased(Organisation)
    rows = session.exec(
        select(CatalogItem.code, hospital.code, DemandLine.committed, brand.code)
        .select_from(DemandLine).join(DemandUpload, DemandLine.upload_id == DemandUpload.id)
        .join(latest, (latest.c.hospital_org_id == DemandUpload.hospital_org_id) & (latest.c.v == DemandUpload.version))
        .join(hospital, DemandUpload.hospital_org_id == hospital.id)
        .join(BatchItem, DemandLine.batch_item_id == BatchItem.id).join(CatalogItem, BatchItem.item_id == CatalogItem.id)
        .outerjoin(brand, DemandLine.preferred_supplier_id == brand.id)
        .where(DemandUpload.batch_id == batch.id, DemandLine.committed > 0)).all()
    units: dict[str, list[Region]] = defaultdict(list)
    for item_code, hospital_code, committed, brand_code in rows:
        units[item_code].append(Region(hospital_code, int(committed), brand_code))
    return units


def build_instance(session: Session, actor: Actor, batch: Batch, rules: BatchRules) -> Instance:
    """The whole batch as an optimizer instance: supply regions carrying Σ committed demand, or
    (hospital-level allocation) one unit per hospital pinned to its preferred brand."""
    demand: dict[str, list[Region]] = defaultdict(list)
    if rules.allocation_unit == "hospital":
        demand = _hospital_units(session, batch)
    else:
        consolidated = consolidated_demand(session, actor, batch.code)
        for row in consolidated[2] if consolidated else []:
            if row.region_code:
                demand[row.item_code].append(Region(row.region_code, row.committed))
    bids = _opened_bids(session, batch)
    items = []
    for batch_item, item in session.exec(
            select(BatchItem, CatalogItem).join(CatalogItem, BatchItem.item_id == CatalogItem.id)
            .where(BatchItem.batch_id == batch.id, BatchItem.active == True)  # noqa: E712
            .order_by(CatalogItem.code)).all():
        items.append(Item(item.code, price_e4_to_decimal(batch_item.max_valid_price_e4),
                          tuple(demand.get(item.code, ())), tuple(bids.get(batch_item.id, ()))))
    return Instance(optimizer_rules(rules), tuple(items))
