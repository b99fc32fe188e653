"""Read models of the settlement endpoints, as JSON-ready dicts (no writes, no Flask).

Every query is restricted by :func:`accounts.scoping.scope` with the settlement scope rules:
a supplier sees its own deliveries and payment instructions, a hospital the deliveries
addressed to it and its own statements. Money leaves as decimal strings: amounts in fen as
``"123.45"``, unit prices in 1/10000 yuan as ``"0.1234"``; dates and times in ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope
from core.money import fen_to_decimal, price_e4_to_decimal
from procurement.models import Batch, BatchItem, Item
from review.models import Contract
from settlement import queries as settlement_queries
from settlement.models import (
    Acceptance,
    Delivery,
    DeliveryReturn,
    PaymentInstruction,
    SettlementRun,
)
from settlement.runs.claims import settled


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


def statement_rows(session: Session, actor: Actor) -> list[dict]:
    """Deduction statements in scope (:func:`settlement.queries.statements`), newest first."""
    rows = settlement_queries.statements(session, actor)
    # codes of the batches these in-scope statements belong to
    codes = {pk: code for pk, code in session.exec(select(Batch.id, Batch.code).where(
        Batch.id.in_({st.batch_id for st, _r, _h in rows}))).all()} if rows else {}
    return [{"run": run.run_ref, "batch": codes[st.batch_id], "month": run.month, "hospital": hospital.code,
             "gross": yuan(st.gross_fen), "offset": yuan(st.offset_fen), "net_deducted": yuan(st.net_deducted_fen),
             "advance_before": yuan(st.advance_before_fen), "advance_after": yuan(st.advance_after_fen),
             "clawback": yuan(st.clawback_fen), "lines": st.line_count, "released": run.released_at is not None}
            for st, run, hospital in rows]


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
             "failure_reason": i.failure_reason, "reissue_of": reissue_of, "released": run.released_at is not None}
            for i, run, batch, reissue_of in rows]


def refund_rows(session: Session, actor: Actor) -> list[dict]:
    """Refunds of clawbacks in scope (:func:`settlement.queries.refunds`): a supplier's asked of
    it, a hospital's owed to it; newest first."""
    return [{"reference": r.reference, "batch": batch.code, "hospital": hospital.code, "supplier": supplier.code,
             "amount": yuan(r.amount_fen), "returns": r.return_count, "status": r.status,
             "requested_at": r.requested_at.isoformat(),
             "received_on": r.received_on.isoformat() if r.received_on else None, "bank_ref": r.bank_ref or None}
            for r, batch, hospital, supplier in settlement_queries.refunds(session, actor)]
