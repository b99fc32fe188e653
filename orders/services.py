"""Ordering use cases of a hospital: place orders (one from a form, many from its HIS through the
API — the same function, checked set-wise and written in bulk), send a draft, withdraw a draft.

Each call is one transaction, all or nothing: every fault of every line is collected and
nothing is written when there is one. A line is refused when its product is not listed on the
hospital's platform (unknown, waiting, rejected), its supplier is suspended by a credit rating,
the price given differs from the price in force on the order date, the quantity is not a whole
number of packs above zero, or the product appears twice in the order; an order when its
distributor has no confirmed relation with a line's supplier covering the hospital's region."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, insert
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core import audit
from core.bulk import collector_paused
from core.db import advisory_xact_lock, bulk_insert
from core.i18n import N_, Msg
from core.money import (
    MoneyError,
    format_price_e4,
    line_amount_fen,
    parse_price_e4,
    price_e4_to_decimal,
)
from core.regions import region_ancestors
from credit import bars
from listing.models import DistributionRelation, ListedProduct
from listing.queries import province_of
from listing.services import local_date
from notices.services import notify  # the platform's one notice inbox
from orders.models import OrderLine, PurchaseOrder
from orders.queries import prices_on
from orders.rules import (
    MAX_LINES,
    MAX_QUANTITY,
    LineStatus,
    OrderRefused,
    OrderStatus,
    next_order_status,
)

Problem = tuple[int | None, str | None, Msg]


@dataclass(frozen=True)
class LineInput:
    """One line as typed: the product's national code, packs, and optionally the price the
    hospital expects (yuan per pack; refused when it is not the price in force)."""

    product: str
    quantity: str | int
    price: str = ""


@dataclass(frozen=True)
class OrderInput:
    """One order: the distributor's organisation code and the lines."""

    distributor: str
    lines: Sequence[LineInput]
    note: str = ""
    ref: str = ""  # the caller's own reference (the API echoes it), not stored


@dataclass
class Placed:
    """What :func:`place_orders` wrote: the orders and how many lines."""

    orders: list[PurchaseOrder] = field(default_factory=list)
    lines: int = 0


def _quantity(raw: str | int) -> int | None:
    """Whole packs from an int or digits (full-width digits and thousands commas allowed)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip().replace(",", "").translate({0xFF10 + d: 0x30 + d for d in range(10)})
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _hospital(session: Session, actor: Actor) -> Organisation:
    if actor.role != Role.HOSPITAL_BUYER:
        raise Forbidden("hospital only")
    return session.get(Organisation, actor.org_id)


class _Catalogue:
    """What the lines of one request need, read set-wise: products by code, prices in force on
    the day, confirmed relations covering the region, suppliers' credit bars, distributors."""

    def __init__(self, session: Session, hospital: Organisation, day: date, orders: Sequence[OrderInput]) -> None:
        codes = {str(line.product).strip().upper() for o in orders for line in o.lines}
        self.products = {p.code: p for p in session.exec(select(ListedProduct).where(
            ListedProduct.code.in_(codes), ListedProduct.region_code == province_of(hospital.region_code),
            ListedProduct.status == "listed")).all()} if codes else {}
        self.prices = prices_on(session, [p.id for p in self.products.values()], day)
        names = {(o.distributor or "").strip() for o in orders}
        self.distributors = {d.code: d for d in session.exec(select(Organisation).where(
            Organisation.code.in_(names), Organisation.kind == OrgKind.DISTRIBUTOR, Organisation.active)).all()}
        self.relations = {(r.supplier_org_id, r.distributor_org_id) for r in session.exec(
            select(DistributionRelation).where(DistributionRelation.status == "confirmed",
                                               DistributionRelation.region_code.in_(
                                                   region_ancestors(hospital.region_code)))).all()}
        self.bars = {sid: r for sid, r in bars.standing(session, {p.supplier_org_id for p in self.products.values()},
                                                         hospital.region_code, day).items()
                     if r.consequence in bars.BARRING}


