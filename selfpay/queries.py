"""Who sees which self-payment, and the monitoring read models (no writes): the self-settled
accepted rows with their deadline and payment, a hospital's unpaid and overdue rows, and the
bureau's figures per hospital — overdue rows and the on-time payment rate.

A hospital sees its own payments; the payee supplier the payments to it; bureau roles those of
the hospitals in their region. The rows themselves are ``order_acceptance`` rows, scoped by its
rule (``orders.queries``).

A row is **due** once its deadline (acceptance + the setting's days) has passed; it is **on time**
when its payment date is not after the deadline, **overdue** while unpaid past it. The on-time
rate of a hospital is on-time ÷ due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import false, func
from sqlmodel import Session, select

import orders.queries  # noqa: F401  (registers the acceptances' scope rule)
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import register_scope, scope, within_region
from directpay.queries import self_settled
from listing.models import ListedProduct
from orders.models import OrderAcceptance, OrderLine, PurchaseOrder
from selfpay.models import SelfPayment, SelfPaymentLine
from selfpay.rules import DEFAULT_DEADLINE_DAYS, days_overdue, due_on, on_time_rate


def _rule(model, payee: bool):
    def rule(actor: Actor):
        if actor.is_bureau:
            return within_region(model.region_code, actor.region_code)
        if actor.role == Role.HOSPITAL_BUYER:
            return model.hospital_org_id == actor.org_id
        if payee and actor.role == Role.SUPPLIER_REP:
            return model.supplier_org_id == actor.org_id
        return false()

    return rule


register_scope(SelfPayment, _rule(SelfPayment, True))
register_scope(SelfPaymentLine, _rule(SelfPaymentLine, False))


@dataclass(frozen=True)
class LedgerRow:
    """One self-settled accepted row with its deadline and, when paid, its payment."""

    acceptance_id: int
    hospital_org_id: int
    hospital: str
    supplier: str
    order_id: int
    order_number: int
    product: str
    lot_no: str
    quantity: int
    amount_fen: int
    accepted_on: date
    due_on: date
    paid_on: date | None
    payment_id: int | None
    bank_ref: str | None
    days_overdue: int  # unpaid and past the deadline on the day asked (0 otherwise)

    @property
    def overdue(self) -> bool:
        """Unpaid past its deadline."""
        return self.days_overdue > 0


def ledger(session: Session, actor: Actor, today: date, days: int = DEFAULT_DEADLINE_DAYS, *,
           unpaid_only: bool = False, hospital_id: int | None = None) -> list[LedgerRow]:
    """The self-settled accepted rows the actor sees, oldest acceptance first."""
    hospital, supplier = Organisation.__table__.alias("h"), Organisation.__table__.alias("s")
    stmt = (select(OrderAcceptance, hospital.c.name, supplier.c.name, PurchaseOrder.id, PurchaseOrder.number,
                   ListedProduct.generic_name, ListedProduct.spec, SelfPayment.paid_on, SelfPayment.id,
                   SelfPayment.bank_ref)
            .join(OrderLine, OrderLine.id == OrderAcceptance.order_line_id)
            .join(PurchaseOrder, PurchaseOrder.id == OrderLine.order_id)
            .join(ListedProduct, ListedProduct.id == OrderAcceptance.product_id)
            .join(hospital, hospital.c.id == OrderAcceptance.hospital_org_id)
            .join(supplier, supplier.c.id == OrderAcceptance.supplier_org_id)
            .outerjoin(SelfPaymentLine, SelfPaymentLine.acceptance_id == OrderAcceptance.id)
            .outerjoin(SelfPayment, SelfPayment.id == SelfPaymentLine.payment_id)
            .where(self_settled()))
    if unpaid_only:
        stmt = stmt.where(SelfPaymentLine.id.is_(None))
    if hospital_id is not None:
        stmt = stmt.where(OrderAcceptance.hospital_org_id == hospital_id)
    rows = session.exec(scope(stmt, actor, OrderAcceptance).order_by(OrderAcceptance.accepted_on,
                                                                     OrderAcceptance.id)).all()
    return [LedgerRow(a.id, a.hospital_org_id, h, s, oid, number, f"{name} {spec}", a.lot_no, a.quantity,
                      a.amount_fen, a.accepted_on, due_on(a.accepted_on, days), paid, pid, ref,
                      0 if pid is not None else days_overdue(a.accepted_on, today, days))
            for a, h, s, oid, number, name, spec, paid, pid, ref in rows]


@dataclass
class HospitalFigures:
    """One hospital's self-settled figures on a day."""

    hospital_org_id: int
    hospital: str
    unpaid: int = 0
    unpaid_fen: int = 0
    overdue: int = 0
    overdue_fen: int = 0
    oldest_days: int = 0
    due: int = 0  # rows whose deadline has passed
    on_time: int = 0  # of those, paid by the deadline
    rows: list[LedgerRow] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> tuple[int, int] | None:
        """On-time ÷ due, or None when nothing is due yet."""
        return on_time_rate(self.on_time, self.due)

    @property
    def ratio(self) -> Decimal | None:
        """On-time ÷ due as an exact ratio (four places, half up), or None when nothing is due."""
        if not self.due:
            return None
        return (Decimal(self.on_time) / Decimal(self.due)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def figures(rows: list[LedgerRow], today: date) -> list[HospitalFigures]:
    """Per hospital (by name): unpaid and overdue rows and amounts, the oldest overdue, on-time of due."""
    out: dict[int, HospitalFigures] = {}
    for r in rows:
        f = out.setdefault(r.hospital_org_id, HospitalFigures(r.hospital_org_id, r.hospital))
        if r.payment_id is None:
            f.unpaid, f.unpaid_fen = f.unpaid + 1, f.unpaid_fen + r.amount_fen
        if r.overdue:
            f.overdue, f.overdue_fen = f.overdue + 1, f.overdue_fen + r.amount_fen
            f.oldest_days = max(f.oldest_days, r.days_overdue)
            f.rows.append(r)
        if r.due_on < today:
            f.due += 1
            f.on_time += int(r.paid_on is not None and r.paid_on <= r.due_on)
    return sorted(out.values(), key=lambda f: (f.hospital, f.hospital_org_id))


def payments(session: Session, actor: Actor, limit: int = 200) -> list[tuple[SelfPayment, str, str, int]]:
    """The payments the actor sees, newest first: (payment, hospital, supplier, lines)."""
    hospital, supplier = Organisation.__table__.alias("h"), Organisation.__table__.alias("s")
    lines = (select(func.count(SelfPaymentLine.id)).where(SelfPaymentLine.payment_id == SelfPayment.id)
             .correlate(SelfPayment).scalar_subquery())
    stmt = (select(SelfPayment, hospital.c.name, supplier.c.name, lines)
            .join(hospital, hospital.c.id == SelfPayment.hospital_org_id)
            .join(supplier, supplier.c.id == SelfPayment.supplier_org_id))
    return list(session.exec(scope(stmt, actor, SelfPayment).order_by(SelfPayment.id.desc()).limit(limit)).all())
