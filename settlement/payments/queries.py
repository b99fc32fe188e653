"""Read models of payments (no writes): a supplier's payments per month with status, bank
reference and re-issue links; the lines one instruction pays and how its amount comes about;
the failed payments a fund officer may re-issue; payment status as JSON-ready dicts for the API.
Scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.bank import pending_change
from accounts.models import Organisation
from accounts.scoping import scope
from core.money import line_amount_fen
from procurement.models import Batch, BatchItem, Item
from review.models import Contract
from settlement.execution.queries import yuan
from settlement.models import (
    Acceptance,
    FundPayment,
    PaymentInstruction,
    ReissueRequest,
    SettlementClaim,
    SettlementRun,
    SettlementShare,
)
from settlement.payments.reissue import ReissueStatus
from settlement.runs.claims import clawed_back, covers

MAX_LINES_SHOWN = 1000


@dataclass(frozen=True)
class PaymentRow:
    """An instruction with its run and batch, what it replaced, what replaced it, and its open
    re-issue request."""

    instruction: PaymentInstruction
    run: SettlementRun
    batch: Batch
    reissue_of: str | None
    reissued_as: str | None
    request: ReissueRequest | None


def _rows(session: Session, actor: Actor, *where) -> list[PaymentRow]:
    """Instructions in scope matching ``where``, newest first."""
    earlier, later = aliased(PaymentInstruction), aliased(PaymentInstruction)
    stmt = (scope(select(PaymentInstruction, SettlementRun, Batch, earlier.reference, later.reference, ReissueRequest),
                  actor, PaymentInstruction)
            .join(SettlementRun, SettlementRun.id == PaymentInstruction.run_id)
            .join(Batch, Batch.id == PaymentInstruction.batch_id)
            .outerjoin(earlier, earlier.id == PaymentInstruction.reissue_of_id)
            .outerjoin(later, later.reissue_of_id == PaymentInstruction.id)
            .outerjoin(ReissueRequest, and_(ReissueRequest.instruction_id == PaymentInstruction.id,
                                            ReissueRequest.status != ReissueStatus.REJECTED))
            .where(*where).order_by(PaymentInstruction.id.desc()))
    return [PaymentRow(*row) for row in session.exec(stmt).all()]


def payments(session: Session, actor: Actor, limit: int = 500) -> list[PaymentRow]:
    """The actor's payments (a supplier: those paying it), newest first — released runs only:
    an instruction before its bank file is not a payment yet."""
    return _rows(session, actor, SettlementRun.status == "released")[:limit]


def payment(session: Session, actor: Actor, instruction_id: int) -> PaymentRow | None:
    """One instruction in scope (of a released run), or None."""
    rows = _rows(session, actor, PaymentInstruction.id == instruction_id, SettlementRun.status == "released")
    return rows[0] if rows else None


def by_month(rows: list[PaymentRow]) -> list[tuple[str, list[PaymentRow], int]]:
    """Rows grouped by settlement month (newest first) with each month's Σ paid or to be paid
    (failed and re-issued instructions are not counted twice: only live ones)."""
    months: dict[str, list[PaymentRow]] = {}
    for r in rows:
        months.setdefault(r.run.month, []).append(r)
    return [(m, rs, sum(r.instruction.amount_fen for r in rs if r.instruction.status in ("issued", "paid")))
            for m, rs in sorted(months.items(), reverse=True)]


@dataclass(frozen=True)
class CoveredShare:
    """One hospital's part of an instruction: its lines' gross − returns netted − prepayment
    offset = paid by the fund."""

    hospital: str
    line_count: int
    gross_fen: int
    clawback_fen: int
    offset_fen: int
    paid_fen: int

    @property
    def lines_fen(self) -> int:
        """Σ of the lines as settled (before the returns netted)."""
        return self.gross_fen + self.clawback_fen


@dataclass(frozen=True)
class CoveredLine:
    """A line an instruction pays, as it was settled."""

    acceptance_id: int
    hospital: str
    contract_code: str
    item: str
    accepted_on: date
    quantity: int
    price_e4: int
    amount_fen: int


def covered(session: Session, instruction: PaymentInstruction,
            limit: int | None = MAX_LINES_SHOWN) -> tuple[list[CoveredShare], list[CoveredLine], int]:
    """The hospitals' shares an instruction pays, its lines (at most ``limit``), and how many
    lines there are (the caller checked the scope)."""
    hospital = aliased(Organisation)
    shares = session.exec(select(SettlementShare, hospital).join(hospital, hospital.id == SettlementShare.hospital_org_id)
                          .where(SettlementShare.instruction_id == instruction.id).order_by(hospital.name)).all()
    out = [CoveredShare(h.name, s.line_count, s.gross_fen, s.clawback_fen, s.offset_fen, s.paid_fen) for s, h in shares]
    stmt = (select(Acceptance, Contract, Item, hospital, clawed_back())
            .join(Contract, Contract.id == Acceptance.contract_id)
            .join(BatchItem, BatchItem.id == Contract.batch_item_id).join(Item, Item.id == BatchItem.item_id)
            .join(hospital, hospital.id == Acceptance.hospital_org_id)
            .join(SettlementShare, and_(SettlementShare.hospital_org_id == Acceptance.hospital_org_id,
                                        SettlementShare.supplier_org_id == Acceptance.supplier_org_id))
            .join(SettlementClaim, SettlementClaim.run_id == SettlementShare.run_id)
            .where(SettlementShare.instruction_id == instruction.id, covers(Acceptance))
            .order_by(hospital.name, Acceptance.accepted_on, Acceptance.id))
    rows = session.exec(stmt.limit(limit) if limit else stmt).all()
    lines = [CoveredLine(a.id, h.name, c.code, f"{i.code} {i.generic_name}", a.accepted_on, a.quantity - a.returned,
                         c.ucp_e4, line_amount_fen(a.quantity - a.returned, c.ucp_e4) + int(claw))
             for a, c, i, h, claw in rows]
    return out, lines, sum(s.line_count for s in out) if out else len(lines)


@dataclass(frozen=True)
class FailedPayment:
    """A failed instruction for the fund: the supplier's account now (and whether a change of
    it awaits confirmation), and its open re-issue request."""

    row: PaymentRow
    supplier: Organisation
    account_changed: bool
    change_pending: bool


def failed_payments(session: Session, actor: Actor, batch_id: int) -> list[FailedPayment]:
    """The batch's failed instructions (not yet re-issued) in the officer's scope."""
    rows = _rows(session, actor, PaymentInstruction.batch_id == batch_id, PaymentInstruction.status == "failed")
    out = []
    for r in rows:
        supplier = session.get(Organisation, r.instruction.supplier_org_id)
        changed = (supplier.bank_account, supplier.bank_cnaps) != (r.instruction.payee_account,
                                                                     r.instruction.payee_cnaps)
        out.append(FailedPayment(r, supplier, changed, pending_change(session, supplier.id) is not None))
    return out


def reissue_history(session: Session, actor: Actor, batch_id: int, limit: int = 100) -> list[tuple]:
    """The batch's re-issue requests, newest first, with the failed instruction."""
    stmt = (scope(select(ReissueRequest, PaymentInstruction), actor, ReissueRequest)
            .join(PaymentInstruction, PaymentInstruction.id == ReissueRequest.instruction_id)
            .where(ReissueRequest.batch_id == batch_id).order_by(ReissueRequest.id.desc()).limit(limit))
    return list(session.exec(stmt).all())


