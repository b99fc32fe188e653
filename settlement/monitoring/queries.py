"""Read models of monitoring (no writes): a batch's overdue lines counted and summed in SQL, its
序时进度 per hospital × item and its 结余留用, each over the pure maths of this package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, literal_column, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from procurement.models import Batch, BatchItem
from procurement.rules import parse_rules
from review.models import Contract
from settlement.execution.queries import contracts
from settlement.models import (
    Acceptance,
    PaymentInstruction,
    SettlementClaim,
    SettlementShare,
)
from settlement.money.data import AcceptedLine
from settlement.monitoring.deadlines import OverdueLine, overdue_lines
from settlement.monitoring.progress import AgreedVolume, ProgressReport, Purchase, progress
from settlement.monitoring.savings import (
    SavingsInput,
    SavingsRow,
    ScoreTier,
    benchmark_fen,
    retained_savings,
)
from settlement.runs.claims import covers, settled
from settlement.runs.open_lines import LINE_GROSS
from settlement.runs.services import settings_of


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
    agreed = [AgreedVolume(r.hospital.code, r.item.code, r.contract.agreed_volume) for r in rows]
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
    inputs = []
    for row in contracts(session, actor, batch.id):
        bi = session.get(BatchItem, row.contract.batch_item_id)
        inputs.append(SavingsInput(row.hospital.code, row.item.code, row.contract.agreed_volume,
                                   int(bought.get(row.contract.id, 0)), bi.previous_price_e4 or 0,
                                   rules.fund_payment_ratio, int(spend.get(row.contract.id, 0))))
    needs = sorted({i.hospital_code for i in inputs if i.purchased_volume >= i.agreed_volume
                    and benchmark_fen(i.agreed_volume, i.pre_vbp_price_e4, i.fund_payment_ratio)
                    > i.actual_fund_spend_fen and i.hospital_code not in scores})
    ready = [i for i in inputs if i.hospital_code not in needs]
    return retained_savings(ready, scores, tiers), needs
