"""Files for the bank (released only after approval) and bank-return imports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from core import audit
from core.outcome import Outcome
from settlement.execution.deliveries import SettlementRefused
from settlement.models import BankFileRecord, BankReturnImport, PaymentInstruction, SettlementRun
from settlement.money import instructions
from settlement.money.data import BankAccount, InstructionStatus
from settlement.money.data import PaymentInstruction as PureInstruction
from settlement.monitoring import rollup
from settlement.payments.bankfiles import BankFileError, PaymentFileHeader, build_bank_files
from settlement.payments.bankreturns import BankReturnError, parse_bank_return
from settlement.payments.notices import notify_failures
from settlement.runs.services import officer_run, who


def to_pure(row: PaymentInstruction) -> PureInstruction:
    """A stored instruction as the bank-file writer takes it (lines are not needed there)."""
    return PureInstruction(
        reference=row.reference, supplier_code=str(row.supplier_org_id),
        payer=BankAccount(row.payer_account, row.payer_name, row.payer_cnaps, row.payer_bank),
        payee=BankAccount(row.payee_account, row.payee_name, row.payee_cnaps, row.payee_bank),
        amount_fen=row.amount_fen, lines=(), remittance=row.remittance)


def instructions_of(session: Session, run_id: int) -> list[PaymentInstruction]:
    """A run's instructions in reference order."""
    return list(session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run_id)
                             .order_by(PaymentInstruction.reference)).all())


def release_files(session: Session, actor: Actor, run_id: int, now: datetime) -> Outcome[list[BankFileRecord]]:
    """Write the pain.001 XML, the CSV per paying bank and the summary for an approved run;
    once released, a repeat is a no-op answering the files written (the run row is locked)."""
    if actor is None:
        raise Forbidden("releasing files needs a settlement officer")
    run = officer_run(session, actor, run_id)
    if run.status == "released":
        files = files_of(session, run.id)
        session.commit()  # nothing written: end the locking transaction
        return Outcome(files, repeated=True)
    if run.status != "approved":
        raise SettlementRefused("结算须经第二人审核后才能生成银行文件 / the run must be approved by a second "
                                "officer before any file is released")
    rows = [i for i in instructions_of(session, run.id) if i.status == InstructionStatus.ISSUED]
    header = PaymentFileHeader(msg_id=run.run_ref, created_at=now, execution_date=now.date(),
                               initiating_party=rows[0].payer_name if rows else "医保基金")
    try:
        fileset = build_bank_files(header, [to_pure(i) for i in rows])
    except BankFileError as exc:
        raise SettlementRefused(f"无法生成银行文件 / cannot write the bank files: {exc}") from exc
    records = []
    for kind, f in [("xml", fileset.xml), *(("csv", c) for c in fileset.csvs), ("summary", fileset.summary)]:
        rec = BankFileRecord(run_id=run.id, kind=kind, name=f.name, sha256=f.sha256,
                             instruction_count=f.instruction_count, total_fen=f.total_fen, content=f.content,
                             created_at=now)
        session.add(rec)
        records.append(rec)
    run.status, run.released_by, run.released_at = "released", actor.user_id, now
    session.add(run)
    audit.record(session, actor.audit(), "settlement.release", "settlement_run", str(run.id),
                 {"files": {f.name: f.sha256 for f in records}}, at=now)
    session.commit()
    return Outcome(records)


def files_of(session: Session, run_id: int) -> list[BankFileRecord]:
    """The released files of a run."""
    return list(session.exec(select(BankFileRecord).where(BankFileRecord.run_id == run_id)
                             .order_by(BankFileRecord.id)).all())


@dataclass(frozen=True)
class BankReturnOutcome:
    """What a bank return did: instructions now paid, now failed, unchanged, and the import's
    log row (None: every answer had been applied already — a repeat, nothing written)."""

    paid: int
    failed: int
    unchanged: int
    log: BankReturnImport | None

    @property
    def repeated(self) -> bool:
        """True when the file changed nothing (the same answers imported before)."""
        return self.log is None


def import_bank_return(session: Session, actor: Actor | None, run_id: int, content: bytes, filename: str,
                       now: datetime) -> BankReturnOutcome:
    """Apply a bank's result file to a released run: all or nothing. An answer already applied
    is a no-op in every state (a failed instruction since re-issued included); a file that
    changes nothing is a repeat and writes nothing (no log row, no audit row). The run row is
    locked first, so concurrent imports of one file apply it once."""
    run: SettlementRun = officer_run(session, actor, run_id)
    if run.status != "released":
        raise SettlementRefused("银行文件尚未发布 / the run's bank files have not been released")
    rows = {i.reference: i for i in instructions_of(session, run.id)}
    try:
        parsed = parse_bank_return(content, known_references=frozenset(rows))
    except BankReturnError as exc:
        raise SettlementRefused(str(exc)) from exc
    if not parsed.ok:
        raise SettlementRefused("；".join(f"第{e.row}行 {e.column}「{e.value}」: {e.message}"
                                         for e in parsed.errors[:20]))
    counts = {"paid": 0, "failed": 0, "same": 0}
    moves = []
    for r in parsed.rows:
        inst = rows[r.reference]
        try:
            new = instructions.answer(InstructionStatus(inst.status), r.status)
        except ValueError as exc:
            raise SettlementRefused(f"第{r.row}行 / row {r.row}: 指令 {r.reference} 状态为 {inst.status}，"
                                    f"不能改为 {r.status} / {exc}") from exc
        moves.append((inst, new, r.reason, r.bank_ref))
    newly_failed = []
    for inst, new, reason, bank_ref in moves:
        if new == inst.status:
            counts["same"] += 1
            continue
        counts[str(new)] += 1
        inst.status, inst.status_at, inst.failure_reason = new, now, reason[:200]
        inst.bank_ref = bank_ref or inst.bank_ref
        session.add(inst)
        if new == InstructionStatus.FAILED:
            newly_failed.append(inst)
    if not counts["paid"] and not counts["failed"]:
        session.rollback()
        return BankReturnOutcome(0, 0, counts["same"], None)
    notify_failures(session, run, newly_failed, now)
    if counts["paid"]:
        rollup.refresh_run(session, run.id)  # the dashboard's on-time rows: paid by the due day?
    log = BankReturnImport(run_id=run.id, filename=filename[:200], sha256=hashlib.sha256(content).hexdigest(),
                           paid_count=counts["paid"], failed_count=counts["failed"], unchanged_count=counts["same"],
                           imported_by=actor.user_id if actor else None, imported_at=now)
    session.add(log)
    audit.record(session, who(actor), "settlement.bank_return", "settlement_run", str(run.id),
                 {"file": filename[:200], "sha256": log.sha256, **counts}, at=now)
    session.commit()
    return BankReturnOutcome(counts["paid"], counts["failed"], counts["same"], log)
