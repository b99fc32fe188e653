"""Listing use cases: a supplier lists products (one, or many all or nothing), a price officer of
the platform's province approves or rejects them; a supplier asks for a price change with a
reason, the officer decides. Each use case is one transaction, audited, and tells the other side
through the notice inbox. Four-eyes is not asked by the listing rules: one officer decides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core import audit
from core.i18n import N_, Msg
from core.inputs import text_problem
from core.money import MoneyError, format_price_e4, parse_price_e4
from core.regions import region_contains
from listing.codes import CodeError, check_code
from listing.models import ListedPrice, ListedProduct
from listing.queries import pending_price, price_in_force, province_of
from notices.services import notify  # the platform's one notice inbox
from procurement.models import Batch

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_PRICE_E4 = 10**14  # ¥10 billion per pack: anything above is a typing error


class ListingStatus(StrEnum):
    """Where a listing stands."""

    PENDING = "pending"
    LISTED = "listed"
    REJECTED = "rejected"


class PriceStatus(StrEnum):
    """Where a price row stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class VbpStatus(StrEnum):
    """The product's place in volume-based procurement."""

    SELECTED = "selected"  # selected (中选) in the named batch
    NON_SELECTED = "non_selected"  # a non-selected product of a generic procured in the named batch
    NOT_VBP = "not_vbp"  # its generic is in no VBP batch


class ListingRefused(ValueError):
    """A listing step refused; ``field`` names the input at fault (None: the step itself)."""

    def __init__(self, msg: Msg, field: str | None = None) -> None:
        super().__init__(msg.english())
        self.msg, self.field = msg, field


@dataclass(frozen=True)
class ProductInput:
    """What a supplier submits for one product (text as typed; the price in yuan per pack)."""

    code: str
    generic_name: str
    dosage_form: str
    spec: str
    pack: str
    mah: str
    price: str | Decimal
    vbp_status: str
    vbp_batch_code: str = ""


#: text fields: (field, maximum length)
TEXT_FIELDS = (("generic_name", 100), ("dosage_form", 40), ("spec", 100), ("pack", 60), ("mah", 200))


def local_date(now: datetime) -> date:
    """The bureau's calendar date at ``now``."""
    return now.astimezone(SHANGHAI).date()


def check_product(session: Session, item: ProductInput) -> tuple[dict, list[tuple[str, Msg]]]:
    """The product's stored values and every problem as (field, reason); nothing is written."""
    values: dict = {}
    problems: list[tuple[str, Msg]] = []
    try:
        values["code"], values["kind"] = check_code(item.code)
    except CodeError as exc:
        problems.append(("code", exc.msg))
    for name, limit in TEXT_FIELDS:
        text = (getattr(item, name) or "").strip()
        problem = text_problem(text, limit)
        if not text:
            problems.append((name, N_("required")))
        elif problem:
            problems.append((name, N_("at most %(n)s characters, no control characters", n=limit)))
        values[name] = text
    try:
        price = parse_price_e4(str(item.price).strip().replace(",", ""))
        if not 0 < price < MAX_PRICE_E4:
            problems.append(("price", N_("the price must be more than 0")))
        values["price_e4"] = price
    except (MoneyError, ArithmeticError, ValueError):
        problems.append(("price", N_("not a price in yuan with at most 4 decimals: %(value)s",
                                     value=str(item.price)[:40])))
    status, batch_code = (item.vbp_status or "").strip(), (item.vbp_batch_code or "").strip()
    if status not in set(VbpStatus):
        problems.append(("vbp_status", N_("the VBP status must be selected, non_selected or not_vbp")))
    elif status == VbpStatus.NOT_VBP and batch_code:
        problems.append(("vbp_batch_code", N_("a product not in VBP names no batch")))
    elif status != VbpStatus.NOT_VBP:
        if not batch_code:
            problems.append(("vbp_batch_code", N_("name the VBP batch")))
        elif session.exec(select(Batch.id).where(Batch.code == batch_code)).first() is None:
            problems.append(("vbp_batch_code", N_("no such batch: %(code)s", code=batch_code[:40])))
    values["vbp_status"], values["vbp_batch_code"] = status, batch_code or None
    return values, problems


def _supplier(session: Session, actor: Actor) -> Organisation:
    if actor.role != Role.SUPPLIER_REP:
        raise Forbidden("supplier only")
    return session.get(Organisation, actor.org_id)


