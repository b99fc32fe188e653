"""The monthly settlement calendar (domain.md §6), one step per batch in execution.

For the previous month M, in local (Asia/Shanghai) dates and the batch's rules:

* day 1 … ``apply_by_day``: remind suppliers with accepted, unapplied lines of M (or before);
* after that until ``reconcile_by_day``: remind hospitals with applied lines still pending;
* from ``pay_from_day``: if no settlement run exists for (batch, M), run it as the system
  (pending and disputed lines are carried over by the run itself), then tell the fund's
  settlement officers that a run of M awaits four-eyes approval. Once M is the cycle's last
  month (or later), returns after settlement that no run could net are asked back from the
  suppliers (``settlement.execution.refunds``): no later delivery will cover them.

Every notice goes out at most once per organisation, kind and batch in a local month, so the
scheduler may call a step as often as it likes; the run is protected twice (no second run for
the month, and a line can be claimed by one run only). No Flask here: callable by hand or by ``jobs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.models import Organisation
from accounts.roles import Role
from notices.services import notify_once
from procurement.lifecycle import BatchStatus
from procurement.models import Batch
from procurement.rules import parse_rules
from settlement.execution.deliveries import parse_month
from settlement.execution.refunds import NothingToAskBack, request_refunds
from settlement.models import Acceptance, SettlementRun
from settlement.runs.services import MONTHLY, NothingToSettle, run_settlement

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTHING_TO_SETTLE = "nothing to settle"  # the note of a pay day with no line to settle (not a failure)

APPLY_DUE, RECONCILE_DUE, RUN_AWAITS = "settlement_apply_due", "settlement_reconcile_due", "settlement_run_awaits"


@dataclass(frozen=True)
class CalendarOutcome:
    """What one calendar step did for one batch."""

    batch_code: str
    month: str  # the month being settled (the previous local month)
    phase: str  # apply | reconcile | wait | pay
    notified: int = 0  # organisations notified by this step
    run_ref: str | None = None  # the run this step created
    note: str = ""
    refunds: int = 0  # clawbacks asked back from suppliers after the cycle's last month

    @property
    def acted(self) -> bool:
        """Whether the step changed anything (a notice, a run or refunds asked)."""
        return bool(self.notified or self.run_ref or self.refunds)

    def summary(self) -> str:
        """One line for the job log."""
        parts = [f"{self.month} {self.phase}"]
        if self.notified:
            parts.append(f"notified {self.notified}")
        if self.run_ref:
            parts.append(f"run {self.run_ref}")
        if self.refunds:
            parts.append(f"refunds {self.refunds}")
        if self.note:
            parts.append(self.note)
        return ", ".join(parts)


def local_date(now: datetime, tz: ZoneInfo = SHANGHAI) -> date:
    """The calendar date at ``now`` where the bureau is."""
    return now.astimezone(tz).date()


def previous_month(day: date) -> str:
    """``YYYY-MM`` of the month before ``day``'s month."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def period_start(now: datetime, tz: ZoneInfo = SHANGHAI, *, monthly: bool) -> datetime:
    """The first instant (in UTC) of the local month, or day, of ``now``."""
    today = local_date(now, tz)
    first = today.replace(day=1) if monthly else today
    return datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)


def fund_org_ids(session: Session, batch: Batch) -> list[int]:
    """The active fund agencies of the batch's region (their settlement officers run and approve)."""
    return list(session.exec(select(Organisation.id).where(
        Organisation.kind == "fund", Organisation.active == True,  # noqa: E712
        Organisation.region_code == batch.region_code)).all())


def batches_in_execution(session: Session) -> list[str]:
    """Codes of the batches whose contracts are being executed (and so settled monthly)."""
    return list(session.exec(select(Batch.code).where(Batch.status == BatchStatus.EXECUTION)
                             .order_by(Batch.code)).all())


def phase_of(day: int, apply_by: int, reconcile_by: int, pay_from: int) -> str:
    """Where a day of the month falls in the calendar (paying wins when days coincide)."""
    if day >= pay_from:
        return "pay"
    if day <= apply_by:
        return "apply"
    if day <= reconcile_by:
        return "reconcile"
    return "wait"


def _remind_suppliers(session: Session, batch: Batch, month: str, apply_by: int, now: datetime,
                      since: datetime) -> int:
    """Suppliers with accepted lines up to ``month`` not yet applied for: apply by the day."""
    _start, end = parse_month(month)
    rows = session.exec(select(Acceptance.supplier_org_id, func.count()).where(
        Acceptance.batch_id == batch.id, Acceptance.applied_month.is_(None), Acceptance.accepted_on < end,
        Acceptance.quantity > Acceptance.returned).group_by(Acceptance.supplier_org_id)).all()
    texts = {org: f"请于本月{apply_by}日前申请 {month} 的结算（{n} 条已验收明细未申请）/ apply for the "
                  f"settlement of {month} by day {apply_by} of this month ({n} accepted lines not applied for)"
             for org, n in rows}
    return notify_once(session, texts, Role.SUPPLIER_REP, APPLY_DUE, batch.code, now, since)


