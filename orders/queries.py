"""Who sees which order, line, shipment and acceptance, and the read models of one order and of
a lot's trace (no writes).

A hospital sees its own orders, drafts included; the distributor the orders sent to it; a
supplier the sent lines of its own products (and the orders holding them); bureau roles every
sent order of a hospital in their region. Drafts are the hospital's alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, false, func, true
from sqlmodel import Session, select

import listing.distribution  # noqa: F401  (registers the relations' scope rule)
import listing.queries  # noqa: F401  (registers the products' scope rule)
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import register_scope, scope, within_region
from core.money import line_amount_fen
from listing.models import DistributionRelation, ListedPrice, ListedProduct
from listing.queries import province_of
from orders.models import OrderAcceptance, OrderLine, PurchaseOrder, Shipment, ShipmentLine
from paystd.queries import pack_standards
from paystd.rules import Payment

UNSENT = ("draft", "withdrawn")


def _parties(model, sent):
    """The scope rule of a table carrying the parties and the region; ``sent``: the rows a
    party other than the hospital may see (None: all of them)."""

    def rule(actor: Actor):
        extra = sent if sent is not None else true()
        if actor.is_bureau:
            return and_(within_region(model.region_code, actor.region_code), extra)
        if actor.role == Role.HOSPITAL_BUYER:
            return model.hospital_org_id == actor.org_id
        if actor.role == Role.DISTRIBUTOR_REP:
            return and_(model.distributor_org_id == actor.org_id, extra)
        if actor.role == Role.SUPPLIER_REP:
            if hasattr(model, "supplier_org_id"):
                return and_(model.supplier_org_id == actor.org_id, extra)
            order_id = model.id if model is PurchaseOrder else model.order_id
            return and_(order_id.in_(select(OrderLine.order_id).where(OrderLine.supplier_org_id == actor.org_id)),
                        extra)
        return false()

    return rule


register_scope(PurchaseOrder, _parties(PurchaseOrder, PurchaseOrder.status.not_in(UNSENT)))
register_scope(OrderLine, _parties(OrderLine, OrderLine.status.not_in(UNSENT)))
register_scope(Shipment, _parties(Shipment, None))
register_scope(ShipmentLine, _parties(ShipmentLine, None))
register_scope(OrderAcceptance, _parties(OrderAcceptance, None))


@dataclass(frozen=True)
class LinePayment:
    """What the fund and the patient pay for an order line (医保支付标准, issue #20).

    The rule: the fund pays for packs the hospital accepted, at the payment standard in force on
    the day it accepted them (the day they become payable and are settled — not the order date:
    a line ordered before a transition year ends and accepted after it is paid by the new year's
    cap). Packs accepted on different days are each split by their day's standard (fund share per
    acceptance row rounded half up to the fen, the patient paying the rest of its amount, so the
    two add up to the accepted amount); ``pay`` is the per-pack payment of the latest of those
    days. A line with no pack accepted yet shows a provisional split of its ordered packs at the
    standard in force on the order date (``provisional``)."""

    pay: Payment
    fund_fen: int
    patient_fen: int
    packs: int  # the packs the split covers
    on: date  # the day of the standard applied (the latest acceptance, or the order date)
    provisional: bool  # nothing accepted yet


def line_payments(session: Session, order: PurchaseOrder, lines: list[OrderLine]) -> dict[int, LinePayment]:
    """Per line id, its payment split — lines of a product whose generic has no payment standard
    in force on the day are left out. The standards are the public ones of the hospital's province
    (the caller checked the order)."""
    return lines_payments(session, [(order, line) for line in lines])


def lines_payments(session: Session, lines: list[tuple[PurchaseOrder, OrderLine]]) -> dict[int, LinePayment]:
    """:func:`line_payments` of lines of many orders (the Excel export): the standards looked up
    once per province, day and product."""
    if not lines:
        return {}
    accepted: dict[int, list[OrderAcceptance]] = {}
    ids = [line.id for _o, line in lines]
    for k in range(0, len(ids), 500):
        for row in session.exec(select(OrderAcceptance).where(OrderAcceptance.order_line_id.in_(ids[k:k + 500]),
                                                              OrderAcceptance.kind == "accepted",
                                                              OrderAcceptance.quantity > 0)
                                .order_by(OrderAcceptance.accepted_on, OrderAcceptance.id)).all():
            accepted.setdefault(row.order_line_id, []).append(row)
    wanted: dict[tuple[str, date], set[int]] = {}
    for order, line in lines:
        province = province_of(order.region_code)
        for day in {a.accepted_on for a in accepted.get(line.id, [])} or {order.order_date}:
            wanted.setdefault((province, day), set()).add(line.product_id)
    standards = {(province, day, std.product.id): std for (province, day), products in wanted.items()
                 for std in pack_standards(session, None, day, province, products)}
    out = {}
    for order, line in lines:
        province = province_of(order.region_code)
        rows = accepted.get(line.id)
        if not rows:
            std = standards.get((province, order.order_date, line.product_id))
            if std is not None:
                pay = std.pay(line.price_e4)
                fund = line_amount_fen(line.quantity, pay.fund_e4)
                out[line.id] = LinePayment(pay, fund, line.amount_fen - fund, line.quantity, order.order_date, True)
            continue
        fund = patient = packs = 0
        last = None
        for row in rows:
            std = standards.get((province, row.accepted_on, line.product_id))
            if std is None:  # no standard on that day: the fund pays nothing by a standard for these packs
                continue
            last = (std.pay(row.price_e4), row.accepted_on)
            share = line_amount_fen(row.quantity, last[0].fund_e4)
            fund, patient, packs = fund + share, patient + row.amount_fen - share, packs + row.quantity
        if last is not None:
            out[line.id] = LinePayment(last[0], fund, patient, packs, last[1], False)
    return out


@dataclass(frozen=True)
class OrderView:
    """One order as its page shows it: the order, the parties' names, its lines (with their
    products) the actor may see, its shipments and their lines, and the acceptances."""

    order: PurchaseOrder
    hospital: Organisation
    distributor: Organisation
    lines: list[tuple[OrderLine, ListedProduct, str]]  # line, product, supplier name
    shipments: list[tuple[Shipment, list[tuple[ShipmentLine, ListedProduct]]]]
    acceptances: list[OrderAcceptance]
    payments: dict[int, LinePayment] = field(default_factory=dict)  # per line id, where a standard applies

    @property
    def amount_fen(self) -> int:
        """The ordered amount of the lines shown (refused and withdrawn lines excluded)."""
        return sum(ln.amount_fen for ln, _p, _s in self.lines if ln.status not in ("refused", "withdrawn"))

    @property
    def accepted_fen(self) -> int:
        """What the hospital accepted of the lines shown, in fen."""
        return sum(a.amount_fen for a in self.acceptances if a.kind == "accepted")


def order_of(session: Session, actor: Actor, order_id: int) -> PurchaseOrder | None:
    """The order if the actor may see it."""
    return session.exec(scope(select(PurchaseOrder), actor, PurchaseOrder).where(PurchaseOrder.id == order_id)).first()


def order_view(session: Session, actor: Actor, order_id: int) -> OrderView | None:
    """The order's page, or None when the actor may not see it."""
    order = order_of(session, actor, order_id)
    if order is None:
        return None
    lines = session.exec(scope(select(OrderLine, ListedProduct, Organisation.name)
                               .join(ListedProduct, ListedProduct.id == OrderLine.product_id)
                               .join(Organisation, Organisation.id == OrderLine.supplier_org_id), actor, OrderLine)
                         .where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    shipments = []
    for shipment in session.exec(scope(select(Shipment), actor, Shipment).where(Shipment.order_id == order.id)
                                 .order_by(Shipment.number)).all():
        shipped = session.exec(scope(select(ShipmentLine, ListedProduct).join(
            ListedProduct, ListedProduct.id == ShipmentLine.product_id), actor, ShipmentLine)
            .where(ShipmentLine.shipment_id == shipment.id).order_by(ShipmentLine.id)).all()
        if shipped:
            shipments.append((shipment, list(shipped)))
    line_ids = [ln.id for ln, _p, _s in lines]
    acceptances = session.exec(scope(select(OrderAcceptance), actor, OrderAcceptance).where(
        OrderAcceptance.order_line_id.in_(line_ids)).order_by(OrderAcceptance.id)).all() if line_ids else []
    return OrderView(order, session.get(Organisation, order.hospital_org_id),
                     session.get(Organisation, order.distributor_org_id), list(lines), shipments, list(acceptances),
                     line_payments(session, order, [ln for ln, _p, _s in lines]))


def trace_rows(session: Session, actor: Actor, product_code: str, lot_no: str) -> list[tuple]:
    """追溯: which hospitals received lot ``lot_no`` of product ``product_code`` — rows of
    (shipment line, shipment, order number, hospital name, distributor name), as far as the actor
    may see, newest first."""
    hospital, distributor = Organisation.__table__.alias("h"), Organisation.__table__.alias("d")
    stmt = (select(ShipmentLine, Shipment, PurchaseOrder.number, hospital.c.name, distributor.c.name)
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .join(PurchaseOrder, PurchaseOrder.id == Shipment.order_id)
            .join(ListedProduct, ListedProduct.id == ShipmentLine.product_id)
            .join(hospital, hospital.c.id == ShipmentLine.hospital_org_id)
            .join(distributor, distributor.c.id == ShipmentLine.distributor_org_id)
            .where(ListedProduct.code == product_code.strip().upper(), ShipmentLine.lot_no == lot_no.strip()))
    return list(session.exec(scope(stmt, actor, ShipmentLine).order_by(Shipment.shipped_at.desc(),
                                                                        ShipmentLine.id.desc())).all())


def orderable(session: Session, actor: Actor) -> tuple[list[ListedProduct], list[Organisation]]:
    """For the hospital's order form: the listed products it may order and the distributors with
    a confirmed relation covering its region (the service checks each pair again)."""
    products = session.exec(scope(select(ListedProduct), actor, ListedProduct)
                            .order_by(ListedProduct.generic_name, ListedProduct.code)).all()
    distributors = session.exec(select(Organisation).where(Organisation.id.in_(
        scope(select(DistributionRelation.distributor_org_id), actor, DistributionRelation)))
        .order_by(Organisation.name)).all()
    return list(products), list(distributors)



def prices_on(session: Session, product_ids: list[int], day: date) -> dict[int, tuple[int, int]]:
    """Per product, (price row id, price per pack in 1/10000 yuan) of the approved price in force
    on ``day`` — one query for any number of products."""
    if not product_ids:
        return {}
    ranked = (select(ListedPrice.id, ListedPrice.product_id, ListedPrice.price_e4, func.row_number().over(
        partition_by=ListedPrice.product_id, order_by=(ListedPrice.effective_on.desc(), ListedPrice.id.desc()))
        .label("n")).where(ListedPrice.product_id.in_(product_ids), ListedPrice.status == "approved",
                           ListedPrice.effective_on <= day).subquery())
    return {pid: (price_id, e4) for price_id, pid, e4, _n in session.execute(select(ranked).where(ranked.c.n == 1)).all()}
