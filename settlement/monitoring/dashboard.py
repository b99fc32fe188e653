"""The dashboard's read model (no writes): how procurement is doing across batches and years, as
the actor's scope sees it — the province bureau all its hospitals, a city bureau the hospitals of
its city, a hospital itself (the scope rules of ``settlement.scoping``: by the hospital's region).

Every figure is summed in SQL per batch × batch item × hospital region (× year, for purchases),
then put together here with exact integer maths:

* **varieties in force** — distinct drug items and distinct consumable classes (``Item.category``)
  with a contract in a batch in execution whose cycle covers ``as_of``, against the plan's targets;
* **savings** — Σ net accepted quantity × (pre-VBP price − contract price), per calendar year of
  acceptance and cumulative, rounded half up to the fen once per figure (items without a pre-VBP
  price are left out and counted);
* **average price cut per batch** — per batch item the agreed-volume-weighted contract price
  against its pre-VBP price, averaged over the batch's items;
* **completion and 序时进度** — Σ net purchased in the cycle up to ``as_of`` ÷ Σ agreed volume, and
  the time-proportional target Σ agreed × elapsed ÷ cycle days ÷ Σ agreed, per batch and per city;
* **on-time payment rate of direct settlement** — of the amount of lines due (accepted more than the
  batch's payment days ago), the share paid by the fund by the due date (or wholly offset by the
  hospital's advance, nothing left for the fund to pay);
* **prepayments outstanding** — advances less offsets;
* **notices unread** — the actor's organisation's unread notices (the daily alerts among them).

Platform purchase share, VBP share and non-selected share come from the orders' read model
(``orders.shares``, read by the page for its period); the two fields below stay ``None``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    case,
    cast,
    extract,
    func,
    inspect,
    literal_column,
    or_,
    true,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import scope, within_region
from core.money import round_half_up_div
from notices.queries import unread_count
from procurement.lifecycle import BatchStatus
from procurement.models import Batch, BatchItem, Item, Region
from procurement.rules import parse_rules
from review.models import Contract
from settlement.models import (
    Acceptance,
    DeductionStatement,
    PaymentInstruction,
    PrepaymentEntry,
    SettlementClaim,
    SettlementShare,
)
from settlement.monitoring.models import (
    OnTimeRollup,
    PurchaseMonthRollup,
    PurchaseRollup,
    ShareRollup,
)
from settlement.runs.claims import covers
from settlement.runs.open_lines import LINE_GROSS
from settlement.scoping import contract_condition

RATIO = Decimal("0.0001")
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: statuses whose purchases count (a closed batch's savings stay in the cumulative figure)
BUYING = (BatchStatus.EXECUTION, BatchStatus.CLOSED)


@dataclass(frozen=True)
class Targets:
    """The plan's targets of varieties in force (settings)."""

    drug_varieties: int = 500
    consumable_classes: int = 15


@dataclass(frozen=True)
class YearSavings:
    """Savings against pre-VBP prices of the purchases accepted in one calendar year."""

    year: int
    saving_fen: int
    cumulative_fen: int


@dataclass(frozen=True)
class BatchCut:
    """A batch's average price cut over its items that have a pre-VBP price."""

    code: str
    name: str
    items: int
    average_cut: Decimal | None


@dataclass(frozen=True)
class Completion:
    """Agreed volume against purchases in the cycle, and the time-proportional target."""

    key: str  # batch code or city region code
    label: str
    agreed: int
    purchased: int
    target: int  # Σ agreed × elapsed ÷ cycle days, half up per batch × region × item

    @property
    def completion(self) -> Decimal | None:
        """Purchased ÷ agreed (4 places, half up)."""
        return _ratio(self.purchased, self.agreed)

    @property
    def time_ratio(self) -> Decimal | None:
        """The time-proportional target ÷ agreed."""
        return _ratio(self.target, self.agreed)


@dataclass(frozen=True)
class Payments:
    """Direct settlement: amount due so far and the part paid on time."""

    due_fen: int
    on_time_fen: int

    @property
    def rate(self) -> Decimal | None:
        """On-time share of the amount due (None when nothing is due yet)."""
        return _ratio(self.on_time_fen, self.due_fen)


