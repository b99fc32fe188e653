"""Read models for the settlement pages, each scoped to the actor (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.money import line_amount_fen
from procurement.models import Batch, BatchItem, Item
from procurement.rules import parse_rules
from procurement.tasks import Task
from review.models import Contract
from settlement.claims import clawed_back, covers, settled, settling_run
from settlement.deadlines import OverdueLine, overdue_lines
from settlement.model import AcceptedLine
from settlement.models import (
    Acceptance,
    ClawbackRefund,
    DeductionStatement,
    Delivery,
    PaymentInstruction,
    PrepaymentEntry,
    ReissueRequest,
    SettlementClaim,
    SettlementRun,
    SettlementShare,
)
from settlement.open_lines import LINE_GROSS
from settlement.progress import AgreedVolume, ProgressReport, Purchase, progress
from settlement.runs import settings_of
from settlement.savings import SavingsInput, SavingsRow, ScoreTier, benchmark_fen, retained_savings
from settlement.scoping import contract_condition


@dataclass(frozen=True)
class ContractRow:
    """A contract with its hospital, supplier and item."""

    contract: Contract
    hospital: Organisation
    supplier: Organisation
    item: Item
    batch: Batch


def contracts(session: Session, actor: Actor, batch_id: int | None = None) -> list[ContractRow]:
    """Signed contracts the actor is party to (bureau: of its region)."""
    hosp, supp = aliased(Organisation), aliased(Organisation)
    stmt = (select(Contract, hosp, supp, Item, Batch)
            .join(hosp, hosp.id == Contract.hospital_org_id).join(supp, supp.id == Contract.supplier_org_id)
            .join(BatchItem, BatchItem.id == Contract.batch_item_id).join(Item, Item.id == BatchItem.item_id)
            .join(Batch, Batch.id == Contract.batch_id)
            .where(Contract.status == "signed", contract_condition(actor)))
    if batch_id is not None:
        stmt = stmt.where(Contract.batch_id == batch_id)
    out = [ContractRow(*row) for row in session.exec(stmt.order_by(Contract.code)).all()]
    return out


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery with its contract and what was accepted of it so far."""

    delivery: Delivery
    contract: Contract
    accepted: int

    @property
    def open_quantity(self) -> int:
        """Units still to accept."""
        return self.delivery.quantity - self.accepted


def deliveries(session: Session, actor: Actor, *, open_only: bool = False, limit: int = 200) -> list[DeliveryRow]:
    """Recent deliveries in scope, with accepted quantities."""
    accepted = (select(Acceptance.delivery_id, func.sum(Acceptance.quantity).label("q"))
                .group_by(Acceptance.delivery_id).subquery())
    stmt = (scope(select(Delivery, Contract, func.coalesce(accepted.c.q, 0)), actor, Delivery)
            .join(Contract, Contract.id == Delivery.contract_id)
            .outerjoin(accepted, accepted.c.delivery_id == Delivery.id))
    if open_only:
        stmt = stmt.where(Delivery.quantity > func.coalesce(accepted.c.q, 0))
    rows = session.exec(stmt.order_by(Delivery.id.desc()).limit(limit)).all()
    return [DeliveryRow(d, c, int(q)) for d, c, q in rows]


@dataclass(frozen=True)
class SettledLine:
    """How a settled line was settled: the run, and the gross it settled (fen; returns after
    settlement have been clawed back from it since)."""

    run_id: int
    gross_fen: int


def acceptances(session: Session, actor: Actor, *, applied_unsettled: bool = False,
                limit: int = 500) -> list[tuple[Acceptance, Contract, SettledLine | None]]:
    """Acceptance lines in scope with their contract and, when settled, how."""
    stmt = (scope(select(Acceptance, Contract, settling_run(), clawed_back()), actor, Acceptance)
            .join(Contract, Contract.id == Acceptance.contract_id))
    if applied_unsettled:
        stmt = stmt.where(Acceptance.applied_month.is_not(None), ~settled())
    rows = session.exec(stmt.order_by(Acceptance.id.desc()).limit(limit)).all()
    return [(a, c, SettledLine(run, line_amount_fen(a.quantity - a.returned, c.ucp_e4) + int(claw))
             if run is not None else None) for a, c, run, claw in rows]


