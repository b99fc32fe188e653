"""Map a published batch from the database onto the pure OCDS builder (``review.ocds``)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

from sqlmodel import Session, func, select

from accounts.models import Organisation
from bidding.models import OpenedBid, OpeningRecord
from core.money import line_amount_fen, parse_price_e4
from cycles.models import ContractYear
from evaluation.models import EvaluationItem
from procurement.demand.models import DemandLine, DemandUpload
from procurement.models import Batch, BatchItem, Item
from results.models import ResultSupply, ResultVersion, ResultWinner
from review.models import Contract, Publicity
from review.ocds import build_release_package
from review.ocds_records import (
    OcdsAward,
    OcdsBatch,
    OcdsBidStat,
    OcdsContract,
    OcdsItem,
    OcdsOrg,
)


def _org(org: Organisation) -> OcdsOrg:
    """An organisation as an OCDS party."""
    return OcdsOrg(org.code, org.name)


def _demand(session: Session, batch: Batch) -> dict[int, int]:
    """Σ committed demand of the latest versions, per batch item."""
    latest = (select(DemandUpload.hospital_org_id, func.max(DemandUpload.version).label("v"))
              .where(DemandUpload.batch_id == batch.id).group_by(DemandUpload.hospital_org_id).subquery())
    rows = session.exec(select(DemandLine.batch_item_id, func.sum(DemandLine.committed))
                        .join(DemandUpload, DemandLine.upload_id == DemandUpload.id)
                        .join(latest, (latest.c.hospital_org_id == DemandUpload.hospital_org_id)
                              & (latest.c.v == DemandUpload.version))
                        .where(DemandUpload.batch_id == batch.id).group_by(DemandLine.batch_item_id)).all()
    return {item_id: int(total or 0) for item_id, total in rows}


def _bid_stats(session: Session, batch: Batch, codes: dict[int, str]) -> tuple[list[OcdsBidStat], int]:
    """Per-item bid counts and valid price range, and the number of distinct bidders."""
    rows = session.exec(select(OpenedBid).join(OpeningRecord, OpenedBid.opening_id == OpeningRecord.id)
                        .where(OpeningRecord.batch_id == batch.id)).all()
    per_item: dict[int, list[OpenedBid]] = defaultdict(list)
    for row in rows:
        per_item[row.batch_item_id].append(row)
    stats = []
    for item_id, bids in sorted(per_item.items()):
        valid = [b.ucp_e4 for b in bids if b.valid and b.ucp_e4 is not None]
        stats.append(OcdsBidStat(codes[item_id], len(bids), len(valid), min(valid, default=None),
                                 max(valid, default=None)))
    return stats, len({b.supplier_org_id for b in rows})


def _published_winners(session: Session, evaluation_id: int) -> dict[tuple[str, str], tuple[int, tuple[str, ...]]]:
    """Every winner the published result names, (item code, supplier code) → (its unit
    comparable price in 1/10000 yuan, its primary regions) — a winner of a region where no
    hospital reported the item (agreed volume 0, no contract) included."""
    winners = {}
    for row in session.exec(select(EvaluationItem).where(EvaluationItem.evaluation_id == evaluation_id)).all():
        for winner in json.loads(row.result_json).get("winners", []):
            winners[(row.item_code, winner["supplier"])] = (parse_price_e4(winner["ucp"]), tuple(winner["regions"]))
    return winners


def _result_winners(session: Session, version_id: int) -> dict[tuple[str, str], tuple[int, tuple[str, ...]]]:
    """Every winner of an executed result's version, (item code, supplier code) → (its unit
    comparable price, the sub-regions it supplies as primary)."""
    orgs = {o.id: o.code for o in session.exec(select(Organisation).where(Organisation.kind == "supplier")).all()}
    items = dict(session.exec(select(BatchItem.id, Item.code).join(Item, BatchItem.item_id == Item.id)).all())
    regions: dict[tuple[int, int], list[str]] = defaultdict(list)
    for s in session.exec(select(ResultSupply).where(ResultSupply.version_id == version_id)
                          .order_by(ResultSupply.region_code)).all():
        regions[(s.batch_item_id, s.primary_supplier_org_id)].append(s.region_code)
    return {(items[w.batch_item_id], orgs[w.supplier_org_id]): (w.ucp_e4, tuple(regions[(w.batch_item_id,
                                                                                          w.supplier_org_id)]))
            for w in session.exec(select(ResultWinner).where(ResultWinner.version_id == version_id)).all()}


def _years(session: Session, batch: Batch) -> dict[int, tuple[tuple[int, date, date, int], ...]]:
    """Each contract's years: (year, first day, last day, agreed volume)."""
    out: dict[int, list] = defaultdict(list)
    for y in session.exec(select(ContractYear).where(ContractYear.batch_id == batch.id)
                          .order_by(ContractYear.contract_id, ContractYear.year_no)).all():
        out[y.contract_id].append((y.year_no, y.starts_on, y.ends_on, y.agreed_volume))
    return {k: tuple(v) for k, v in out.items()}