def _check(catalogue: _Catalogue, orders: Sequence[OrderInput]) -> tuple[list[dict], list[Problem]]:
    """The lines to write per order (dicts) and every problem; nothing is written. A problem's
    line index counts lines over all orders of the request (the API maps it back)."""
    problems: list[Problem] = []
    planned: list[dict] = []
    n = -1
    for k, order in enumerate(orders):
        distributor = catalogue.distributors.get((order.distributor or "").strip())
        where = f"orders[{k}]"
        if distributor is None:
            problems.append((None, f"{where}.distributor", N_("no such distributor: %(code)s",
                                                               code=(order.distributor or "")[:40])))
        if not order.lines:
            problems.append((None, f"{where}.lines", N_("an order needs at least one line")))
        if len((order.note or "").strip()) > 200:
            problems.append((None, f"{where}.note", N_("at most %(n)s characters, no control characters", n=200)))
        seen: set[str] = set()
        lines = []
        for line in order.lines:
            n += 1
            code = str(line.product).strip().upper()
            product = catalogue.products.get(code)
            quantity = _quantity(line.quantity)
            if quantity is None or quantity <= 0:
                problems.append((n, "quantity", N_("the quantity must be a whole number of packs above zero: "
                                                   "%(value)s", value=str(line.quantity)[:20])))
            elif quantity > MAX_QUANTITY:
                problems.append((n, "quantity", N_("at most %(n)s packs on one line", n=f"{MAX_QUANTITY:,}")))
            if code in seen:
                problems.append((n, "product", N_("%(code)s is already on this order", code=code[:27])))
                continue
            seen.add(code)
            if product is None:
                problems.append((n, "product", N_("%(code)s is not listed on your platform", code=code[:27])))
                continue
            if (bar := catalogue.bars.get(product.supplier_org_id)) is not None:
                problems.append((n, "product", N_("the supplier of %(code)s is suspended by credit rating %(ref)s",
                                                  code=code, ref=bar.reference or "")))
            price = catalogue.prices.get(product.id)
            if price is None:
                problems.append((n, "product", N_("%(code)s has no price in force on the order date", code=code)))
                continue
            if str(line.price or "").strip():
                try:
                    given = parse_price_e4(str(line.price).strip().replace(",", ""))
                except (MoneyError, ArithmeticError, ValueError):
                    given = None
                if given != price[1]:
                    problems.append((n, "price", N_("the price %(given)s is not the price in force %(price)s",
                                                    given=str(line.price)[:20], price=format_price_e4(price[1]))))
            if distributor is not None and (product.supplier_org_id, distributor.id) not in catalogue.relations:
                problems.append((n, "distributor", N_("%(name)s has no confirmed distribution relation with the "
                                                      "supplier of %(code)s in your region", name=distributor.name,
                                                      code=code)))
            if quantity and 0 < quantity <= MAX_QUANTITY:
                lines.append({"product_id": product.id, "supplier_org_id": product.supplier_org_id,
                              "quantity": quantity, "price_id": price[0], "price_e4": price[1],
                              "amount_fen": line_amount_fen(quantity, price[1])})
        planned.append({"distributor": distributor, "lines": lines})
    return planned, problems


def place_orders(session: Session, actor: Actor, orders: Sequence[OrderInput], now: datetime, *,
                 send: bool = False) -> Placed:
    """A hospital places orders — drafts, or sent at once with ``send`` — all or nothing:
    :class:`OrderRefused` names every line at fault. Order numbers follow on per hospital."""
    hospital = _hospital(session, actor)
    if not orders:
        raise OrderRefused.one(N_("an order needs at least one line"), "lines")
    if sum(len(o.lines) for o in orders) > MAX_LINES:
        raise OrderRefused.one(N_("at most %(n)s lines at once", n=f"{MAX_LINES:,}"), "lines")
    day = local_date(now)
    with collector_paused():
        planned, problems = _check(_Catalogue(session, hospital, day, orders), orders)
        if problems:
            raise OrderRefused(problems)
        advisory_xact_lock(session, f"orders:{hospital.id}")
        session.get(Organisation, hospital.id, with_for_update=True)  # serialises the hospital's numbers
        last = session.exec(select(func.max(PurchaseOrder.number)).where(
            PurchaseOrder.hospital_org_id == hospital.id)).one() or 0
        status = OrderStatus.SENT if send else OrderStatus.DRAFT
        heads = [{"hospital_org_id": hospital.id, "number": last + k + 1, "distributor_org_id": p["distributor"].id,
                  "region_code": hospital.region_code, "order_date": day, "status": str(status),
                  "note": (orders[k].note or "").strip(), "created_by": actor.user_id, "created_at": now,
                  "sent_by": actor.user_id if send else None, "sent_at": now if send else None,
                  "withdrawn_reason": ""} for k, p in enumerate(planned)]
        ids = session.execute(insert(PurchaseOrder).returning(PurchaseOrder.id, sort_by_parameter_order=True),
                              heads).scalars().all()
        line_status = LineStatus.PENDING if send else LineStatus.DRAFT
        rows = [{"order_id": order_id, "line_no": n + 1, "hospital_org_id": hospital.id,
                 "distributor_org_id": p["distributor"].id, "region_code": hospital.region_code,
                 "status": str(line_status), "decision_note": "", "shipped": 0, "accepted": 0, **line}
                for order_id, p in zip(ids, planned, strict=True) for n, line in enumerate(p["lines"])]
        bulk_insert(session, OrderLine.__table__, rows)
        audit.record(session, actor.audit(), "order.send" if send else "order.draft", "purchase_order",
                     ids[0] if len(ids) == 1 else f"{ids[0]}..{ids[-1]}",
                     {"orders": len(ids), "lines": len(rows), "amount_fen": sum(r["amount_fen"] for r in rows)})
        if send:
            _tell_distributors(session, hospital, {p["distributor"].id for p in planned}, now)
        session.commit()
    placed = session.exec(select(PurchaseOrder).where(PurchaseOrder.id.in_(ids)).order_by(PurchaseOrder.number))
    return Placed(list(placed.all()) if len(ids) <= 100 else [], len(rows))