@dataclass(frozen=True)
class ReconcileRow:
    """An applied, unsettled line for the hospital to decide, with its payable amount (fen)."""

    acceptance: Acceptance
    contract: Contract
    amount_fen: int


def to_reconcile(session: Session, actor: Actor) -> list[ReconcileRow]:
    """The actor's applied, unsettled lines (pending or disputed), oldest first, with amounts."""
    rows = acceptances(session, actor, applied_unsettled=True)
    return [ReconcileRow(a, c, line_amount_fen(a.quantity - a.returned, c.ucp_e4)) for a, c, _p in reversed(rows)]


def statements(session: Session, actor: Actor) -> list[tuple[DeductionStatement, SettlementRun, Organisation]]:
    """Deduction statements in scope, newest first."""
    stmt = (scope(select(DeductionStatement, SettlementRun, Organisation), actor, DeductionStatement)
            .join(SettlementRun, SettlementRun.id == DeductionStatement.run_id)
            .join(Organisation, Organisation.id == DeductionStatement.hospital_org_id))
    return list(session.exec(stmt.order_by(DeductionStatement.id.desc())).all())


def refunds(session: Session, actor: Actor, batch_id: int | None = None
            ) -> list[tuple[ClawbackRefund, Batch, Organisation, Organisation]]:
    """Clawback refunds in scope (hospital: owed to it; supplier: asked of it; bureau: its
    region), with batch, hospital and supplier; newest first."""
    hospital, supplier = aliased(Organisation), aliased(Organisation)
    stmt = (scope(select(ClawbackRefund, Batch, hospital, supplier), actor, ClawbackRefund)
            .join(Batch, Batch.id == ClawbackRefund.batch_id)
            .join(hospital, hospital.id == ClawbackRefund.hospital_org_id)
            .join(supplier, supplier.id == ClawbackRefund.supplier_org_id))
    if batch_id is not None:
        stmt = stmt.where(ClawbackRefund.batch_id == batch_id)
    return list(session.exec(stmt.order_by(ClawbackRefund.id.desc())).all())


def refund(session: Session, actor: Actor, refund_id: int) -> tuple[ClawbackRefund, Batch] | None:
    """One refund in scope with its batch, or None."""
    return session.exec(scope(select(ClawbackRefund, Batch), actor, ClawbackRefund)
                        .join(Batch, Batch.id == ClawbackRefund.batch_id)
                        .where(ClawbackRefund.id == refund_id)).first()


def ledger(session: Session, actor: Actor) -> list[tuple[PrepaymentEntry, Batch, Organisation]]:
    """Prepayment ledger entries in scope, oldest first (advances, then offsets per run)."""
    stmt = (scope(select(PrepaymentEntry, Batch, Organisation), actor, PrepaymentEntry)
            .join(Batch, Batch.id == PrepaymentEntry.batch_id)
            .join(Organisation, Organisation.id == PrepaymentEntry.hospital_org_id))
    return list(session.exec(stmt.order_by(PrepaymentEntry.id)).all())


def run_detail(session: Session, run: SettlementRun) -> tuple[list, list]:
    """A run's instructions (with supplier) and statements (with hospital)."""
    inst = session.exec(select(PaymentInstruction, Organisation)
                        .join(Organisation, Organisation.id == PaymentInstruction.supplier_org_id)
                        .where(PaymentInstruction.run_id == run.id).order_by(PaymentInstruction.reference)).all()
    sts = session.exec(select(DeductionStatement, Organisation)
                       .join(Organisation, Organisation.id == DeductionStatement.hospital_org_id)
                       .where(DeductionStatement.run_id == run.id).order_by(Organisation.code)).all()
    return list(inst), list(sts)


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


