"""The settlement run: compute with the pure core, persist, approve (four-eyes), release files.

Idempotency: a run takes the batch's settlement lock (the batch row, and an advisory lock on
PostgreSQL; SQLite write transactions are serial already), sums the confirmed lines whose
place in the batch's settlement queue lies above the last claim, and records one claim row for
that range (``settlement.runs.claims``); the database refuses two claims from the same place. A
second run, or a racing one, finds nothing new and returns the existing run. Changes of
applied lines (application, reconciliation, returns) take the same lock shared, so the lines
summed are the lines claimed.
A failed instruction is not re-issued by a run: it waits for a four-eyes re-issue to the
corrected account (:mod:`settlement.payments.reissue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.bulk import collector_paused
from core.db import advisory_xact_lock, bulk_insert, lock_for_update
from core.outcome import Outcome
from procurement.lifecycle import BatchStatus, Procedure
from procurement.models import Batch
from procurement.queries import find_batch
from procurement.rules import parse_rules
from settlement.execution.deliveries import SettlementRefused, parse_month
from settlement.execution.prepayment import balances
from settlement.models import (
    DeductionStatement,
    PaymentInstruction,
    PrepaymentEntry,
    SettlementRun,
    SettlementShare,
)
from settlement.money.data import (
    BankAccount,
    InstructionStatus,
    OffsetRule,
    SettlementError,
    SettlementResult,
    SettlementSettings,
    ShareTotal,
)
from settlement.money.settle import RUN_REF_RE, settle_shares
from settlement.monitoring import rollup
from settlement.runs import differences, shares
from settlement.runs.open_lines import (
    OpenLines,
    claim_lines,
    drop_open,
    mark_owed,
    net_clawbacks,
    open_clawbacks,
    open_lines,
    open_totals,
    paid_suppliers,
)

#: the kind of the monthly settlement's runs (and their re-issues); fund payments outside the
#: monthly run have their own kinds (:mod:`settlement.payments.fund`) and share only the numbering
MONTHLY = "monthly"


class NothingToSettle(SettlementRefused):
    """The month has no line to settle and no run yet (the scheduler treats it as idle)."""


@dataclass(frozen=True)
class RunOutcome:
    """The run and whether this call created it (False: nothing new, the existing run)."""

    run: SettlementRun
    created: bool


def officer_batch(session: Session, actor: Actor | None, batch_code: str) -> Batch:
    """A batch of the settlement officer's region (any batch for the system), else Forbidden."""
    if actor is None:
        batch = session.exec(select(Batch).where(Batch.code == batch_code)).first()
        if batch is None:
            raise SettlementRefused(f"批次不存在 / no such batch: {batch_code}")
        return batch
    if actor.role != Role.SETTLEMENT_OFFICER:
        raise Forbidden("settlement officers only")
    batch = find_batch(session, actor, batch_code)
    if batch is None:
        raise Forbidden("no such batch")
    return batch


def fund_of(session: Session, actor: Actor | None, batch: Batch) -> Organisation | None:
    """The paying fund agency: the officer's own, or (system) the fund of the batch's region."""
    if actor is not None:
        return session.get(Organisation, actor.org_id)
    return session.exec(select(Organisation).where(Organisation.kind == "fund", Organisation.active == True,  # noqa: E712
                                                   Organisation.region_code == batch.region_code)
                        .order_by(Organisation.id)).first()


def who(actor: Actor | None) -> audit.AuditActor:
    """The audit actor: the officer, or the system (CLI, scheduler)."""
    return actor.audit() if actor else audit.SYSTEM


def account_of(org: Organisation) -> BankAccount | None:
    """An organisation's bank account, or None when incomplete."""
    if not (org.bank_account and org.bank_cnaps):
        return None
    try:
        return BankAccount(org.bank_account, org.name, org.bank_cnaps, org.bank_name or "")
    except SettlementError:
        return None


def locked_with_payer(session: Session, actor: Actor | None, batch: Batch) -> tuple[Batch, BankAccount]:
    """What every run of a batch starts with: the batch's settlement lock taken (one run at a
    time), the batch row locked, and the fund's paying account — refused when it is not set."""
    advisory_xact_lock(session, f"settlement:{batch.id}")
    batch = lock_for_update(session, Batch, batch.id)
    fund = fund_of(session, actor, batch)
    payer = account_of(fund) if fund else None
    if payer is None:
        raise SettlementRefused("医保基金账户未设置 / the fund's bank account is not set")
    return batch, payer