def ocds_package(session: Session, batch: Batch, *, publisher_name: str, uri: str,
                 ocid_prefix: str = "ocds-jicai") -> dict | None:
    """The OCDS release package of a published batch (None before publication): awards from the
    published result (every winner, with or without contracts), contracts from the contracts;
    ``ocid_prefix`` is the deployment's registered prefix (``JICAI_OCID_PREFIX``)."""
    publicity = session.exec(select(Publicity).where(Publicity.batch_id == batch.id)).first()
    if publicity is None or publicity.published_at is None:
        return None
    bureau = session.exec(select(Organisation).where(Organisation.kind == "bureau",
                                                     Organisation.region_code == batch.region_code)).first()
    fund = session.exec(select(Organisation).where(Organisation.kind == "fund",
                                                   Organisation.region_code == batch.region_code)).first()
    catalog = session.exec(select(BatchItem, Item).join(Item, BatchItem.item_id == Item.id)
                           .where(BatchItem.batch_id == batch.id, BatchItem.active == True)).all()  # noqa: E712
    codes = {bi.id: it.code for bi, it in catalog}
    demand = _demand(session, batch)
    items = tuple(OcdsItem(it.code, f"{it.generic_name}", f"{it.rep_strength or ''}{it.strength_unit or ''}",
                           it.minimal_unit, demand.get(bi.id, 0), max_price_e4=bi.max_valid_price_e4)
                  for bi, it in catalog)
    stats, tenderers = _bid_stats(session, batch, codes)
    executed = ""
    if publicity.result_version_id is not None:  # a published result put into effect
        version = session.get(ResultVersion, publicity.result_version_id)
        winners = _result_winners(session, version.id)
        executed = f"{version.source} {version.document_no} ({version.document_date.isoformat()})"
        tender_start, tenderers = version.created_at, None
    else:
        winners = _published_winners(session, publicity.evaluation_id)
        tender_start = batch.demand_deadline
    years = _years(session, batch)
    items_won_or_not = set(codes.values())
    orgs = {o.id: o for o in session.exec(select(Organisation)).all()}
    by_code = {o.code: o for o in orgs.values()}
    contracts, totals, periods = [], defaultdict(lambda: [0, 0]), {}
    for c in session.exec(select(Contract).where(Contract.batch_id == batch.id).order_by(Contract.code)).all():
        supplier, item_code = orgs[c.supplier_org_id], codes[c.batch_item_id]
        award_id = f"{item_code}-{supplier.code}"
        signed = c.status == "signed"
        contracts.append(OcdsContract(
            c.code, award_id, _org(orgs[c.hospital_org_id]), _org(supplier), item_code, c.agreed_volume, c.ucp_e4,
            line_amount_fen(c.agreed_volume, c.ucp_e4), c.period_start, c.period_end,
            "active" if signed else "pending",
            max(c.hospital_signed_at, c.supplier_signed_at) if signed else None, c.period_basis, years.get(c.id, ())))
        totals[award_id][0] += c.agreed_volume
        totals[award_id][1] += line_amount_fen(c.agreed_volume, c.ucp_e4)
        first, last = periods.get(award_id, (c.period_start, c.period_end))
        periods[award_id] = (min(first, c.period_start), max(last, c.period_end))
        # a contract whose winner the published result does not name (never expected) keeps its award
        winners.setdefault((item_code, supplier.code), (c.ucp_e4, ()))
    awards = tuple(OcdsAward(f"{item_code}-{supplier_code}", item_code, _org(by_code[supplier_code]), price,
                             *totals.get(f"{item_code}-{supplier_code}", (0, 0)), regions,
                             *periods.get(f"{item_code}-{supplier_code}", (batch.cycle_start, batch.cycle_end)))
                   for (item_code, supplier_code), (price, regions) in sorted(winners.items())
                   if item_code in items_won_or_not and supplier_code in by_code)
    ocds = OcdsBatch(batch.code, batch.name, _org(bureau), batch.region_code, publicity.published_at,
                     tender_start, batch.bid_deadline, batch.opening_at, items, tuple(stats), awards,
                     tuple(contracts), _org(fund) if fund else None, tenderers, executed_result=executed)
    return build_release_package(ocds, publisher_name=publisher_name, uri=uri, ocid_prefix=ocid_prefix)
