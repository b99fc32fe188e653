"""Renewal (接续) of expiring contracts: a new tendered batch pre-filled from the old one.

From a batch in execution whose contracts end within the renewal window (a setting, in months),
an officer creates the renewal of the contracts ending on one day E: the same items and supply
regions, the old batch's rules, a cycle starting on E + 1 (so the new contracts start the day
after the old ones end: no gap, no overlap — checked again before demand opens), the previous
selected price as each item's maximum valid price (or, by the rule, the lower of it and the
lowest price of other provinces, entered), and as each hospital's demand floor its actual
accepted quantity of the last contract year. Previous winners and new entrants bid alike. A
renewal always carries volume: "只议价不带量" (price only, no volume) is refused.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core import audit
from core.i18n import N_
from cycles.models import ContractYear
from cycles.period import add_years, contract_years
from procurement.demand.models import DemandFloor
from procurement.lifecycle import BatchStatus, GuardContext, Procedure, register_guard
from procurement.models import Batch, BatchItem, BatchRegion, Item
from procurement.queries import find_batch
from procurement.rules import BatchRules, parse_rules
from procurement.services import create_batch, get_batch_for_update
from procurement.timeline import Timeline
from review.models import Contract
from settlement.models import Acceptance

PRICE_ONLY = "price_only"  # 只议价不带量: refused


class RenewalRefused(ValueError):
    """A refused renewal, with the reason."""


@dataclass(frozen=True)
class RenewalItem:
    """One item of a renewal as the page pre-fills it."""

    code: str
    name: str
    previous_price_e4: int  # the previous selected price: the highest contract price of the item
    contracts: int


@dataclass(frozen=True)
class RenewalPlan:
    """What a renewal of the contracts ending on ``ends_on`` would hold."""

    ends_on: date
    starts_on: date
    cycle_end: date
    items: tuple[RenewalItem, ...]


def _months_later(day: date, months: int) -> date:
    """The same day ``months`` later (clamped to the month's end)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def _renewed_ends(session: Session, batch: Batch) -> set[date]:
    """The end dates the batch's live renewals already cover (their cycle starts the day after)."""
    starts = session.exec(select(Batch.cycle_start).where(Batch.renewal_of_id == batch.id,
                                                          Batch.status != BatchStatus.CANCELLED)).all()
    return {start - timedelta(days=1) for start in starts if start}


def renewal_plan(session: Session, batch: Batch, now: datetime) -> RenewalPlan | None:
    """The next renewal the batch allows now: the contracts ending first within the window and
    not renewed yet (None: none)."""
    if batch.status != BatchStatus.EXECUTION:
        return None
    months = _rules(batch).renewal_window_months
    today = now.date()
    ends = session.exec(select(Contract.period_end).where(
        Contract.batch_id == batch.id, Contract.period_end >= today,
        Contract.period_end <= _months_later(today, months)).distinct().order_by(Contract.period_end)).all()
    done = _renewed_ends(session, batch)
    end = next((e for e in ends if e not in done), None)
    if end is None:
        return None
    rows = session.exec(
        select(Item.code, Item.generic_name, func.max(Contract.ucp_e4), func.count(Contract.id))
        .join(BatchItem, Contract.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
        .where(Contract.batch_id == batch.id, Contract.period_end == end)
        .group_by(Item.code, Item.generic_name).order_by(Item.code)).all()
    first = session.exec(select(func.min(Contract.period_start)).where(
        Contract.batch_id == batch.id, Contract.period_end == end)).one()
    years = len(contract_years(first, end))
    starts = end + timedelta(days=1)
    return RenewalPlan(end, starts, add_years(starts, years) - timedelta(days=1),
                       tuple(RenewalItem(code, name, int(price), int(n)) for code, name, price, n in rows))


def _rules(batch: Batch) -> BatchRules:
    """The batch's rule set."""
    return parse_rules(batch.rules_json)


def renewal_refusal(session: Session, batch: Batch, now: datetime) -> str | None:
    """Why no renewal can be created from the batch now (None: one can)."""
    if batch.status != BatchStatus.EXECUTION:
        return N_("A renewal is created from a batch in execution.")
    if renewal_plan(session, batch, now) is None:
        months = _rules(batch).renewal_window_months
        later = session.exec(select(func.min(Contract.period_end)).where(
            Contract.batch_id == batch.id, Contract.period_end >= now.date())).one()
        if later is None or later in _renewed_ends(session, batch):
            return N_("No contract of this batch is left to renew.")
        return N_("Renewal opens %(months)s months before the contracts end (%(end)s).", months=months,
                  end=later.isoformat())
    return None


def maximum_price(previous_e4: int, other_lowest_e4: int | None, rule: str) -> int:
    """The renewal's maximum valid price of an item: the previous selected price, or under the
    rule the lower of it and the lowest price of other provinces (when one was entered)."""
    if rule == "lower_of_other_provinces" and other_lowest_e4 is not None:
        return min(previous_e4, other_lowest_e4)
    return previous_e4


def create_renewal(session: Session, actor: Actor, code: str, *, new_code: str, name: str, mode: str,
                   other_prices: dict[str, int], now: datetime) -> Batch:
    """Create the draft renewal batch of the batch's next expiring contracts (one transaction)."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")
    old = get_batch_for_update(session, actor, code)
    if mode == PRICE_ONLY:
        raise RenewalRefused(N_("A renewal always carries volume: price negotiation without volume "
                                "(只议价不带量) is not allowed."))
    refusal = renewal_refusal(session, old, now)
    if refusal:
        raise RenewalRefused(refusal)
    plan = renewal_plan(session, old, now)
    rules = _rules(old)
    for item_code, price in other_prices.items():
        if item_code not in {i.code for i in plan.items} or price <= 0:
            raise RenewalRefused(N_("Other provinces' lowest price entered for %(item)s, not an item of the renewal.",
                                    item=item_code))
    batch = create_batch(session, actor, code=new_code, name=name, kind=old.kind, rules=rules.model_dump(mode="json"),
                         timeline=Timeline(None, None, None, plan.starts_on, plan.cycle_end), now=now,
                         procedure=Procedure.TENDER, commit=False)
    batch.renewal_of_id = old.id
    item_ids = dict(session.exec(select(Item.code, Item.id).where(Item.code.in_([i.code for i in plan.items]))).all())
    batch_items = {}
    for item in plan.items:
        row = BatchItem(batch_id=batch.id, item_id=item_ids[item.code], previous_price_e4=item.previous_price_e4,
                        max_valid_price_e4=maximum_price(item.previous_price_e4, other_prices.get(item.code),
                                                         rules.renewal_max_price))
        session.add(row)
        batch_items[item.code] = row
    for region in session.exec(select(BatchRegion.region_code).where(BatchRegion.batch_id == old.id)).all():
        session.add(BatchRegion(batch_id=batch.id, region_code=region))
    session.flush()
    floors = _floors(session, old, plan, batch_items, now)
    for floor in floors:
        session.add(floor)
    audit.record(session, actor.audit(), "batch.renew", "batch", old.code,
                 {"renewal": batch.code, "ends_on": plan.ends_on.isoformat(), "items": [i.code for i in plan.items],
                  "floors": len(floors), "other_prices": other_prices}, at=now)
    session.commit()
    return batch


def _floors(session: Session, old: Batch, plan: RenewalPlan, batch_items: dict[str, BatchItem],
            now: datetime) -> list[DemandFloor]:
    """Per expiring contract, the hospital's accepted quantity (less returns) in its last contract
    year begun (``cycles.models.ContractYear``, up to now) as its demand floor for the item; a
    contract without years counts the last twelve months."""
    since = add_years(now.date(), -1)
    last = (select(ContractYear.contract_id, func.max(ContractYear.year_no).label("year_no"))
            .where(ContractYear.batch_id == old.id, ContractYear.starts_on <= now.date())
            .group_by(ContractYear.contract_id).subquery())
    year = aliased(ContractYear)
    rows = session.exec(
        select(Contract.id, Contract.hospital_org_id, Item.code,
               func.coalesce(func.sum(Acceptance.quantity - Acceptance.returned), 0))
        .join(BatchItem, Contract.batch_item_id == BatchItem.id).join(Item, BatchItem.item_id == Item.id)
        .outerjoin(last, last.c.contract_id == Contract.id)
        .outerjoin(year, (year.contract_id == Contract.id) & (year.year_no == last.c.year_no))
        .outerjoin(Acceptance, (Acceptance.contract_id == Contract.id)
                   & (Acceptance.accepted_on >= func.coalesce(year.starts_on, since + timedelta(days=1)))
                   & (Acceptance.accepted_on <= now.date()))
        .where(Contract.batch_id == old.id, Contract.period_end == plan.ends_on)
        .group_by(Contract.id, Contract.hospital_org_id, Item.code)).all()
    return [DemandFloor(batch_id=batch_items[item].batch_id, batch_item_id=batch_items[item].id,
                        hospital_org_id=hospital, floor_volume=int(total), source_contract_id=contract_id)
            for contract_id, hospital, item, total in rows]


def _renewal_starts_after(ctx: GuardContext) -> str | None:
    """A renewal's cycle starts the day after the old contracts of its items end: no gap, no overlap."""
    batch = ctx.batch
    if batch.renewal_of_id is None or batch.cycle_start is None:
        return None
    items = select(BatchItem.item_id).where(BatchItem.batch_id == batch.id, BatchItem.active == True)  # noqa: E712
    end = ctx.session.exec(select(func.max(Contract.period_end)).join(BatchItem, Contract.batch_item_id == BatchItem.id)
                           .where(Contract.batch_id == batch.renewal_of_id, BatchItem.item_id.in_(items))).one()
    if end is not None and batch.cycle_start != end + timedelta(days=1):
        day = (end + timedelta(days=1)).isoformat()
        return f"接续批次的采购周期须从 {day} 开始（原协议次日），不留空档、不重叠 / a renewal's cycle starts on {day}, the day after the old contracts end: no gap, no overlap"
    return None


register_guard("open_demand", _renewal_starts_after)


def renewal_of(session: Session, actor: Actor, code: str) -> tuple[Batch | None, list[Batch]]:
    """The batch a batch renews and the batches that renew it (the renewal links, both ways)."""
    batch = find_batch(session, actor, code)
    if batch is None:
        return None, []
    before = session.get(Batch, batch.renewal_of_id) if batch.renewal_of_id else None
    after = list(session.exec(select(Batch).where(Batch.renewal_of_id == batch.id).order_by(Batch.id)).all())
    return before, after