def _remind_hospitals(session: Session, batch: Batch, month: str, reconcile_by: int, now: datetime,
                      since: datetime) -> int:
    """Hospitals with applied lines still pending reconciliation: confirm or dispute by the day."""
    rows = session.exec(select(Acceptance.hospital_org_id, func.count()).where(  # pending: never settled
        Acceptance.batch_id == batch.id, Acceptance.applied_month.is_not(None),
        Acceptance.reconcile_status == "pending")
        .group_by(Acceptance.hospital_org_id)).all()
    texts = {org: f"请于本月{reconcile_by}日前对账 {month} 的结算申请（{n} 条待确认）/ reconcile the settlement "
                  f"applications of {month} by day {reconcile_by} of this month ({n} lines pending)"
             for org, n in rows}
    return notify_once(session, texts, Role.HOSPITAL_BUYER, RECONCILE_DUE, batch.code, now, since)


def _pay(session: Session, batch: Batch, month: str, now: datetime, since: datetime) -> CalendarOutcome:
    """Run the month's settlement as the system unless a run exists; announce runs awaiting approval."""
    run_ref, note = None, ""
    exists = session.exec(select(SettlementRun.id).where(SettlementRun.batch_id == batch.id,
                                                         SettlementRun.month == month,
                                                         SettlementRun.kind == MONTHLY)).first()
    if exists is None:
        code = batch.code
        try:
            run_ref = run_settlement(session, None, code, month, now).run.run_ref
        except NothingToSettle:
            session.rollback()
            note = NOTHING_TO_SETTLE
        batch = session.exec(select(Batch).where(Batch.code == code)).one()
    refunds = _ask_back_after_cycle(session, batch, month, now)
    waiting = session.exec(select(SettlementRun.run_ref).where(
        SettlementRun.batch_id == batch.id, SettlementRun.month == month, SettlementRun.kind == MONTHLY,
        SettlementRun.status == "computed")
        .order_by(SettlementRun.seq)).all()
    notified = 0
    if waiting:
        refs = "、".join(waiting)
        text = (f"{month} 结算 {refs} 已计算，待另一名结算员审核后放款 / settlement run {refs} for {month} is "
                f"computed and awaits approval by a second settlement officer")
        notified = notify_once(session, dict.fromkeys(fund_org_ids(session, batch), text),
                               Role.SETTLEMENT_OFFICER, RUN_AWAITS, batch.code, now, since)
    session.commit()
    return CalendarOutcome(batch.code, month, "pay", notified, run_ref, note, refunds)


def _ask_back_after_cycle(session: Session, batch: Batch, month: str, now: datetime) -> int:
    """Once ``month`` (just settled) is the cycle's last, ask back the clawbacks still waiting —
    no later delivery will cover them; the number of refunds requested."""
    _start, end = parse_month(month)
    if batch.cycle_end is None or end <= batch.cycle_end:
        return 0
    try:
        return len(request_refunds(session, None, batch.code, now))
    except NothingToAskBack:
        session.rollback()
        return 0


def run_calendar_step(session: Session, batch_code: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> CalendarOutcome:
    """Do today's calendar step for one batch (idempotent; commits what it does)."""
    batch = session.exec(select(Batch).where(Batch.code == batch_code)).one()
    today = local_date(now, tz)
    month = previous_month(today)
    if batch.status != BatchStatus.EXECUTION:
        return CalendarOutcome(batch_code, month, "wait", note="not in execution")
    rules = parse_rules(batch.rules_json)
    phase = phase_of(today.day, rules.apply_by_day, rules.reconcile_by_day, rules.pay_from_day)
    since = period_start(now, tz, monthly=True)
    if phase == "pay":
        return _pay(session, batch, month, now, since)
    notified = 0
    if phase == "apply":
        notified = _remind_suppliers(session, batch, month, rules.apply_by_day, now, since)
    elif phase == "reconcile":
        notified = _remind_hospitals(session, batch, month, rules.reconcile_by_day, now, since)
    session.commit()
    return CalendarOutcome(batch_code, month, phase, notified)


def run_calendar(session: Session, now: datetime, tz: ZoneInfo = SHANGHAI) -> list[CalendarOutcome]:
    """Today's calendar step for every batch in execution (by hand; the scheduler goes batch by
    batch so that one batch's failure is retried without holding up the others)."""
    return [run_calendar_step(session, code, now, tz) for code in batches_in_execution(session)]