def settings_of(batch: Batch) -> SettlementSettings:
    """The batch's settlement settings (offset ratio = the prepayment ratio)."""
    rules = parse_rules(batch.rules_json)
    return SettlementSettings(offset_rule=OffsetRule(rules.prepayment_offset), offset_ratio=rules.prepayment_ratio,
                              prepayment_ratio=rules.prepayment_ratio, payment_days=rules.payment_days)


def _directory(session: Session, supplier_ids: set[int]) -> tuple[dict[int, BankAccount], dict[int, Organisation]]:
    """Payee accounts of the suppliers by org id (complete ones only), and id → supplier."""
    orgs = session.exec(select(Organisation).where(Organisation.id.in_(supplier_ids))).all() if supplier_ids else []
    return {o.id: a for o in orgs if (a := account_of(o)) is not None}, {o.id: o for o in orgs}


def run_settlement(session: Session, actor: Actor | None, batch_code: str, month: str, now: datetime) -> RunOutcome:
    """Settle the batch's applied, confirmed lines up to ``month``.

    Summed per hospital × supplier in the database and settled there (``settlement.runs.shares``:
    the money of :func:`settle_shares`, to the fen), then the range of lines claimed by one row —
    neither a province's month (600,000 lines) nor its 50,000 shares become Python objects; its
    hospitals and suppliers do, with the garbage collector paused (``core.bulk``). A container
    of direct settlement (procedure ``direct``) is settled by ``directpay.monthly`` instead: the
    month's in-scope order lines, then the same run, approval and payment path."""
    with collector_paused():
        batch = officer_batch(session, actor, batch_code)
        if batch.procedure == Procedure.DIRECT:  # a province's container of listed products' direct settlement
            # directpay builds on this module, so it is imported when needed
            from directpay.monthly import run_month

            return run_month(session, actor, batch, month, now)
        return _run(session, actor, batch, month, now)


def _run(session: Session, actor: Actor | None, batch: Batch, month: str, now: datetime) -> RunOutcome:
    """:func:`run_settlement`'s work for a batch of contracts."""
    _start, end = parse_month(month)
    if now.date() < end:
        raise SettlementRefused("只能结算已结束的月份 / only a finished month can be settled")
    if batch.status != BatchStatus.EXECUTION:
        raise SettlementRefused("批次不在执行中 / the batch is not in execution")
    batch, payer = locked_with_payer(session, actor, batch)
    found = open_lines(session, batch.id, end)
    differences.record(session, batch.id, found, end, now)
    suppliers_paid = paid_suppliers(session)
    payees, suppliers = _directory(session, set(suppliers_paid))
    missing = sorted({suppliers[s].code for s in suppliers_paid if s not in payees})
    if missing:
        raise SettlementRefused(f"无法结算 / cannot settle: no payee bank account for supplier(s): {', '.join(missing)}")
    seq = (session.exec(select(func.max(SettlementRun.seq)).where(
        SettlementRun.batch_id == batch.id, SettlementRun.month == month)).one() or 0) + 1
    run_ref = f"S{batch.id}-{month.replace('-', '')}-{seq}"
    if not RUN_REF_RE.match(run_ref):
        raise SettlementRefused(f"无法结算 / cannot settle: bad run reference {run_ref!r}")
    shares.net_clawbacks(session, batch.id)
    grosses = shares.hospital_grosses(session)
    if not grosses:
        return _nothing_new(session, batch, month)
    if not shares.fits(grosses):  # a hospital's gross too large for 64-bit products: the pure core
        return _run_in_python(session, actor, batch, month, now, found, payer, payees, suppliers, seq, run_ref)
    try:
        totals = shares.settle(session, grosses, balances(session, batch.id), settings_of(batch))
    except SettlementError as exc:
        raise SettlementRefused(f"无法结算 / cannot settle: {exc}") from exc
    run = SettlementRun(batch_id=batch.id, month=month, seq=seq, run_ref=run_ref,
                        computed_by=actor.user_id if actor else None,
                        computed_at=now, gross_fen=totals.gross_fen, offset_fen=totals.offset_fen,
                        paid_fen=totals.paid_fen, clawback_fen=totals.clawback_fen,
                        line_count=totals.line_count, carried_count=found.waiting)
    session.add(run)
    session.flush()
    shares.persist(session, run.id, batch.id, run_ref, payer, payees, run.computed_by, now)
    shares.mark_netted_returns(session, batch.id, run.id)
    differences.stamp(session, batch.id, run.id)
    shares.drop(session)
    drop_open(session)
    return _finish(session, actor, batch, month, run, found, now)


