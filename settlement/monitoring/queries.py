"""Read models of monitoring (no writes): a batch's overdue lines counted and summed in SQL, its
序时进度 per hospital × item and the inputs of its 结余留用 (assessed in ``savings/``), each over the pure
maths of this package."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, literal_column, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from cycles.years import running_year
from procurement.models import Batch, BatchItem, Item
from procurement.rules import parse_rules
from review.models import Contract
from settlement.models import (
    Acceptance,
    PaymentInstruction,
    SettlementClaim,
    SettlementShare,
)
from settlement.money.data import AcceptedLine
from settlement.monitoring.deadlines import OverdueLine, overdue_lines
from settlement.monitoring.progress import AgreedVolume, ProgressReport, Purchase, progress
from settlement.monitoring.savings import SavingsInput
from settlement.runs.claims import covers, settled
from settlement.runs.open_lines import LINE_GROSS
from settlement.runs.services import settings_of
from settlement.scoping import contract_condition, party_rule


@dataclass(frozen=True)
class OverdueSummary:
    """Unpaid lines past their due date: how many, how much, and the most overdue of them."""

    count: int
    total_fen: int
    worst: tuple[OverdueLine, ...]  # the ``limit`` most overdue, most overdue first

    @property
    def max_days_overdue(self) -> int:
        """Days overdue of the oldest line (0 when none)."""
        return self.worst[0].days_overdue if self.worst else 0


def overdue(session: Session, batch: Batch, as_of: date, limit: int = 200) -> OverdueSummary:
    """Accepted lines of the batch not paid by their due date: counted and summed in SQL (a
    province accumulates millions of lines), with the ``limit`` most overdue listed."""
    days = settings_of(batch).payment_days
    a, c = aliased(Acceptance, name="a"), aliased(Contract, name="c")
    gross = literal_column(LINE_GROSS)
    # paid: settled in a run whose share of this hospital × supplier was paid by the fund, or
    # wholly out of the hospital's advance (nothing left for the fund to pay)
    paid = (select(SettlementShare.id)
            .join(SettlementClaim, SettlementClaim.run_id == SettlementShare.run_id)
            .outerjoin(PaymentInstruction, PaymentInstruction.id == SettlementShare.instruction_id)
            .where(covers(a), SettlementShare.hospital_org_id == a.hospital_org_id,
                   SettlementShare.supplier_org_id == a.supplier_org_id,
                   or_(PaymentInstruction.status == "paid", SettlementShare.paid_fen == 0)))
    late = (a.batch_id == batch.id, a.accepted_on < as_of - timedelta(days=days), gross > 0, ~paid.exists())
    count, total = session.exec(select(func.count(), func.coalesce(func.sum(gross), 0))
                                .select_from(a).join(c, c.id == a.contract_id).where(*late)).one()
    rows = session.exec(select(a, c).join(c, c.id == a.contract_id)
                        .where(*late).order_by(a.accepted_on, a.id).limit(limit)).all()
    orgs = {o.id: o.code for o in session.exec(select(Organisation).where(Organisation.id.in_(
        {a.hospital_org_id for a, _c in rows} | {a.supplier_org_id for a, _c in rows}))).all()} if rows else {}
    lines = [AcceptedLine(str(a.id), str(c.id), orgs[a.hospital_org_id], orgs[a.supplier_org_id], str(c.batch_item_id),
                          a.quantity - a.returned, c.ucp_e4, a.accepted_on) for a, c in rows]
    return OverdueSummary(int(count), int(total), overdue_lines(lines, as_of, frozenset(), days))


@dataclass(frozen=True)
class _Terms:
    """What monitoring needs of one signed contract (columns, not entities)."""

    contract_id: int
    hospital_code: str
    item_code: str
    item_name: str
    agreed_volume: int
    previous_price_e4: int


def _terms(session: Session, actor: Actor, batch_id: int) -> list[_Terms]:
    """The batch's signed contracts the actor may see, as the columns monitoring reads: one
    query, no ORM entity per contract (a province batch has tens of thousands)."""
    hosp = aliased(Organisation)
    rows = session.exec(select(Contract.id, hosp.code, Item.code, Item.generic_name, Contract.agreed_volume,
                               BatchItem.previous_price_e4)
                        .join(hosp, hosp.id == Contract.hospital_org_id)
                        .join(BatchItem, BatchItem.id == Contract.batch_item_id).join(Item, Item.id == BatchItem.item_id)
                        .where(Contract.batch_id == batch_id, Contract.status == "signed", contract_condition(actor))
                        .order_by(Contract.code)).all()
    return [_Terms(*row[:5], row[5] or 0) for row in rows]


def progress_report(session: Session, actor: Actor, batch: Batch, as_of: date) -> tuple[ProgressReport, dict]:
    """序时进度 per hospital × item of the batch, and item code → name: against the agreed volume
    of the contract year running on ``as_of`` (``cycles.years.running_year``: its own dates, its
    purchases, the contracts that have it), or the cycle's for contracts made without years."""
    rows = _terms(session, actor, batch.id)
    start, end = batch.cycle_start, batch.cycle_end
    year = running_year(session, batch.id, as_of)
    if year is not None:
        start, end = year.starts_on, year.ends_on
        # a contract without the year (a backup's takeover contract made mid-cycle) still counts its
        # purchases; its volume stays in the year row of the contract it took over from
        rows = [replace(r, agreed_volume=year.volumes.get(r.contract_id, 0)) for r in rows]
    bought = session.exec(select(Acceptance.contract_id, Acceptance.accepted_on,
                                 func.sum(Acceptance.quantity - Acceptance.returned))
                          .where(Acceptance.batch_id == batch.id, party_rule(Acceptance)(actor))
                          .group_by(Acceptance.contract_id, Acceptance.accepted_on)).all()
    by_contract = {r.contract_id: r for r in rows}
    purchases = [Purchase(by_contract[c].hospital_code, by_contract[c].item_code, int(q), d)
                 for c, d, q in bought if c in by_contract]
    volumes: dict[tuple[str, str], int] = {}  # a supply takeover adds a second contract per hospital × item
    for r in rows:
        volumes[(r.hospital_code, r.item_code)] = volumes.get((r.hospital_code, r.item_code), 0) + r.agreed_volume
    agreed = [AgreedVolume(h, i, v) for (h, i), v in volumes.items()]
    names = {r.item_code: r.item_name for r in rows}
    return progress(agreed, purchases, start, end, as_of), names