@dataclass(frozen=True)
class Money:
    """Settled amounts of the scope: gross settled, taken from advances, paid by the fund, and
    the fund's part still waiting for the bank (issued or failed instructions)."""

    settled_fen: int
    offset_fen: int
    paid_fen: int
    waiting_fen: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows, for one actor on one day."""

    as_of: date
    targets: Targets
    drug_varieties: int
    consumable_classes: int
    savings: tuple[YearSavings, ...]
    items_without_previous_price: int
    cuts: tuple[BatchCut, ...]
    by_batch: tuple[Completion, ...]
    by_city: tuple[Completion, ...]
    payments: Payments
    prepayment_outstanding_fen: int
    notices_unread: int
    money: Money
    platform_purchase_share: Decimal | None = None  # needs the orders of the listing issue
    non_selected_share: Decimal | None = None  # likewise

    @property
    def cumulative_saving_fen(self) -> int:
        """All years' savings."""
        return self.savings[-1].cumulative_fen if self.savings else 0


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    return Decimal(round_half_up_div(numerator * 10000, denominator)) * RATIO if denominator else None


def _city(region_code: str) -> str:
    """The city (地级市) of a region code: its first four digits, ``00``."""
    return region_code[:4] + "00"


def _time_fraction(batch: Batch, as_of: date) -> tuple[int, int]:
    """(elapsed days, cycle days) of the batch's cycle at ``as_of``."""
    days = (batch.cycle_end - batch.cycle_start).days + 1
    return min(max((as_of - batch.cycle_start).days + 1, 0), days), days


def dashboard(session: Session, actor: Actor, as_of: date, targets: Targets = Targets(), *,
              from_lines: bool = False) -> Dashboard:
    """The dashboard of ``actor`` on ``as_of``: a bureau's purchases and payments read from the
    rollup (:mod:`settlement.monitoring.rollup`), a hospital's (a few thousand lines a year, by
    the hospital's index) and anyone's with ``from_lines`` from the lines themselves."""
    rolled = actor.is_bureau and not from_lines
    c, h = aliased(Contract, name="c"), aliased(Organisation, name="h")
    agreed_rows = session.exec(
        select(c.batch_id, c.batch_item_id, h.region_code, func.sum(c.agreed_volume),
               func.sum(cast(c.agreed_volume, BigInteger) * c.ucp_e4))
        .join(h, h.id == c.hospital_org_id).join(Batch, Batch.id == c.batch_id)
        .where(_contracts_of(actor, c), Batch.status.in_(BUYING))
        .group_by(c.batch_id, c.batch_item_id, h.region_code)).all()
    batches = {b.id: b for b in session.exec(select(Batch).where(Batch.id.in_({r[0] for r in agreed_rows}))).all()} \
        if agreed_rows else {}
    items = {bi.id: (bi, it) for bi, it in session.exec(
        select(BatchItem, Item).join(Item, Item.id == BatchItem.item_id)
        .where(BatchItem.batch_id.in_(batches))).all()} if batches else {}
    bought = _rolled_purchases(session, actor, as_of, batches) if rolled else _purchases(session, actor, as_of)
    contracted = {r[1] for r in agreed_rows if r[3]}
    in_force = [it for bi_id, (bi, it) in items.items() if bi_id in contracted and _in_force(batches[bi.batch_id], as_of)]
    by_batch, by_city = _completion(session, agreed_rows, bought, batches, as_of)
    savings, missing = _savings(bought, items)
    return Dashboard(
        as_of=as_of, targets=targets,
        drug_varieties=len({it.id for it in in_force if it.kind == "drug"}),
        consumable_classes=len({it.category or it.generic_name for it in in_force if it.kind == "consumable"}),
        savings=savings, items_without_previous_price=missing,
        cuts=_cuts(agreed_rows, batches, items), by_batch=by_batch, by_city=by_city,
        payments=(_rolled_payments if rolled else _payments)(session, actor, as_of, batches),
        prepayment_outstanding_fen=int(session.exec(scope(
            select(func.coalesce(func.sum(PrepaymentEntry.amount_fen), 0)), actor, PrepaymentEntry)).one()),
        notices_unread=unread_count(session, actor),
        money=(_rolled_money if rolled else _money)(session, actor))


def _contracts_of(actor: Actor, c):
    """Contracts of the actor's hospitals (bureau: by the hospital's region; hospital: its own),
    as a condition over the alias ``c``."""
    return _adapt(contract_condition(actor), c)


