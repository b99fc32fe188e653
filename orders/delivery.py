"""The distributor's and the hospital's steps after an order is sent: the distributor confirms or
refuses each line (a refusal with its reason), ships confirmed lines — fully or partly, in one or
more shipments, each shipment line with its lot (批号) and expiry (有效期, after the ship date) —
and the hospital accepts packs of a shipment line (never more than shipped less what it already
accepted or rejected) or rejects them with the reason. An accepted row carries price × packs in
fen, rounded half up once per row: that row is what a monthly run pays.

Each step is one transaction: the rows it changes are locked first, so concurrent steps on the
same line serialise and cannot over-ship or over-accept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from core import audit
from core.db import advisory_xact_lock
from core.i18n import N_
from core.inputs import day, text_problem
from core.money import line_amount_fen
from listing.models import ListedProduct
from listing.services import local_date
from notices.services import notify  # the platform's one notice inbox
from orders import rollup
from orders.models import OrderAcceptance, OrderLine, PurchaseOrder, Shipment, ShipmentLine
from orders.rules import MAX_LOT, LineStatus, OrderRefused, next_line_status
from orders.services import _quantity


@dataclass(frozen=True)
class ShipInput:
    """Packs of one order line in a shipment, with the lot and its expiry date."""

    line_id: int
    quantity: str | int
    lot_no: str
    expiry_on: date | str | None


def _at(k: int, field: str, line: OrderLine | None, msg) -> tuple[None, str, object]:
    """A problem of item ``k`` of the request, its message naming the order line when known."""
    return (None, f"lines[{k}].{field}", N_("line %(n)s: %(reason)s", n=line.line_no, reason=msg) if line else msg)


def _distributor_order(session: Session, actor: Actor, order_id: int) -> PurchaseOrder:
    if actor.role != Role.DISTRIBUTOR_REP:
        raise Forbidden("distributor only")
    advisory_xact_lock(session, f"order:{order_id}")
    order = session.get(PurchaseOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None or order.distributor_org_id != actor.org_id or order.status != "sent":
        raise OrderRefused.one(N_("no such order"))
    return order


def decide_lines(session: Session, actor: Actor, order_id: int, decisions: Sequence[tuple[int, bool, str]],
                 now: datetime) -> int:
    """The distributor confirms or refuses lines of an order sent to it: ``decisions`` are
    (line id, confirm, reason); a refusal needs its reason. All or nothing; returns how many."""
    order = _distributor_order(session, actor, order_id)
    lines = {ln.id: ln for ln in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)
                                              .with_for_update()).all()}
    problems = []
    for k, (line_id, confirm, note) in enumerate(decisions):
        line = lines.get(line_id)
        note = (note or "").strip()
        if line is None:
            problems.append(_at(k, "line", None, N_("no such order line")))
        elif next_line_status(line.status, "confirm" if confirm else "refuse") is None:
            problems.append(_at(k, "line", line, N_("already decided")))
        elif not confirm and not note:
            problems.append(_at(k, "note", line, N_("say why you refuse it")))
        elif text_problem(note, 200):
            problems.append(_at(k, "note", line, N_("at most %(n)s characters, no control characters", n=200)))
    if not decisions:
        problems.append((None, "lines", N_("choose the lines to confirm or refuse")))
    if problems:
        raise OrderRefused(problems)
    for line_id, confirm, note in decisions:
        line = lines[line_id]
        line.status = next_line_status(line.status, "confirm" if confirm else "refuse")
        line.decided_by, line.decided_at, line.decision_note = actor.user_id, now, (note or "").strip()
    audit.record(session, actor.audit(), "order.decide", "purchase_order", order.id,
                 {"confirmed": [i for i, c, _n in decisions if c], "refused": [i for i, c, _n in decisions if not c]})
    refused = sum(1 for _i, c, _n in decisions if not c)
    distributor = session.get(Organisation, actor.org_id)
    notify(session, [order.hospital_org_id], None, "orders", "",
           N_("%(name)s answered order %(number)s: %(ok)s lines confirmed, %(no)s refused", name=distributor.name,
              number=order.number, ok=len(decisions) - refused, no=refused), now)
    session.commit()
    return len(decisions)


def ship(session: Session, actor: Actor, order_id: int, items: Sequence[ShipInput], now: datetime) -> Shipment:
    """The distributor ships packs of confirmed lines of one order in one shipment, today. All or
    nothing: a line not confirmed, more packs than confirmed less shipped, a missing lot, an
    expiry not after today — each refused naming the line."""
    order = _distributor_order(session, actor, order_id)
    lines = {ln.id: ln for ln in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)
                                              .with_for_update()).all()}
    today = local_date(now)
    problems, wanted, rows = [], {}, []
    for k, item in enumerate(items):
        line = lines.get(item.line_id)
        quantity, lot, expiry = _quantity(item.quantity), (item.lot_no or "").strip(), day(item.expiry_on)
        if line is None:
            problems.append(_at(k, "line", None, N_("no such order line")))
            continue
        if line.status != LineStatus.CONFIRMED:
            problems.append(_at(k, "line", line, N_("not confirmed")))
        if quantity is None or quantity <= 0:
            problems.append(_at(k, "quantity", line, N_("the quantity must be a whole number of packs above zero: "
                                                        "%(value)s", value=str(item.quantity)[:20])))
        else:
            wanted[line.id] = wanted.get(line.id, 0) + quantity
            if line.shipped + wanted[line.id] > line.quantity:
                problems.append(_at(k, "quantity", line, N_("%(q)s packs would exceed the %(left)s still to ship",
                                                            q=quantity, left=line.quantity - line.shipped)))
        if not lot or text_problem(lot, MAX_LOT):
            problems.append(_at(k, "lot_no", line, N_("the lot number is required (at most %(n)s characters)", n=MAX_LOT)))
        if expiry is None:
            problems.append(_at(k, "expiry_on", line, N_("the expiry date must look like 2027-12-31")))
        elif expiry <= today:
            problems.append(_at(k, "expiry_on", line, N_("the expiry date %(day)s must be after the ship date %(today)s",
                                                day=expiry.isoformat(), today=today.isoformat())))
        rows.append((line, quantity, lot, expiry))
    if not items:
        problems.append((None, "lines", N_("choose the lines to ship")))
    if problems:
        raise OrderRefused(problems)
    count = len(session.exec(select(Shipment.id).where(Shipment.order_id == order.id)).all())
    shipment = Shipment(order_id=order.id, number=count + 1, hospital_org_id=order.hospital_org_id,
                        distributor_org_id=order.distributor_org_id, region_code=order.region_code, shipped_on=today,
                        shipped_by=actor.user_id, shipped_at=now)
    session.add(shipment)
    session.flush()
    for line, quantity, lot, expiry in rows:
        line.shipped += quantity
        session.add(ShipmentLine(shipment_id=shipment.id, order_line_id=line.id, product_id=line.product_id,
                                 hospital_org_id=line.hospital_org_id, supplier_org_id=line.supplier_org_id,
                                 distributor_org_id=line.distributor_org_id, region_code=line.region_code,
                                 quantity=quantity, lot_no=lot, expiry_on=expiry))
    audit.record(session, actor.audit(), "order.ship", "shipment", shipment.id,
                 {"order": order.id, "lines": [[r[0].id, r[1], r[2], r[3].isoformat()] for r in rows]})
    notify(session, [order.hospital_org_id], None, "orders", "",
           N_("Order %(number)s: shipment %(k)s is on its way; accept it when it arrives", number=order.number,
              k=shipment.number), now)
    session.commit()
    return shipment


def answer_shipment_line(session: Session, actor: Actor, shipment_line_id: int, quantity: str | int,
                         accept: bool, reason: str, now: datetime, *, order_id: int | None = None) -> OrderAcceptance:
    """The hospital accepts packs of a shipment line (payable: price × packs in fen), or rejects
    them with the reason. Never more than shipped less already accepted or rejected. With
    ``order_id`` (the page's or the API path's) the line must belong to that order."""
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospital only")
    found = session.get(ShipmentLine, shipment_line_id)
    owner = session.get(OrderLine, found.order_line_id).order_id if found is not None else None
    if found is None or found.hospital_org_id != actor.org_id or (order_id is not None and owner != order_id):
        raise OrderRefused.one(N_("no such shipment line"))
    advisory_xact_lock(session, f"order:{owner}")
    sline = session.get(ShipmentLine, shipment_line_id, with_for_update=True, populate_existing=True)
    line = session.get(OrderLine, sline.order_line_id, with_for_update=True, populate_existing=True)
    packs, reason = _quantity(quantity), (reason or "").strip()
    left = sline.quantity - sline.accepted - sline.rejected
    if packs is None or packs <= 0:
        raise OrderRefused.one(N_("the quantity must be a whole number of packs above zero: %(value)s",
                                  value=str(quantity)[:20]), "quantity")
    if packs > left:
        raise OrderRefused.one(N_("%(q)s packs exceed the %(left)s shipped and not yet accepted or rejected",
                                  q=packs, left=left), "quantity")
    if not accept and not reason:
        raise OrderRefused.one(N_("say why you reject the packs"), "reason")
    if text_problem(reason, 200):
        raise OrderRefused.one(N_("at most %(n)s characters, no control characters", n=200), "reason")
    product = session.get(ListedProduct, sline.product_id)
    today = local_date(now)
    row = OrderAcceptance(
        shipment_line_id=sline.id, order_line_id=line.id, product_id=sline.product_id,
        hospital_org_id=sline.hospital_org_id, supplier_org_id=sline.supplier_org_id,
        distributor_org_id=sline.distributor_org_id, region_code=sline.region_code,
        vbp_batch_code=product.vbp_batch_code if product.vbp_status == "selected" else None, lot_no=sline.lot_no,
        kind="accepted" if accept else "rejected", quantity=packs, price_e4=line.price_e4,
        amount_fen=line_amount_fen(packs, line.price_e4) if accept else 0, accepted_on=today,
        month=today.isoformat()[:7], reason=reason, by_user=actor.user_id, at=now)
    if accept:
        sline.accepted += packs
        line.accepted += packs
    else:
        sline.rejected += packs
    session.add(row)
    session.flush()
    rollup.add(session, row)  # the bureau's monthly share figures, in this transaction
    audit.record(session, actor.audit(), f"order.{row.kind}", "order_acceptance", row.id,
                 {"shipment_line": sline.id, "quantity": packs, "amount_fen": row.amount_fen, "reason": reason})
    if not accept:
        notify(session, [sline.distributor_org_id], None, "orders", "",
               N_("%(q)s packs of lot %(lot)s were rejected: %(reason)s", q=packs, lot=sline.lot_no, reason=reason), now)
    session.commit()
    return row