def progress_report(session: Session, actor: Actor, batch: Batch, as_of: date) -> tuple[ProgressReport, dict]:
    """序时进度 per hospital × item of the batch, and item code → name."""
    rows = contracts(session, actor, batch.id)
    bought = session.exec(select(Acceptance.contract_id, Acceptance.accepted_on,
                                 func.sum(Acceptance.quantity - Acceptance.returned))
                          .where(Acceptance.batch_id == batch.id)
                          .group_by(Acceptance.contract_id, Acceptance.accepted_on)).all()
    by_contract = {r.contract.id: r for r in rows}
    purchases = [Purchase(by_contract[c].hospital.code, by_contract[c].item.code, int(q), d)
                 for c, d, q in bought if c in by_contract]
    volumes: dict[tuple[str, str], int] = {}  # a supply takeover adds a second contract per hospital × item
    for r in rows:
        volumes[(r.hospital.code, r.item.code)] = volumes.get((r.hospital.code, r.item.code), 0) + r.contract.agreed_volume
    agreed = [AgreedVolume(h, i, v) for (h, i), v in volumes.items()]
    names = {r.item.code: r.item.generic_name for r in rows}
    return progress(agreed, purchases, batch.cycle_start, batch.cycle_end, as_of), names


def savings(session: Session, actor: Actor, batch: Batch,
            scores: dict[str, Decimal]) -> tuple[tuple[SavingsRow, ...], list[str]]:
    """Retained savings (结余留用) per hospital × item, and hospitals still needing a score.

    Benchmark at the batch item's pre-VBP price × fund payment ratio vs the fund's actual spend
    (Σ settled gross of the contract, net of returns clawed back); tiers from the batch rules (score strictly above).
    """
    rules = parse_rules(batch.rules_json)
    tiers = tuple(ScoreTier(t.above_score, t.ratio, inclusive=False) for t in rules.retention_tiers)
    a, c = aliased(Acceptance, name="a"), aliased(Contract, name="c")
    spend = dict(session.exec(select(a.contract_id, func.sum(literal_column(LINE_GROSS)))  # net of clawbacks
                              .join(c, c.id == a.contract_id)
                              .where(a.batch_id == batch.id, settled(a)).group_by(a.contract_id)).all())
    bought = dict(session.exec(select(Acceptance.contract_id, func.sum(Acceptance.quantity - Acceptance.returned))
                               .where(Acceptance.batch_id == batch.id).group_by(Acceptance.contract_id)).all())
    totals: dict[tuple[str, str], list[int]] = {}  # per hospital × item (a takeover adds a contract)
    for row in contracts(session, actor, batch.id):
        bi = session.get(BatchItem, row.contract.batch_item_id)
        t = totals.setdefault((row.hospital.code, row.item.code), [0, 0, bi.previous_price_e4 or 0, 0])
        t[0] += row.contract.agreed_volume
        t[1] += int(bought.get(row.contract.id, 0))
        t[3] += int(spend.get(row.contract.id, 0))
    inputs = [SavingsInput(h, i, agreed, purchased, pre, rules.fund_payment_ratio, spent)
              for (h, i), (agreed, purchased, pre, spent) in totals.items()]
    needs = sorted({i.hospital_code for i in inputs if i.purchased_volume >= i.agreed_volume
                    and benchmark_fen(i.agreed_volume, i.pre_vbp_price_e4, i.fund_payment_ratio)
                    > i.actual_fund_spend_fen and i.hospital_code not in scores})
    ready = [i for i in inputs if i.hospital_code not in needs]
    return retained_savings(ready, scores, tiers), needs


SHANGHAI = ZoneInfo("Asia/Shanghai")