def _tell_distributors(session: Session, hospital: Organisation, distributor_ids: set[int], now: datetime) -> None:
    notify(session, sorted(distributor_ids), None, "orders", "",
           N_("%(hospital)s sent you an order: confirm or refuse its lines", hospital=hospital.name), now)


def _own_draft(session: Session, actor: Actor, order_id: int, step: str) -> tuple[PurchaseOrder, OrderStatus]:
    hospital = _hospital(session, actor)
    order = session.get(PurchaseOrder, order_id, with_for_update=True, populate_existing=True)
    if order is None or order.hospital_org_id != hospital.id:
        raise OrderRefused.one(N_("no such order"))
    after = next_order_status(order.status, step)
    if after is None:
        raise OrderRefused.one(N_("only a draft order can be sent or withdrawn"))
    return order, after


def send_order(session: Session, actor: Actor, order_id: int, now: datetime) -> PurchaseOrder:
    """The hospital sends a draft to its distributor. The order date becomes today: every line
    is checked again (still listed, relation confirmed, the same price in force); a price that
    changed since the draft refuses the send — withdraw it and order again."""
    order, after = _own_draft(session, actor, order_id, "send")
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    distributor = session.get(Organisation, order.distributor_org_id)
    products = {p.id: p for p in session.exec(select(ListedProduct).where(
        ListedProduct.id.in_([ln.product_id for ln in lines]))).all()}
    again = [OrderInput(distributor.code, [LineInput(products[ln.product_id].code, ln.quantity,
                                                     str(price_e4_to_decimal(ln.price_e4)))
                                           for ln in lines])]
    hospital = session.get(Organisation, order.hospital_org_id)
    _planned, problems = _check(_Catalogue(session, hospital, local_date(now), again), again)
    if problems:
        raise OrderRefused(problems)
    order.status, order.sent_by, order.sent_at, order.order_date = after, actor.user_id, now, local_date(now)
    for line in lines:
        line.status = LineStatus.PENDING
    audit.record(session, actor.audit(), "order.send", "purchase_order", order.id, {"lines": len(lines)})
    _tell_distributors(session, hospital, {order.distributor_org_id}, now)
    session.commit()
    return order


def withdraw_order(session: Session, actor: Actor, order_id: int, reason: str, now: datetime) -> PurchaseOrder:
    """The hospital withdraws a draft, with the reason; it stays in its history."""
    order, after = _own_draft(session, actor, order_id, "withdraw")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise OrderRefused.one(N_("say why you withdraw the order"), "reason")
    order.status, order.withdrawn_by, order.withdrawn_at, order.withdrawn_reason = after, actor.user_id, now, reason
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all():
        line.status = LineStatus.WITHDRAWN
    audit.record(session, actor.audit(), "order.withdraw", "purchase_order", order.id, {"reason": reason})
    session.commit()
    return order