def _taken(session: Session, code: str, org_id: int) -> Msg | None:
    """Why the code cannot be (re)submitted by this supplier, or None."""
    old = session.exec(select(ListedProduct).where(ListedProduct.code == code)).first()
    if old is None or (old.supplier_org_id == org_id and old.status == ListingStatus.REJECTED):
        return None
    return N_("the code %(code)s is already listed or waiting for approval", code=code)


def _officers_of(session: Session, region_code: str) -> list[int]:
    """The bureau organisations whose region holds the province's platform."""
    bureaus = session.exec(select(Organisation).where(Organisation.kind == OrgKind.BUREAU)).all()
    return [b.id for b in bureaus if region_contains(b.region_code, region_code)]


def _write(session: Session, actor: Actor, values: dict, region: str, now: datetime) -> ListedProduct:
    """Add (or, for a rejected product of the same supplier, resubmit) one product; no commit."""
    product = session.exec(select(ListedProduct).where(ListedProduct.code == values["code"])
                           .with_for_update()).first()
    if product is None:
        product = ListedProduct(supplier_org_id=actor.org_id, region_code=region, **values,
                                status=ListingStatus.PENDING, submitted_by=actor.user_id, submitted_at=now)
    else:
        for key, value in values.items():
            setattr(product, key, value)
        product.status, product.submitted_by, product.submitted_at = ListingStatus.PENDING, actor.user_id, now
        product.decided_by = product.decided_at = None
        product.decision_note = ""
    session.add(product)
    session.flush()
    audit.record(session, actor.audit(), "listing.submit", "listed_product", product.code,
                 {"price_e4": product.price_e4, "vbp": product.vbp_status, "batch": product.vbp_batch_code})
    return product


def submit_listings(session: Session, actor: Actor, items: Sequence[ProductInput],
                    now: datetime) -> tuple[list[ListedProduct], list[tuple[int, str, Msg]]]:
    """List many products all or nothing: (products, []) when every one is acceptable, else
    ([], problems as (index, field, reason)) and nothing written."""
    org = _supplier(session, actor)
    region = province_of(org.region_code)
    problems: list[tuple[int, str, Msg]] = []
    checked, seen = [], {}
    for n, item in enumerate(items):
        values, wrong = check_product(session, item)
        problems += [(n, field, why) for field, why in wrong]
        code = values.get("code")
        if code:
            if code in seen:
                problems.append((n, "code", N_("the same code as line %(n)s", n=seen[code] + 1)))
            elif (why := _taken(session, code, org.id)) is not None:
                problems.append((n, "code", why))
            seen.setdefault(code, n)
        checked.append(values)
    if not items:
        problems.append((0, "code", N_("no products")))
    if problems:
        session.rollback()
        return [], problems
    try:
        products = [_write(session, actor, values, region, now) for values in checked]
    except IntegrityError:  # another request listed one of these codes since we checked
        session.rollback()
        return [], [(n, "code", N_("the code %(code)s is already listed or waiting for approval", code=v["code"]))
                    for n, v in enumerate(checked)]
    notify(session, _officers_of(session, region), Role.PRICE_OFFICER, "listing", "",
           N_("%(supplier)s submitted %(n)s products for listing", supplier=org.name, n=len(products)), now)
    session.commit()
    return products, []


def submit_listing(session: Session, actor: Actor, item: ProductInput, now: datetime) -> ListedProduct:
    """List one product (waits for an officer's approval); refused with the first problem."""
    products, problems = submit_listings(session, actor, [item], now)
    if problems:
        _n, field, why = problems[0]
        raise ListingRefused(why, field)
    return products[0]


def _officer_product(session: Session, actor: Actor, product_id: int) -> ListedProduct:
    """The product, locked, when the actor is a price officer whose region holds its platform."""
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officer only")
    product = session.get(ListedProduct, product_id, with_for_update=True, populate_existing=True)
    if product is None or not region_contains(actor.region_code, product.region_code):
        raise ListingRefused(N_("no such product"))
    return product


def decide_listing(session: Session, actor: Actor, product_id: int, approve: bool, note: str,
                   now: datetime) -> ListedProduct:
    """Approve a pending listing (its price comes into force today) or reject it with a reason."""
    product = _officer_product(session, actor, product_id)
    if product.status != ListingStatus.PENDING:
        raise ListingRefused(N_("this listing was already decided"))
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ListingRefused(N_("say why the listing is rejected"), "note")
    product.status = ListingStatus.LISTED if approve else ListingStatus.REJECTED
    product.decided_by, product.decided_at, product.decision_note = actor.user_id, now, note
    if approve:
        session.add(ListedPrice(product_id=product.id, price_e4=product.price_e4, effective_on=local_date(now),
                                reason="listing", status=PriceStatus.APPROVED, requested_by=product.submitted_by,
                                requested_at=product.submitted_at, decided_by=actor.user_id, decided_at=now))
    audit.record(session, actor.audit(), f"listing.{'approve' if approve else 'reject'}", "listed_product",
                 product.code, {"note": note, "price_e4": product.price_e4})
    text = (N_("%(code)s is listed at %(price)s", code=product.code, price=format_price_e4(product.price_e4))
            if approve else N_("the listing of %(code)s was rejected: %(note)s", code=product.code, note=note))
    notify(session, [product.supplier_org_id], None, "listing", "", text, now)
    session.commit()
    return product


