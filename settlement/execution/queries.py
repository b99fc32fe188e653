"""Read models of execution, each scoped to the actor (no writes): signed contracts, deliveries
and their acceptance lines, the lines to reconcile, clawback refunds and the prepayment ledger —
as rows for the pages and as JSON-ready dicts for the API, which serves the same rows.

Every query is restricted by :func:`accounts.scoping.scope` with the settlement scope rules:
a supplier sees its own deliveries, a hospital the deliveries addressed to it. In the dicts
money leaves as decimal strings: amounts in fen as ``"123.45"``, unit prices in 1/10000 yuan as
``"0.1234"``; dates and times in ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.money import fen_to_decimal, line_amount_fen, price_e4_to_decimal
from procurement.models import Batch, BatchItem, Item
from review.models import Contract
from settlement.models import (
    Acceptance,
    ClawbackRefund,
    Delivery,
    DeliveryReturn,
    PrepaymentEntry,
)
from settlement.runs.claims import clawed_back, settled, settling_run
from settlement.scoping import contract_condition


@dataclass(frozen=True)
class ContractRow:
    """A contract with its hospital, supplier and item."""

    contract: Contract
    hospital: Organisation
    supplier: Organisation
    item: Item
    batch: Batch


def contracts(session: Session, actor: Actor, batch_id: int | None = None) -> list[ContractRow]:
    """Signed contracts the actor is party to (bureau: of its region)."""
    hosp, supp = aliased(Organisation), aliased(Organisation)
    stmt = (select(Contract, hosp, supp, Item, Batch)
            .join(hosp, hosp.id == Contract.hospital_org_id).join(supp, supp.id == Contract.supplier_org_id)
            .join(BatchItem, BatchItem.id == Contract.batch_item_id).join(Item, Item.id == BatchItem.item_id)
            .join(Batch, Batch.id == Contract.batch_id)
            .where(Contract.status == "signed", contract_condition(actor)))
    if batch_id is not None:
        stmt = stmt.where(Contract.batch_id == batch_id)
    out = [ContractRow(*row) for row in session.exec(stmt.order_by(Contract.code)).all()]
    return out


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery with its contract and what was accepted of it so far."""

    delivery: Delivery
    contract: Contract
    accepted: int

    @property
    def open_quantity(self) -> int:
        """Units still to accept."""
        return self.delivery.quantity - self.accepted


def deliveries(session: Session, actor: Actor, *, open_only: bool = False, limit: int = 200) -> list[DeliveryRow]:
    """Recent deliveries in scope, with accepted quantities."""
    accepted = (select(Acceptance.delivery_id, func.sum(Acceptance.quantity).label("q"))
                .group_by(Acceptance.delivery_id).subquery())
    stmt = (scope(select(Delivery, Contract, func.coalesce(accepted.c.q, 0)), actor, Delivery)
            .join(Contract, Contract.id == Delivery.contract_id)
            .outerjoin(accepted, accepted.c.delivery_id == Delivery.id))
    if open_only:
        stmt = stmt.where(Delivery.quantity > func.coalesce(accepted.c.q, 0))
    rows = session.exec(stmt.order_by(Delivery.id.desc()).limit(limit)).all()
    return [DeliveryRow(d, c, int(q)) for d, c, q in rows]


@dataclass(frozen=True)
class SettledLine:
    """How a settled line was settled: the run, and the gross it settled (fen; returns after
    settlement have been clawed back from it since)."""

    run_id: int
    gross_fen: int


def acceptances(session: Session, actor: Actor, *, applied_unsettled: bool = False,
                limit: int = 500) -> list[tuple[Acceptance, Contract, SettledLine | None]]:
    """Acceptance lines in scope with their contract and, when settled, how."""
    stmt = (scope(select(Acceptance, Contract, settling_run(), clawed_back()), actor, Acceptance)
            .join(Contract, Contract.id == Acceptance.contract_id))
    if applied_unsettled:
        stmt = stmt.where(Acceptance.applied_month.is_not(None), ~settled())
    rows = session.exec(stmt.order_by(Acceptance.id.desc()).limit(limit)).all()
    return [(a, c, SettledLine(run, line_amount_fen(a.quantity - a.returned, c.ucp_e4) + int(claw))
             if run is not None else None) for a, c, run, claw in rows]


@dataclass(frozen=True)
class ReconcileRow:
    """An applied, unsettled line for the hospital to decide, with its payable amount (fen)."""

    acceptance: Acceptance
    contract: Contract
    amount_fen: int


def to_reconcile(session: Session, actor: Actor) -> list[ReconcileRow]:
    """The actor's applied, unsettled lines (pending or disputed), oldest first, with amounts."""
    rows = acceptances(session, actor, applied_unsettled=True)
    return [ReconcileRow(a, c, line_amount_fen(a.quantity - a.returned, c.ucp_e4)) for a, c, _p in reversed(rows)]


def refunds(session: Session, actor: Actor, batch_id: int | None = None
            ) -> list[tuple[ClawbackRefund, Batch, Organisation, Organisation]]:
    """Clawback refunds in scope (hospital: owed to it; supplier: asked of it; bureau: its
    region), with batch, hospital and supplier; newest first."""
    hospital, supplier = aliased(Organisation), aliased(Organisation)
    stmt = (scope(select(ClawbackRefund, Batch, hospital, supplier), actor, ClawbackRefund)
            .join(Batch, Batch.id == ClawbackRefund.batch_id)
            .join(hospital, hospital.id == ClawbackRefund.hospital_org_id)
            .join(supplier, supplier.id == ClawbackRefund.supplier_org_id))
    if batch_id is not None:
        stmt = stmt.where(ClawbackRefund.batch_id == batch_id)
    return list(session.exec(stmt.order_by(ClawbackRefund.id.desc())).all())


