"""Who sees which settlement rows (registered with :func:`accounts.scoping.register_scope`).

* Hospital buyers: their own deliveries, acceptances, statements, ledger and refunds owed to them.
* Supplier reps: their own deliveries, acceptances, payment instructions (and their re-issue
  requests) and refunds asked of them.
* Payees of fund payments outside the monthly run (hospitals, suppliers): those payments, their
  instructions and re-issue requests.
* Bureau roles (settlement officer, price officer, admin): every row of their region.
Runs, their claims, bank files and bank returns are for bureau roles only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlmodel import select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import register_scope, within_region
from procurement.models import Batch
from review.models import Contract
from settlement.models import (
    Acceptance,
    BankFileRecord,
    BankReturnImport,
    ClawbackRefund,
    DeductionStatement,
    Delivery,
    FundPayment,
    PaymentInstruction,
    PrepaymentEntry,
    ReissueRequest,
    SettlementClaim,
    SettlementRun,
    SettlementShare,
)


def _region_orgs(actor: Actor):
    """Ids of the organisations inside the actor's region."""
    return select(Organisation.id).where(within_region(Organisation.region_code, actor.region_code))


def _region_batches(actor: Actor):
    """Ids of the batches run inside the actor's region."""
    return select(Batch.id).where(within_region(Batch.region_code, actor.region_code))


def party_rule(model, *, supplier: bool = True):
    """Rows with hospital (and supplier) columns: own organisation, or the bureau's region."""

    def rule(actor: Actor) -> ColumnElement[bool]:
        if actor.is_bureau:
            return model.hospital_org_id.in_(_region_orgs(actor))
        if actor.role == Role.HOSPITAL_BUYER:
            return model.hospital_org_id == actor.org_id
        if actor.role == Role.SUPPLIER_REP and supplier:
            return model.supplier_org_id == actor.org_id
        return false()

    return rule


def bureau_rule(batch_column):
    """Rows only bureau roles see, restricted to batches of their region."""

    def rule(actor: Actor) -> ColumnElement[bool]:
        if actor.is_bureau:
            return batch_column.in_(_region_batches(actor))
        return false()

    return rule


PAYEES = (Role.SUPPLIER_REP, Role.HOSPITAL_BUYER)


def _instruction_rule(actor: Actor) -> ColumnElement[bool]:
    """Instructions: the organisation paid (a supplier, or a hospital paid by a fund payment)
    sees its own; bureau roles their region's."""
    if actor.role in PAYEES:
        return PaymentInstruction.supplier_org_id == actor.org_id
    return bureau_rule(PaymentInstruction.batch_id)(actor)


def _reissue_rule(actor: Actor) -> ColumnElement[bool]:
    """Re-issue requests: the organisation paid sees its own; bureau roles their region's."""
    if actor.role in PAYEES:
        return ReissueRequest.supplier_org_id == actor.org_id
    return bureau_rule(ReissueRequest.batch_id)(actor)


def _fund_payment_rule(actor: Actor) -> ColumnElement[bool]:
    """Fund payments: the payee sees its own; bureau roles their region's."""
    if actor.role in PAYEES:
        return FundPayment.payee_org_id == actor.org_id
    return bureau_rule(FundPayment.batch_id)(actor)


def contract_condition(actor: Actor) -> ColumnElement[bool]:
    """Contracts the actor may act on: the hospital's or supplier's own, the bureau's region."""
    return party_rule(Contract)(actor)


def _run_batches(actor: Actor):
    """Run ids of the actor's region."""
    return select(SettlementRun.id).where(SettlementRun.batch_id.in_(_region_batches(actor)))


def _by_run(model):
    """Rows attached to a run: bureau roles of the run's region."""

    def rule(actor: Actor) -> ColumnElement[bool]:
        return model.run_id.in_(_run_batches(actor)) if actor.is_bureau else false()

    return rule


register_scope(Delivery, party_rule(Delivery))
register_scope(Acceptance, party_rule(Acceptance))
register_scope(SettlementClaim, bureau_rule(SettlementClaim.batch_id))
register_scope(ClawbackRefund, party_rule(ClawbackRefund))
register_scope(SettlementShare, party_rule(SettlementShare))
register_scope(DeductionStatement, party_rule(DeductionStatement, supplier=False))
register_scope(PrepaymentEntry, party_rule(PrepaymentEntry, supplier=False))
register_scope(PaymentInstruction, _instruction_rule)
register_scope(ReissueRequest, _reissue_rule)
register_scope(FundPayment, _fund_payment_rule)
register_scope(SettlementRun, bureau_rule(SettlementRun.batch_id))
register_scope(BankFileRecord, _by_run(BankFileRecord))
register_scope(BankReturnImport, _by_run(BankReturnImport))