def batch_code(session: Session, batch_id: int) -> str:
    """A batch's code."""
    return session.get(Batch, batch_id).code


def failed_count(session: Session, actor: Actor, batch_id: int | None = None) -> int:
    """How many failed, not yet re-issued instructions the actor sees (of one batch)."""
    stmt = scope(select(func.count()).select_from(PaymentInstruction), actor, PaymentInstruction).where(
        PaymentInstruction.status == "failed")
    if batch_id is not None:
        stmt = stmt.where(PaymentInstruction.batch_id == batch_id)
    return int(session.exec(stmt).one())


def payment_rows(session: Session, actor: Actor) -> list[dict]:
    """Payment instructions in scope (a supplier: those paying it), newest first."""
    earlier = aliased(PaymentInstruction)
    rows = session.exec(scope(select(PaymentInstruction, SettlementRun, Batch.code, earlier.reference),
                              actor, PaymentInstruction)
                        .join(SettlementRun, SettlementRun.id == PaymentInstruction.run_id)
                        .join(Batch, Batch.id == PaymentInstruction.batch_id)
                        .outerjoin(earlier, earlier.id == PaymentInstruction.reissue_of_id)
                        .order_by(PaymentInstruction.id.desc())).all()
    return [{"reference": i.reference, "run": run.run_ref, "batch": batch, "month": run.month,
             "amount": yuan(i.amount_fen), "status": i.status,
             "status_at": i.status_at.isoformat() if i.status_at else None, "lines": i.line_count,
             "failure_reason": i.failure_reason, "reissue_of": reissue_of, "released": run.released_at is not None,
             "bank_ref": i.bank_ref}
            for i, run, batch, reissue_of in rows]


def fund_payment(session: Session, actor: Actor, payment_id: int) -> tuple[FundPayment, Batch] | None:
    """One fund payment outside the monthly run in the actor's scope, with its batch (None:
    unknown or foreign)."""
    row = session.exec(scope(select(FundPayment, Batch), actor, FundPayment)
                       .join(Batch, Batch.id == FundPayment.batch_id).where(FundPayment.id == payment_id)).first()
    return (row[0], row[1]) if row else None