def execution_tasks(session: Session, actor: Actor, batch: Batch, now: datetime,
                    tz: ZoneInfo = SHANGHAI) -> list[Task]:
    """The landing-page tasks of a batch in execution, with the calendar's due dates (local
    days of the batch's rules): suppliers apply for last month's accepted lines by
    ``apply_by_day``, hospitals accept deliveries and reconcile applied lines by
    ``reconcile_by_day``, a second settlement officer approves computed runs."""
    rules = parse_rules(batch.rules_json)
    today = now.astimezone(tz).date()

    def day(n: int) -> datetime:  # the end of local day n of this month
        return datetime.combine(today.replace(day=n), time(23, 59), tzinfo=tz).astimezone(UTC)

    counts = pending_counts(session, actor, batch.id)
    if actor.role.value == "supplier_rep":
        month_start = today.replace(day=1)
        counts["apply_settlement"] = session.exec(
            scope(select(func.count()).select_from(Acceptance), actor, Acceptance)
            .where(Acceptance.batch_id == batch.id, Acceptance.applied_month.is_(None),
                   Acceptance.accepted_on < month_start, Acceptance.quantity > Acceptance.returned)).one()
    due = {"apply_settlement": day(rules.apply_by_day), "reconcile_lines": day(rules.reconcile_by_day)}
    return [Task(code, batch.code, batch.name, due.get(code), bool(code in due and due[code] <= now), count=n)
            for code, n in counts.items() if n]


def pending_counts(session: Session, actor: Actor, batch_id: int) -> dict[str, int]:
    """Landing-page counts for one batch in execution: deliveries to accept and lines to
    reconcile (hospital); runs and re-issues awaiting a second officer's approval, failed
    payments to re-issue (settlement officer); failed payments (supplier)."""
    out: dict[str, int] = {}
    if actor.role.value == "hospital_buyer":
        accepted = (select(Acceptance.delivery_id, func.sum(Acceptance.quantity).label("q"))
                    .group_by(Acceptance.delivery_id).subquery())
        out["accept_deliveries"] = session.exec(
            scope(select(func.count()).select_from(Delivery), actor, Delivery)
            .outerjoin(accepted, accepted.c.delivery_id == Delivery.id)
            .where(Delivery.batch_id == batch_id, Delivery.quantity > func.coalesce(accepted.c.q, 0))).one()
        out["reconcile_lines"] = session.exec(
            scope(select(func.count()).select_from(Acceptance), actor, Acceptance)
            .where(Acceptance.batch_id == batch_id, Acceptance.applied_month.is_not(None),
                   Acceptance.reconcile_status == "pending")).one()  # a settled line is confirmed
    elif actor.role.value == "settlement_officer":
        out["approve_run"] = session.exec(
            scope(select(func.count()).select_from(SettlementRun), actor, SettlementRun)
            .where(SettlementRun.batch_id == batch_id, SettlementRun.status == "computed",
                   SettlementRun.computed_by != actor.user_id)).one()
        out["approve_reissue"] = session.exec(
            scope(select(func.count()).select_from(ReissueRequest), actor, ReissueRequest)
            .where(ReissueRequest.batch_id == batch_id, ReissueRequest.status == "requested",
                   ReissueRequest.requested_by != actor.user_id)).one()
        out["reissue_payment"] = _failed(session, actor, batch_id, unrequested=True)
    elif actor.role.value == "supplier_rep":
        out["payment_failed"] = _failed(session, actor, batch_id)
    return out


def _failed(session: Session, actor: Actor, batch_id: int, *, unrequested: bool = False) -> int:
    """Failed, not yet re-issued instructions of the batch in scope (without an open request)."""
    stmt = (scope(select(func.count()).select_from(PaymentInstruction), actor, PaymentInstruction)
            .where(PaymentInstruction.batch_id == batch_id, PaymentInstruction.status == "failed"))
    if unrequested:
        stmt = stmt.where(~select(ReissueRequest.id).where(ReissueRequest.instruction_id == PaymentInstruction.id,
                                                           ReissueRequest.status != "rejected").exists())
    return int(session.exec(stmt).one())
