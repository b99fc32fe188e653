"""Read models of contract years: each year's state per batch, and one year's rows paged and
filtered on the server (all scoped: hospitals see their own contracts' years)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import register_scope, scope, within_region
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from cycles.models import ContractYear
from cycles.years import next_year, reconfirmation_refusal
from procurement.models import Batch, BatchItem, Item
from procurement.queries import find_batch
from review.models import Contract

YEAR_FILTERS = ("year", "hospital", "item", "status")
YEAR_STATUSES = ("provisional", "to_confirm", "confirmed", "change_proposed", "agreed")


def _year_rule(actor: Actor):
    """Hospitals and suppliers: the years of their own contracts; bureau roles: their region's."""
    if actor.role == Role.HOSPITAL_BUYER:
        return ContractYear.contract_id.in_(select(Contract.id).where(Contract.hospital_org_id == actor.org_id))
    if actor.role == Role.SUPPLIER_REP:
        return ContractYear.contract_id.in_(select(Contract.id).where(Contract.supplier_org_id == actor.org_id))
    return ContractYear.batch_id.in_(select(Batch.id).where(within_region(Batch.region_code, actor.region_code)))


register_scope(ContractYear, _year_rule)


@dataclass(frozen=True)
class YearSummary:
    """One contract year of a batch: its dates, how many rows are in each state, the Σ agreed."""

    year_no: int
    starts_on: date
    ends_on: date
    counts: dict[str, int]
    agreed_total: int


@dataclass(frozen=True)
class VolumesView:
    """The yearly volumes page: the years, the year being (or next to be) re-confirmed, why it
    cannot be opened now (officers), and that year's rows."""

    batch: Batch
    years: list[YearSummary]
    year_no: int | None
    open_refusal: object | None
    page: Page | None


def _summaries(session: Session, actor: Actor, batch: Batch) -> list[YearSummary]:
    """Per contract year of the batch (within the actor's scope): dates, counts, Σ agreed."""
    stmt = scope(select(ContractYear.year_no, ContractYear.status, func.count(), func.sum(ContractYear.agreed_volume),
                        func.min(ContractYear.starts_on), func.max(ContractYear.ends_on))
                 .where(ContractYear.batch_id == batch.id)
                 .group_by(ContractYear.year_no, ContractYear.status), actor, ContractYear)
    years: dict[int, dict] = {}
    for year_no, status, n, total, first, last in session.exec(stmt).all():
        entry = years.setdefault(year_no, {"counts": {}, "total": 0, "first": first, "last": last})
        entry["counts"][status] = int(n)
        entry["total"] += int(total or 0)
        entry["first"], entry["last"] = min(entry["first"], first), max(entry["last"], last)
    return [YearSummary(n, e["first"], e["last"], e["counts"], e["total"]) for n, e in sorted(years.items())]


SORT_KEYS = ("hospital", "item", "floor", "proposed", "answer", "status")


def volumes_view(session: Session, actor: Actor, code: str, now, query: ListQuery = FIRST_PAGE) -> VolumesView | None:
    """The yearly volumes of a batch for the actor (None when the batch is not visible); the
    year shown is the ``year`` filter, else the one being or next to be re-confirmed."""
    batch = find_batch(session, actor, code)
    if batch is None or actor.role == Role.SUPPLIER_REP:
        return None
    years = _summaries(session, actor, batch)
    wanted = query.get("year")
    year_no = int(wanted) if wanted and wanted.isdigit() and len(wanted) < 3 else None
    shown = year_no if year_no in {y.year_no for y in years} else (next_year(session, batch) or
                                                                  (years[-1].year_no if years else None))
    refusal = reconfirmation_refusal(session, batch, shown, now) if shown and actor.role == Role.PRICE_OFFICER else None
    page = _rows(session, actor, batch, shown, query) if shown else None
    return VolumesView(batch, years, shown, refusal, page)


def _rows(session: Session, actor: Actor, batch: Batch, year_no: int, query: ListQuery) -> Page:
    """One page of the year's rows as (year, contract, item, hospital), filtered by hospital,
    item and state, sorted on the server."""
    hospital = aliased(Organisation)
    stmt = (select(ContractYear, Contract, Item, hospital)
            .join(Contract, ContractYear.contract_id == Contract.id)
            .join(BatchItem, Contract.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
            .join(hospital, Contract.hospital_org_id == hospital.id)
            .where(ContractYear.batch_id == batch.id, ContractYear.year_no == year_no))
    status = query.get("status")
    stmt = narrowed(stmt, contains(query, "hospital", hospital.code, hospital.name),
                    contains(query, "item", Item.code, Item.generic_name),
                    ContractYear.status == status if status in YEAR_STATUSES else None)
    sorts = {"hospital": (hospital.name,), "item": (Item.code,), "floor": ContractYear.floor_volume,
             "proposed": ContractYear.proposed_volume, "answer": ContractYear.hospital_volume,
             "status": ContractYear.status}
    return fetch(session, scope(stmt, actor, ContractYear), query, sorts, (hospital.name, Item.code, ContractYear.id))


def years_of(session: Session, contract_ids: list[int]) -> dict[int, list[ContractYear]]:
    """The years of the given contracts, by contract (for the contracts list and its export)."""
    out: dict[int, list[ContractYear]] = {}
    if not contract_ids:
        return out
    for row in session.exec(select(ContractYear).where(ContractYear.contract_id.in_(contract_ids))
                            .order_by(ContractYear.contract_id, ContractYear.year_no)).all():
        out.setdefault(row.contract_id, []).append(row)
    return out