def request_price_change(session: Session, actor: Actor, product_id: int, price: str | Decimal,
                         effective_on: date | None, reason: str, now: datetime) -> ListedPrice:
    """Ask for a new price from a date (today or later) with a reason; one request at a time."""
    _supplier(session, actor)
    product = session.get(ListedProduct, product_id, with_for_update=True, populate_existing=True)
    if product is None or product.supplier_org_id != actor.org_id:
        raise ListingRefused(N_("no such product"))
    if product.status != ListingStatus.LISTED:
        raise ListingRefused(N_("only a listed product's price can change"))
    if pending_price(session, product.id) is not None:
        raise ListingRefused(N_("a price change is already waiting for a decision"))
    try:
        price_e4 = parse_price_e4(str(price).strip().replace(",", ""))
    except (MoneyError, ArithmeticError, ValueError):
        raise ListingRefused(N_("not a price in yuan with at most 4 decimals: %(value)s", value=str(price)[:40]),
                             "price") from None
    if not 0 < price_e4 < MAX_PRICE_E4:
        raise ListingRefused(N_("the price must be more than 0"), "price")
    today = local_date(now)
    start = effective_on or today
    if start < today:
        raise ListingRefused(N_("a price cannot change in the past: from %(day)s at the earliest", day=today),
                             "effective_on")
    current = price_in_force(session, product.id, start)
    if current is not None and current.price_e4 == price_e4:
        raise ListingRefused(N_("the price in force on that date is already %(price)s",
                                price=format_price_e4(price_e4)), "price")
    reason = (reason or "").strip()
    if not reason or text_problem(reason, 200):
        raise ListingRefused(N_("give the reason for the change (at most 200 characters)"), "reason")
    change = ListedPrice(product_id=product.id, price_e4=price_e4, effective_on=start, reason=reason,
                         status=PriceStatus.PENDING, requested_by=actor.user_id, requested_at=now)
    session.add(change)
    session.flush()
    audit.record(session, actor.audit(), "listing.price.request", "listed_product", product.code,
                 {"request": change.id, "price_e4": price_e4, "from": start.isoformat(), "reason": reason})
    notify(session, _officers_of(session, product.region_code), Role.PRICE_OFFICER, "listing", "",
           N_("price change asked for %(code)s: %(price)s from %(day)s", code=product.code,
              price=format_price_e4(price_e4), day=start.isoformat()), now)
    session.commit()
    return change


def decide_price_change(session: Session, actor: Actor, product_id: int, approve: bool, note: str,
                        now: datetime) -> ListedPrice:
    """Approve the product's pending price change (never retroactive: in force from its date or
    today, whichever is later) or reject it with a reason."""
    product = _officer_product(session, actor, product_id)
    change = session.exec(select(ListedPrice).where(ListedPrice.product_id == product.id,
                                                    ListedPrice.status == PriceStatus.PENDING)
                          .with_for_update()).first()
    if change is None:
        raise ListingRefused(N_("no price change is waiting for a decision"))
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ListingRefused(N_("say why the price change is rejected"), "note")
    change.status = PriceStatus.APPROVED if approve else PriceStatus.REJECTED
    change.decided_by, change.decided_at, change.decision_note = actor.user_id, now, note
    if approve:
        change.effective_on = max(change.effective_on, local_date(now))
    audit.record(session, actor.audit(), f"listing.price.{'approve' if approve else 'reject'}", "listed_product",
                 product.code, {"request": change.id, "price_e4": change.price_e4,
                                "from": change.effective_on.isoformat(), "note": note})
    text = (N_("the price of %(code)s is %(price)s from %(day)s", code=product.code,
               price=format_price_e4(change.price_e4), day=change.effective_on.isoformat()) if approve
            else N_("the price change of %(code)s was rejected: %(note)s", code=product.code, note=note))
    notify(session, [product.supplier_org_id], None, "listing", "", text, now)
    session.commit()
    return change
