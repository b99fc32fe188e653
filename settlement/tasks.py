"""The landing-page tasks of a batch in execution, derived from state (no writes): what each role
has to do now, with the settlement calendar's due dates."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.scoping import scope
from procurement.models import Batch
from procurement.rules import parse_rules
from procurement.tasks import Task
from settlement.models import (
    Acceptance,
    Delivery,
    FundPayment,
    PaymentInstruction,
    ReissueRequest,
    SettlementRun,
)

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
    reconcile (hospital); runs, re-issues and fund payments awaiting a second officer's approval, failed
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
        out["approve_fund_payment"] = session.exec(
            scope(select(func.count()).select_from(FundPayment), actor, FundPayment)
            .where(FundPayment.batch_id == batch_id, FundPayment.status == "proposed",
                   FundPayment.proposed_by != actor.user_id)).one()
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
