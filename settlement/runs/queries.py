"""Read models of what runs produce (no writes): deduction statements in the actor's scope — rows
for the pages, JSON-ready dicts for the API (money as decimal strings) — and one run's
instructions and statements for the officers."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from procurement.models import Batch
from settlement.execution.queries import yuan
from settlement.models import (
    DeductionStatement,
    DeliveryReturn,
    DifferenceCredit,
    PaymentInstruction,
    PriceDifference,
    SettlementRun,
)
from supply.models import Takeover, TakeoverLine


def statements(session: Session, actor: Actor) -> list[tuple[DeductionStatement, SettlementRun, Organisation]]:
    """Deduction statements in scope, newest first."""
    stmt = (scope(select(DeductionStatement, SettlementRun, Organisation), actor, DeductionStatement)
            .join(SettlementRun, SettlementRun.id == DeductionStatement.run_id)
            .join(Organisation, Organisation.id == DeductionStatement.hospital_org_id))
    return list(session.exec(stmt.order_by(DeductionStatement.id.desc())).all())


def run_detail(session: Session, run: SettlementRun) -> tuple[list, list]:
    """A run's instructions (with supplier) and statements (with hospital)."""
    inst = session.exec(select(PaymentInstruction, Organisation)
                        .join(Organisation, Organisation.id == PaymentInstruction.supplier_org_id)
                        .where(PaymentInstruction.run_id == run.id).order_by(PaymentInstruction.reference)).all()
    sts = session.exec(select(DeductionStatement, Organisation)
                       .join(Organisation, Organisation.id == DeductionStatement.hospital_org_id)
                       .where(DeductionStatement.run_id == run.id).order_by(Organisation.code)).all()
    return list(inst), list(sts)


def differences_netted(session: Session, run: SettlementRun) -> list[tuple[PriceDifference, str, str, str]]:
    """The takeover price differences this run deducted from failed winners' payments, each its
    own line: (difference, hospital name, failed winner's name, takeover reference) by hospital.
    (The caller checked the run's scope: settlement officers of its region.)"""
    hospital, supplier = aliased(Organisation), aliased(Organisation)
    rows = session.exec(select(PriceDifference, hospital.name, supplier.name, Takeover.reference)
                        .join(hospital, hospital.id == PriceDifference.hospital_org_id)
                        .join(supplier, supplier.id == PriceDifference.supplier_org_id)
                        .join(TakeoverLine, TakeoverLine.id == PriceDifference.takeover_line_id)
                        .join(Takeover, Takeover.id == TakeoverLine.takeover_id)
                        .where(PriceDifference.clawback_run_id == run.id)
                        .order_by(hospital.code, PriceDifference.id)).all()
    return [tuple(r) for r in rows]


def credits_netted(session: Session, run: SettlementRun) -> list[tuple[DifferenceCredit, str, str, str]]:
    """The price differences this run gave back to failed winners for units their backup's hospital
    returned after settlement (added to their payment), as :func:`differences_netted`."""
    hospital, supplier = aliased(Organisation), aliased(Organisation)
    rows = session.exec(select(DifferenceCredit, hospital.name, supplier.name, Takeover.reference)
                        .join(hospital, hospital.id == DifferenceCredit.hospital_org_id)
                        .join(supplier, supplier.id == DifferenceCredit.supplier_org_id)
                        .join(PriceDifference, PriceDifference.id == DifferenceCredit.difference_id)
                        .join(TakeoverLine, TakeoverLine.id == PriceDifference.takeover_line_id)
                        .join(Takeover, Takeover.id == TakeoverLine.takeover_id)
                        .where(DifferenceCredit.clawback_run_id == run.id)
                        .order_by(hospital.code, DifferenceCredit.id)).all()
    return [tuple(r) for r in rows]


def netted_parts(session: Session, run: SettlementRun) -> tuple[int, int]:
    """The run's ``clawback_fen`` in its two parts: (returns after settlement taken back, takeover
    price differences deducted net of those given back for returned units)."""
    def total(column, where) -> int:
        return int(session.exec(select(func.coalesce(func.sum(column), 0)).where(where)).one())

    returns = total(DeliveryReturn.clawback_fen, DeliveryReturn.clawback_run_id == run.id)
    differences = (total(PriceDifference.amount_fen, PriceDifference.clawback_run_id == run.id)
                   - total(DifferenceCredit.amount_fen, DifferenceCredit.clawback_run_id == run.id))
    return returns, differences


def statement_rows(session: Session, actor: Actor) -> list[dict]:
    """Deduction statements in scope (:func:`statements`), newest first."""
    rows = statements(session, actor)
    # codes of the batches these in-scope statements belong to
    codes = {pk: code for pk, code in session.exec(select(Batch.id, Batch.code).where(
        Batch.id.in_({st.batch_id for st, _r, _h in rows}))).all()} if rows else {}
    return [{"run": run.run_ref, "batch": codes[st.batch_id], "month": run.month, "hospital": hospital.code,
             "gross": yuan(st.gross_fen), "offset": yuan(st.offset_fen), "net_deducted": yuan(st.net_deducted_fen),
             "advance_before": yuan(st.advance_before_fen), "advance_after": yuan(st.advance_after_fen),
             "clawback": yuan(st.clawback_fen), "lines": st.line_count, "released": run.released_at is not None}
            for st, run, hospital in rows]