def _adapt(condition, alias):
    """``condition`` written over a table, rewritten over ``alias`` of it."""
    return ClauseAdapter(inspect(alias).selectable).traverse(condition)


def scope_condition(actor: Actor, model) -> object:
    """The scope rule of ``model`` for ``actor`` as a condition."""
    return scope(select(model.id), actor, model).whereclause


def _in_force(batch: Batch, as_of: date) -> bool:
    return batch.status == BatchStatus.EXECUTION and batch.cycle_start <= as_of <= batch.cycle_end


def _purchases(session: Session, actor: Actor, as_of: date) -> list[tuple]:
    """(batch id, batch item id, hospital region, year, net quantity, Σ net quantity × price e4)
    of the purchases in the actor's scope accepted in their batch's cycle up to ``as_of``."""
    a, c, h = aliased(Acceptance, name="a"), aliased(Contract, name="c"), aliased(Organisation, name="h")
    net = cast(a.quantity - a.returned, BigInteger)
    year = cast(extract("year", a.accepted_on), Integer)
    stmt = (select(a.batch_id, c.batch_item_id, h.region_code, year, func.sum(net), func.sum(net * c.ucp_e4))
            .join(c, c.id == a.contract_id).join(h, h.id == a.hospital_org_id).join(Batch, Batch.id == a.batch_id)
            .where(Batch.status.in_(BUYING), a.accepted_on >= Batch.cycle_start, a.accepted_on <= as_of,
                   a.accepted_on <= Batch.cycle_end, _adapt(scope_condition(actor, Acceptance), a))
            .group_by(a.batch_id, c.batch_item_id, h.region_code, year))
    return [tuple(r) for r in session.exec(stmt).all()]