def _nothing_new(session: Session, batch: Batch, month: str) -> RunOutcome:
    """No share to settle: the month's latest run (nothing new), else NothingToSettle."""
    latest = session.exec(select(SettlementRun).where(SettlementRun.batch_id == batch.id,
                                                      SettlementRun.month == month, SettlementRun.kind == MONTHLY)
                          .order_by(SettlementRun.seq.desc())).first()
    session.rollback()
    if latest is None:
        raise NothingToSettle("没有可结算的明细 / nothing to settle for this month")
    return RunOutcome(latest, False)


def _finish(session: Session, actor: Actor | None, batch: Batch, month: str, run: SettlementRun, found: OpenLines,
            now: datetime) -> RunOutcome:
    """Claim the lines, audit and commit a computed run."""
    claim_lines(session, run, found)
    rollup.add_run(session, run.id)  # the dashboard's rollup of the run's shares
    audit.record(session, who(actor), "settlement.run", "settlement_run", str(run.id),
                 {"batch": batch.code, "month": month, "ref": run.run_ref, "gross_fen": run.gross_fen,
                  "offset_fen": run.offset_fen, "paid_fen": run.paid_fen,
                  "clawback_fen": run.clawback_fen,
                  "lines": run.line_count, "carried": run.carried_count}, at=now)
    session.commit()
    return RunOutcome(run, True)


def _run_in_python(session: Session, actor: Actor | None, batch: Batch, month: str, now: datetime, found: OpenLines,
                   payer: BankAccount, payees: dict[int, BankAccount], suppliers: dict[int, Organisation], seq: int,
                   run_ref: str) -> RunOutcome:
    """The run computed by the pure core over the shares read into Python (:func:`settle_shares`):
    the path of hospitals too large for the SQL path's 64-bit products, and its reference."""
    totals = open_totals(session)
    hospitals = {o.id: o for o in session.exec(select(Organisation).where(
        Organisation.id.in_({h for h, *_x in totals}))).all()}
    before = balances(session, batch.id)
    netted_rows, netted = net_clawbacks(totals, open_clawbacks(session, batch.id))
    hospital_code = {pk: o.code for pk, o in hospitals.items()}
    supplier_code = {pk: o.code for pk, o in suppliers.items()}
    share_totals = [ShareTotal(hospital_code[h], supplier_code[s], payees[s], payer, gross, n, claw)
                    for h, s, gross, n, claw in netted_rows]
    try:
        result = settle_shares(share_totals, {o.code: before.get(pk, 0) for pk, o in hospitals.items()},
                               settings_of(batch), run_ref=run_ref)
    except SettlementError as exc:
        raise SettlementRefused(f"无法结算 / cannot settle: {exc}") from exc
    run = SettlementRun(batch_id=batch.id, month=month, seq=seq, run_ref=run_ref,
                        computed_by=actor.user_id if actor else None,
                        computed_at=now, gross_fen=result.gross_fen, offset_fen=result.offset_fen,
                        paid_fen=result.paid_fen, clawback_fen=result.clawback_fen,
                        line_count=sum(s.line_count for s in result.statements),
                        carried_count=found.waiting)
    session.add(run)
    session.flush()
    by_code = {o.code: o.id for o in (*hospitals.values(), *suppliers.values())}
    _persist(session, run, batch, result, by_code, now)
    mark_owed(session, netted, clawback_run_id=run.id)
    differences.stamp(session, batch.id, run.id)
    shares.drop(session)
    drop_open(session)
    return _finish(session, actor, batch, month, run, found, now)


