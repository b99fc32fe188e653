"""Paged read models of the settlement package: a run's payment instructions and deduction
statements, filtered and sorted in SQL through :mod:`core.paging`. The run itself is found
within the actor's scope by the caller (``settlement.runs.views._run``)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.money import line_amount_fen
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed
from review.models import Contract
from settlement.models import (
    Acceptance,
    DeductionStatement,
    Delivery,
    PaymentInstruction,
    SettlementRun,
)
from settlement.queries import DeliveryRow, SettledLine
from settlement.runs.claims import clawed_back, settling_run

INSTRUCTION_FILTERS = ("supplier", "status")
INSTRUCTION_STATUSES = ("issued", "paid", "failed", "reissued")
INSTRUCTION_SORTS = {"reference": PaymentInstruction.reference, "supplier": Organisation.name,
                     "amount": PaymentInstruction.amount_fen, "lines": PaymentInstruction.line_count,
                     "status": PaymentInstruction.status}
DELIVERY_FILTERS = ("contract",)
DELIVERY_SORTS = {"id": Delivery.id, "contract": Contract.code, "quantity": Delivery.quantity,
                  "shipped": Delivery.shipped_on}
LINE_FILTERS = ("contract", "month", "reconcile")
LINE_STATUSES = ("pending", "confirmed", "disputed")
LINE_SORTS = {"id": Acceptance.id, "contract": Contract.code, "accepted_on": Acceptance.accepted_on,
              "month": Acceptance.applied_month, "reconcile": Acceptance.reconcile_status}
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


def delivery_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE, *, open_only: bool = False) -> Page:
    """One page of the deliveries in the actor's scope, newest first, as
    :class:`settlement.queries.DeliveryRow` (with the quantity accepted so far); ``open_only``
    keeps those with units still to accept; ``contract`` matches the contract code."""
    accepted = (select(Acceptance.delivery_id, func.sum(Acceptance.quantity).label("q"))
                .group_by(Acceptance.delivery_id).subquery())
    stmt = (scope(select(Delivery, Contract, func.coalesce(accepted.c.q, 0)), actor, Delivery)
            .join(Contract, Contract.id == Delivery.contract_id)
            .outerjoin(accepted, accepted.c.delivery_id == Delivery.id))
    stmt = narrowed(stmt, contains(query, "contract", Contract.code),
                    Delivery.quantity > func.coalesce(accepted.c.q, 0) if open_only else None)
    page = fetch(session, stmt, query, DELIVERY_SORTS, (Delivery.id.desc(),))
    return Page([DeliveryRow(d, c, int(q)) for d, c, q in page.rows], page.total, page.query)


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


def line_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the acceptance lines in the actor's scope, newest first, as (acceptance,
    contract, :class:`settlement.queries.SettledLine` or ``None``): ``contract`` matches the
    contract code, ``month`` the month applied for, ``reconcile`` is a reconciliation status."""
    status = query.get("reconcile")
    stmt = (scope(select(Acceptance, Contract, settling_run(), clawed_back()), actor, Acceptance)
            .join(Contract, Contract.id == Acceptance.contract_id))
    stmt = narrowed(stmt, contains(query, "contract", Contract.code), contains(query, "month", Acceptance.applied_month),
                    Acceptance.reconcile_status == status if status in LINE_STATUSES else None)
    page = fetch(session, stmt, query, LINE_SORTS, (Acceptance.id.desc(),))
    rows = [(a, c, SettledLine(run, line_amount_fen(a.quantity - a.returned, c.ucp_e4) + int(claw))
             if run is not None else None) for a, c, run, claw in page.rows]
    return Page(rows, page.total, page.query)