def _month_after(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _split(first: date, last: date) -> tuple[date, date]:
    """The whole months inside ``[first, last]`` as ``[lo, hi)`` (first days; empty when lo ≥ hi):
    the rollup reads them by month and the days outside them by day."""
    lo = first if first.day == 1 else _month_after(first)
    hi = _month_of(last + timedelta(days=1))
    return lo, max(lo, hi)


def _rolled_sum(session: Session, actor: Actor, batch_id: int, first: date | None, last: date, columns, by):
    """Σ ``columns`` (attribute names of both purchase rollups) grouped by ``by`` (batch item,
    region, year, or nothing) over the days ``[first, last]`` of the batch in the actor's region:
    whole months from :class:`PurchaseMonthRollup`, the days around them from :class:`PurchaseRollup`."""
    lo, hi = _split(first, last) if first is not None else (date.min, _month_of(last + timedelta(days=1)))
    rows: dict[tuple, list[int]] = {}
    for model, day, inside in ((PurchaseMonthRollup, PurchaseMonthRollup.month, PurchaseMonthRollup.month.between(
            lo, hi - timedelta(days=1)) if lo < hi else None),
                               (PurchaseRollup, PurchaseRollup.day, None)):
        if model is PurchaseMonthRollup and inside is None:
            continue
        if model is PurchaseRollup:
            inside = day <= last if first is None else day.between(first, last)
            if lo < hi:
                inside = and_(inside, or_(day < lo, day >= hi))
        keys = [getattr(model, k) for k in by if k != "year"] + (
            [cast(extract("year", day), Integer)] if "year" in by else [])
        stmt = (select(*keys, *(func.coalesce(func.sum(getattr(model, c)), 0) for c in columns))
                .where(model.batch_id == batch_id, inside, within_region(model.region_code, actor.region_code)))
        for r in session.execute(stmt.group_by(*keys) if keys else stmt).all():
            acc = rows.setdefault(tuple(r[:len(keys)]), [0] * len(columns))
            for i, v in enumerate(r[len(keys):]):
                acc[i] += int(v)
    return rows


def _rolled_purchases(session: Session, actor: Actor, as_of: date, batches: dict[int, Batch]) -> list[tuple]:
    """:func:`_purchases` summed from the rollup (bureaus: by the hospital region it holds)."""
    out = []
    for batch_id, batch in batches.items():
        if batch.status not in BUYING:
            continue
        last = min(as_of, batch.cycle_end)
        if last < batch.cycle_start:
            continue
        sums = _rolled_sum(session, actor, batch_id, batch.cycle_start, last, ("quantity", "value_e4"),
                           ("batch_item_id", "region_code", "year"))
        out += [(batch_id, bi, region, year, qty, value) for (bi, region, year), (qty, value) in sums.items()]
    return out


def _rolled_payments(session: Session, actor: Actor, as_of: date, batches: dict[int, Batch]) -> Payments:
    """:func:`_payments` summed from the rollup: the gross of the lines due by day, and the part
    of it paid on time as the run and the bank's answer recorded it."""
    due_fen = on_time_fen = 0
    for batch_id, batch in batches.items():
        before = as_of - timedelta(days=parse_rules(batch.rules_json).payment_days)
        due = _rolled_sum(session, actor, batch_id, None, before - timedelta(days=1), ("gross_fen",), ())
        due_fen += sum(v[0] for v in due.values())
        on_time_fen += int(session.exec(select(func.coalesce(func.sum(OnTimeRollup.on_time_fen), 0)).where(
            OnTimeRollup.batch_id == batch_id, OnTimeRollup.day < before,
            within_region(OnTimeRollup.region_code, actor.region_code))).one())
    return Payments(due_fen, on_time_fen)


def _completion(session: Session, agreed_rows, bought, batches: dict[int, Batch], as_of: date):
    """Completion per batch and per city of the hospitals."""
    purchased: dict[tuple[int, int, str], int] = defaultdict(int)
    for batch_id, bi, region, _year, qty, _value in bought:
        purchased[(batch_id, bi, region)] += int(qty)
    per_batch: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_city: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for batch_id, bi, region, agreed, _value in agreed_rows:
        batch = batches[batch_id]
        if batch.status != BatchStatus.EXECUTION:
            continue
        elapsed, days = _time_fraction(batch, as_of)
        figures = (int(agreed), purchased[(batch_id, bi, region)], round_half_up_div(int(agreed) * elapsed, days))
        for bucket in (per_batch[batch_id], per_city[_city(region)]):
            for i, v in enumerate(figures):
                bucket[i] += v
    names = dict(session.exec(select(Region.code, Region.name).where(Region.code.in_(per_city))).all()) if per_city else {}
    by_batch = tuple(Completion(batches[b].code, batches[b].name, *v)
                     for b, v in sorted(per_batch.items(), key=lambda kv: batches[kv[0]].code))
    by_city = tuple(Completion(code, names.get(code, code), *v) for code, v in sorted(per_city.items()))
    return by_batch, by_city


def _savings(bought, items) -> tuple[tuple[YearSavings, ...], int]:
    """Savings per year (fen, half up once per year) and how many batch items lack a pre-VBP price."""
    per_year: dict[int, int] = defaultdict(int)  # e4 yuan
    missing = set()
    for _batch, bi, _region, year, qty, value in bought:
        previous = items[bi][0].previous_price_e4
        if previous is None:
            missing.add(bi)
            continue
        per_year[int(year)] += int(qty) * previous - int(value)
    out, running = [], 0
    for year in sorted(per_year):
        fen = round_half_up_div(per_year[year], 100)
        running += fen
        out.append(YearSavings(year, fen, running))
    return tuple(out), len(missing)


def _cuts(agreed_rows, batches: dict[int, Batch], items) -> tuple[BatchCut, ...]:
    """Average price cut per batch: per item 1 − (Σ agreed × price) ÷ (Σ agreed × pre-VBP price)."""
    per_item: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _batch, bi, _region, agreed, value in agreed_rows:
        per_item[bi][0] += int(agreed)
        per_item[bi][1] += int(value)
    cuts: dict[int, list[Decimal]] = defaultdict(list)
    for bi, (agreed, value) in per_item.items():
        batch_item = items[bi][0]
        if batch_item.previous_price_e4 and agreed:
            base = agreed * batch_item.previous_price_e4
            cuts[batch_item.batch_id].append(Decimal(round_half_up_div((base - value) * 10000, base)) * RATIO)
    out = []
    for batch_id in sorted(batches, key=lambda b: batches[b].code):
        found = cuts.get(batch_id, [])
        average = (sum(found) / len(found)).quantize(RATIO, ROUND_HALF_UP) if found else None
        out.append(BatchCut(batches[batch_id].code, batches[batch_id].name, len(found), average))
    return tuple(out)


def _payments(session: Session, actor: Actor, as_of: date, batches: dict[int, Batch]) -> Payments:
    """Amount due and paid on time: each due line joined to the claim that settled it, its share
    and the share's instruction (outer joins: an unsettled line is due and unpaid), grouped in SQL
    by acceptance day and payment moment — a few hundred rows a year."""
    due_fen = on_time_fen = 0
    a, c = aliased(Acceptance, name="a"), aliased(Contract, name="c")
    gross = literal_column(LINE_GROSS)
    paid_at = case((PaymentInstruction.status == "paid", PaymentInstruction.status_at))
    offset_only = func.coalesce(SettlementShare.paid_fen == 0, False)
    for batch_id, batch in batches.items():
        days = parse_rules(batch.rules_json).payment_days
        rows = session.exec(
            select(a.accepted_on, paid_at, offset_only, func.sum(gross))
            .select_from(a).join(c, c.id == a.contract_id)
            .outerjoin(SettlementClaim, covers(a))
            .outerjoin(SettlementShare, and_(SettlementShare.run_id == SettlementClaim.run_id,
                                             SettlementShare.hospital_org_id == a.hospital_org_id,
                                             SettlementShare.supplier_org_id == a.supplier_org_id))
            .outerjoin(PaymentInstruction, PaymentInstruction.id == SettlementShare.instruction_id)
            .where(a.batch_id == batch_id, a.accepted_on < as_of - timedelta(days=days), gross > 0,
                   _adapt(scope_condition(actor, Acceptance), a))
            .group_by(a.accepted_on, paid_at, offset_only)).all()
        for accepted_on, paid, offset, amount in rows:
            due_fen += int(amount)
            if offset or (paid is not None and local_day(paid) <= accepted_on + timedelta(days=days)):
                on_time_fen += int(amount)
    return Payments(due_fen, on_time_fen)


def _runs_of_hospital(actor: Actor):
    """For a hospital: its shares are in the runs of its deduction statements (one per run it has
    a share in) — a condition that lets the database reach them by the shares' (run, hospital)
    key instead of reading every share; true for everyone else."""
    if actor.role != Role.HOSPITAL_BUYER:
        return true()
    return SettlementShare.run_id.in_(select(DeductionStatement.run_id)
                                      .where(DeductionStatement.hospital_org_id == actor.org_id))


def _money(session: Session, actor: Actor) -> Money:
    """Σ of the settlement shares in scope, the fund's part split by whether the bank paid it."""
    paid = PaymentInstruction.status == "paid"
    settled, offset, by_bank, waiting = session.exec(scope(
        select(func.coalesce(func.sum(SettlementShare.gross_fen), 0), func.coalesce(func.sum(SettlementShare.offset_fen), 0),
               func.coalesce(func.sum(case((paid, SettlementShare.paid_fen), else_=0)), 0),
               func.coalesce(func.sum(case((paid, 0), else_=SettlementShare.paid_fen)), 0))
        .select_from(SettlementShare)
        .outerjoin(PaymentInstruction, PaymentInstruction.id == SettlementShare.instruction_id)
        .where(_runs_of_hospital(actor)), actor, SettlementShare)).one()
    return Money(int(settled), int(offset), int(by_bank), int(waiting))


def _rolled_money(session: Session, actor: Actor) -> Money:
    """:func:`_money` summed from the run's shares per region × supplier (the rollup), the fund's
    part split by the status its instruction has now."""
    r, paid = ShareRollup, PaymentInstruction.status == "paid"
    settled, offset, by_bank, waiting = session.exec(
        select(func.coalesce(func.sum(r.gross_fen), 0), func.coalesce(func.sum(r.offset_fen), 0),
               func.coalesce(func.sum(case((paid, r.paid_fen), else_=0)), 0),
               func.coalesce(func.sum(case((paid, 0), else_=r.paid_fen)), 0))
        .select_from(r).outerjoin(PaymentInstruction, PaymentInstruction.id == r.instruction_id)
        .where(within_region(r.region_code, actor.region_code))).one()
    return Money(int(settled), int(offset), int(by_bank), int(waiting))


def local_day(moment) -> date:
    """The bureau's calendar day of a UTC moment."""
    return moment.astimezone(SHANGHAI).date() if hasattr(moment, "astimezone") else moment


__all__ = ["BatchCut", "Completion", "Dashboard", "Money", "Payments", "Targets", "YearSavings", "dashboard"]