def _persist(session: Session, run: SettlementRun, batch: Batch, result: SettlementResult, org_id: dict[str, int],
             now: datetime) -> None:
    """Instructions, shares, statements and prepayment offsets of a computed run (bulk inserts:
    a province's month has thousands of shares)."""
    conn = session.connection()
    if result.instructions:
        conn.execute(insert(PaymentInstruction.__table__), [
            {"run_id": run.id, "batch_id": batch.id, "reference": i.reference,
             "supplier_org_id": org_id[i.supplier_code], "payer_account": i.payer.account_no,
             "payer_name": i.payer.holder_name, "payer_cnaps": i.payer.bank_cnaps, "payer_bank": i.payer.bank_name,
             "payee_account": i.payee.account_no, "payee_name": i.payee.holder_name,
             "payee_cnaps": i.payee.bank_cnaps, "payee_bank": i.payee.bank_name, "amount_fen": i.amount_fen,
             "line_count": i.line_count, "remittance": i.remittance[:140], "status": InstructionStatus.ISSUED,
             "reissue_of_id": None, "failure_reason": "", "status_at": now} for i in result.instructions])
    ids = dict(conn.execute(select(PaymentInstruction.reference, PaymentInstruction.id)
                            .where(PaymentInstruction.run_id == run.id)).all())
    shares = [{"run_id": run.id, "hospital_org_id": org_id[x.share.hospital_code],
               "supplier_org_id": org_id[x.share.supplier_code], "gross_fen": x.share.gross_fen,
               "offset_fen": x.offset_fen, "paid_fen": x.paid_fen, "clawback_fen": x.share.clawback_fen,
               "line_count": x.share.line_count,
               "instruction_id": ids[x.instruction_ref] if x.instruction_ref else None} for x in result.shares]
    statements = [{"run_id": run.id, "batch_id": batch.id, "hospital_org_id": org_id[st.hospital_code],
                   "gross_fen": st.gross_fen, "offset_fen": st.offset_fen, "net_deducted_fen": st.net_deducted_fen,
                   "advance_before_fen": st.advance_before_fen, "advance_after_fen": st.advance_after_fen,
                   "clawback_fen": st.clawback_fen, "line_count": st.line_count} for st in result.statements]
    offsets = [{"entry_key": f"offset:{run.id}:{org_id[st.hospital_code]}", "batch_id": batch.id,
                "hospital_org_id": org_id[st.hospital_code], "kind": "offset", "amount_fen": -st.offset_fen,
                "run_id": run.id, "detail": "", "created_by": run.computed_by, "created_at": now}
               for st in result.statements if st.offset_fen]
    for table, rows in ((SettlementShare.__table__, shares), (DeductionStatement.__table__, statements),
                        (PrepaymentEntry.__table__, offsets)):
        bulk_insert(session, table, rows)


def runs_of(session: Session, actor: Actor, batch_id: int | None = None) -> list[SettlementRun]:
    """Runs the actor may see, newest first."""
    stmt = scope(select(SettlementRun), actor, SettlementRun)
    if batch_id is not None:
        stmt = stmt.where(SettlementRun.batch_id == batch_id)
    return list(session.exec(stmt.order_by(SettlementRun.id.desc())).all())


def officer_run(session: Session, actor: Actor | None, run_id: int) -> SettlementRun:
    """A run of the settlement officer's region (any run for the system), locked; Forbidden otherwise."""
    if actor is None:
        run = lock_for_update(session, SettlementRun, run_id)
        if run is None:
            raise SettlementRefused(f"结算批次不存在 / no such run: {run_id}")
        return run
    if actor.role != Role.SETTLEMENT_OFFICER:
        raise Forbidden("settlement officers only")
    run = session.exec(scope(select(SettlementRun).where(SettlementRun.id == run_id), actor, SettlementRun)).first()
    if run is None:
        raise Forbidden("no such run")
    return lock_for_update(session, SettlementRun, run_id)


def approve_run(session: Session, actor: Actor, run_id: int, now: datetime) -> Outcome[SettlementRun]:
    """A second settlement officer approves a computed run (never the one who computed it);
    once approved, approving again is a no-op (a repeat: no audit row)."""
    if actor is None:
        raise Forbidden("approval needs a settlement officer")
    run = officer_run(session, actor, run_id)
    if run.approved_at is not None:
        session.commit()  # nothing written: end the locking transaction
        return Outcome(run, repeated=True)
    if run.status != "computed":
        raise SettlementRefused("只有待审核的结算可以审核 / only a computed run can be approved")
    if run.computed_by == actor.user_id:
        raise SettlementRefused("双人复核：审核人不能是计算人 / four-eyes: the approver may not be the officer "
                                "who ran the settlement")
    run.status, run.approved_by, run.approved_at = "approved", actor.user_id, now
    session.add(run)
    audit.record(session, actor.audit(), "settlement.approve", "settlement_run", str(run.id),
                 {"ref": run.run_ref, "paid_fen": run.paid_fen}, at=now)
    session.commit()
    return Outcome(run)