def savings_inputs(session: Session, actor: Actor, batch: Batch) -> list[SavingsInput]:
    """The cycle-end figures per hospital × item of the batch the actor may see: agreed and
    purchased volume, the batch item's pre-VBP price, the fund payment ratio of the batch rules
    and the fund's actual spend (Σ settled gross of the contracts, net of returns clawed back)."""
    rules = parse_rules(batch.rules_json)
    a, c = aliased(Acceptance, name="a"), aliased(Contract, name="c")
    # the actor's lines only (a hospital reads its own by its index, not the batch's)
    spend = dict(session.exec(select(a.contract_id, func.sum(literal_column(LINE_GROSS)))  # net of clawbacks
                              .join(c, c.id == a.contract_id)
                              .where(a.batch_id == batch.id, party_rule(a)(actor), settled(a))
                              .group_by(a.contract_id)).all())
    bought = dict(session.exec(select(Acceptance.contract_id, func.sum(Acceptance.quantity - Acceptance.returned))
                               .where(Acceptance.batch_id == batch.id, party_rule(Acceptance)(actor))
                               .group_by(Acceptance.contract_id)).all())
    totals: dict[tuple[str, str], list[int]] = {}  # per hospital × item (a takeover adds a contract)
    for row in _terms(session, actor, batch.id):
        t = totals.setdefault((row.hospital_code, row.item_code), [0, 0, row.previous_price_e4, 0])
        t[0] += row.agreed_volume
        t[1] += int(bought.get(row.contract_id, 0))
        t[3] += int(spend.get(row.contract_id, 0))
    return [SavingsInput(h, i, agreed, purchased, pre, rules.fund_payment_ratio, spent)
            for (h, i), (agreed, purchased, pre, spent) in totals.items()]