def refund(session: Session, actor: Actor, refund_id: int) -> tuple[ClawbackRefund, Batch] | None:
    """One refund in scope with its batch, or None."""
    return session.exec(scope(select(ClawbackRefund, Batch), actor, ClawbackRefund)
                        .join(Batch, Batch.id == ClawbackRefund.batch_id)
                        .where(ClawbackRefund.id == refund_id)).first()


def ledger(session: Session, actor: Actor) -> list[tuple[PrepaymentEntry, Batch, Organisation]]:
    """Prepayment ledger entries in scope, oldest first (advances, then offsets per run)."""
    stmt = (scope(select(PrepaymentEntry, Batch, Organisation), actor, PrepaymentEntry)
            .join(Batch, Batch.id == PrepaymentEntry.batch_id)
            .join(Organisation, Organisation.id == PrepaymentEntry.hospital_org_id))
    return list(session.exec(stmt.order_by(PrepaymentEntry.id)).all())


def yuan(fen: int) -> str:
    """An amount in fen as a decimal string with two places."""
    return str(fen_to_decimal(fen))


def price(price_e4: int) -> str:
    """A unit price in 1/10000 yuan as a decimal string with four places."""
    return str(price_e4_to_decimal(price_e4))


def acceptance_json(acc: Acceptance, settled: bool = False) -> dict:
    """One acceptance (payable) line."""
    return {"id": acc.id, "delivery": acc.delivery_id, "quantity": acc.quantity, "returned": acc.returned,
            "accepted_on": acc.accepted_on.isoformat(), "applied_month": acc.applied_month,
            "reconcile_status": acc.reconcile_status, "settled": settled}


def return_json(ret: DeliveryReturn) -> dict:
    """One return of accepted goods."""
    return {"id": ret.id, "acceptance": ret.acceptance_id, "quantity": ret.quantity,
            "returned_on": ret.returned_on.isoformat(), "reason": ret.reason, "clawback": yuan(ret.clawback_fen)}


def _acceptances_of(session: Session, actor: Actor, delivery_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The acceptances of the given deliveries in scope, by delivery, oldest first."""
    ids = list(delivery_ids)
    if not ids:
        return {}
    rows = session.exec(scope(select(Acceptance, settled()), actor, Acceptance)
                        .where(Acceptance.delivery_id.in_(ids)).order_by(Acceptance.id)).all()
    out: dict[int, list[dict]] = {}
    for acc, is_settled in rows:
        out.setdefault(acc.delivery_id, []).append(acceptance_json(acc, bool(is_settled)))
    return out


def delivery_rows(session: Session, actor: Actor, *, batch_id: int | None = None, open_only: bool = False,
                  limit: int = 100, before: int | None = None) -> list[dict]:
    """Deliveries in scope, newest first, with the accepted quantity and each acceptance line."""
    accepted = (select(func.coalesce(func.sum(Acceptance.quantity), 0))
                .where(Acceptance.delivery_id == Delivery.id).scalar_subquery())
    hosp, supp = aliased(Organisation), aliased(Organisation)
    stmt = (scope(select(Delivery, Contract.code, Contract.ucp_e4, Item.code, Batch.code, hosp.code, supp.code,
                         accepted), actor, Delivery)
            .join(Contract, Contract.id == Delivery.contract_id)
            .join(BatchItem, BatchItem.id == Contract.batch_item_id).join(Item, Item.id == BatchItem.item_id)
            .join(Batch, Batch.id == Delivery.batch_id)
            .join(hosp, hosp.id == Delivery.hospital_org_id).join(supp, supp.id == Delivery.supplier_org_id))
    if batch_id is not None:
        stmt = stmt.where(Delivery.batch_id == batch_id)
    if open_only:
        stmt = stmt.where(Delivery.quantity > accepted)
    if before is not None:
        stmt = stmt.where(Delivery.id < before)
    rows = session.exec(stmt.order_by(Delivery.id.desc()).limit(limit)).all()
    lines = _acceptances_of(session, actor, (d.id for d, *_rest in rows))
    return [{"id": d.id, "batch": batch, "contract": contract, "item": item, "hospital": hospital,
             "supplier": supplier, "unit_price": price(ucp_e4), "quantity": d.quantity, "accepted": int(acc),
             "open_quantity": d.quantity - int(acc), "shipped_on": d.shipped_on.isoformat(),
             "supplier_ref": d.supplier_ref, "source": d.source, "recorded_at": d.recorded_at.isoformat(),
             "acceptances": lines.get(d.id, [])}
            for d, contract, ucp_e4, item, batch, hospital, supplier, acc in rows]


def refund_rows(session: Session, actor: Actor) -> list[dict]:
    """Refunds of clawbacks in scope (:func:`refunds`): a supplier's asked of
    it, a hospital's owed to it; newest first."""
    return [{"reference": r.reference, "batch": batch.code, "hospital": hospital.code, "supplier": supplier.code,
             "amount": yuan(r.amount_fen), "returns": r.return_count, "differences": r.difference_count, "status": r.status,
             "requested_at": r.requested_at.isoformat(),
             "received_on": r.received_on.isoformat() if r.received_on else None, "bank_ref": r.bank_ref or None}
            for r, batch, hospital, supplier in refunds(session, actor)]
