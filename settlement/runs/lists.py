"""Paged read models of runs: a run's payment instructions and deduction statements, and the
statements in an actor's scope, filtered and sorted in SQL through :mod:`core.paging`. The run
itself is found within the actor's scope by the caller (``settlement.runs.views._run``)."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from settlement.models import (
    DeductionStatement,
    PaymentInstruction,
    SettlementRun,
)

INSTRUCTION_FILTERS = ("supplier", "status")
INSTRUCTION_STATUSES = ("issued", "paid", "failed", "reissued")
INSTRUCTION_SORTS = {"reference": PaymentInstruction.reference, "supplier": Organisation.name,
                     "amount": PaymentInstruction.amount_fen, "lines": PaymentInstruction.line_count,
                     "status": PaymentInstruction.status}
STATEMENT_FILTERS = ("hospital",)
MY_STATEMENT_FILTERS = ("hospital", "month")
MY_STATEMENT_SORTS = {"run": SettlementRun.run_ref, "month": SettlementRun.month, "hospital": Organisation.name,
                      "gross": DeductionStatement.gross_fen, "deducted": DeductionStatement.net_deducted_fen}
STATEMENT_SORTS = {"hospital": Organisation.name, "gross": DeductionStatement.gross_fen,
                   "offset": DeductionStatement.offset_fen, "deducted": DeductionStatement.net_deducted_fen}


def instruction_page(session: Session, run: SettlementRun, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the run's instructions with their suppliers, by reference: ``supplier``
    matches code or name, ``status`` is an instruction status."""
    status = query.get("status")
    stmt = narrowed(select(PaymentInstruction, Organisation)
                    .join(Organisation, Organisation.id == PaymentInstruction.supplier_org_id)
                    .where(PaymentInstruction.run_id == run.id),
                    contains(query, "supplier", Organisation.code, Organisation.name),
                    PaymentInstruction.status == status if status in INSTRUCTION_STATUSES else None)
    return fetch(session, stmt, query, INSTRUCTION_SORTS, (PaymentInstruction.reference, PaymentInstruction.id))


def statement_page(session: Session, run: SettlementRun, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the run's deduction statements with their hospitals, by hospital code:
    ``hospital`` matches code or name."""
    stmt = narrowed(select(DeductionStatement, Organisation)
                    .join(Organisation, Organisation.id == DeductionStatement.hospital_org_id)
                    .where(DeductionStatement.run_id == run.id),
                    contains(query, "hospital", Organisation.code, Organisation.name))
    return fetch(session, stmt, query, STATEMENT_SORTS, (Organisation.code, DeductionStatement.id))


def my_statement_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the deduction statements in the actor's scope (a hospital: its own; bureau
    roles: their region), newest first, as (statement, run, hospital): ``hospital`` matches code
    or name, ``month`` the run's month (``2026-11``)."""
    stmt = (scope(select(DeductionStatement, SettlementRun, Organisation), actor, DeductionStatement)
            .join(SettlementRun, SettlementRun.id == DeductionStatement.run_id)
            .join(Organisation, Organisation.id == DeductionStatement.hospital_org_id))
    stmt = narrowed(stmt, contains(query, "hospital", Organisation.code, Organisation.name),
                    contains(query, "month", SettlementRun.month))
    return fetch(session, stmt, query, MY_STATEMENT_SORTS, (DeductionStatement.id.desc(),))
