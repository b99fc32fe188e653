"""Who sees which listed product, a product and its prices, and the price in force on a date
(read models, no writes).

A supplier sees its own products; bureau roles those listed on a platform inside their region;
a hospital the listed (approved) products of its province's platform.

A listed product may be suspended for buyers of a region by its supplier's credit rating
(``suspension``, ``order_refusal``, ``is_orderable`` — what ordering asks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from accounts.scoping import register_scope, scope, within_region
from core.i18n import N_, Msg
from core.regions import region_contains
from credit.bars import last_day_held, listing_bar, listing_suspensions
from credit.models import Rating
from listing.models import ListedPrice, ListedProduct
from procurement.models import Region


def _product_rule(actor: Actor):
    if actor.is_bureau:
        return within_region(ListedProduct.region_code, actor.region_code)
    if actor.role == Role.HOSPITAL_BUYER:
        return and_(ListedProduct.status == "listed", ListedProduct.region_code == province_of(actor.region_code))
    return ListedProduct.supplier_org_id == actor.org_id


register_scope(ListedProduct, _product_rule)


def province_of(region_code: str) -> str:
    """The province a region lies in (GB/T 2260: its first two digits)."""
    return region_code[:2] + "0000"


def product(session: Session, actor: Actor, product_id: int) -> ListedProduct | None:
    """The product if the actor may see it."""
    return session.exec(scope(select(ListedProduct), actor, ListedProduct).where(ListedProduct.id == product_id)).first()


def prices(session: Session, product_id: int) -> list[ListedPrice]:
    """Every price row of a product (the caller has checked it may see the product), newest first."""
    return list(session.exec(select(ListedPrice).where(ListedPrice.product_id == product_id)
                             .order_by(ListedPrice.requested_at.desc(), ListedPrice.id.desc())).all())


def pending_price(session: Session, product_id: int) -> ListedPrice | None:
    """The product's price change waiting for a decision, if any."""
    return session.exec(select(ListedPrice).where(ListedPrice.product_id == product_id,
                                                  ListedPrice.status == "pending")).first()


def price_in_force(session: Session, product_id: int, on: date) -> ListedPrice | None:
    """The approved price in force on ``on``: the latest ``effective_on`` not after it (None before
    the product was listed)."""
    return session.exec(select(ListedPrice).where(
        ListedPrice.product_id == product_id, ListedPrice.status == "approved", ListedPrice.effective_on <= on)
        .order_by(ListedPrice.effective_on.desc(), ListedPrice.id.desc()).limit(1)).first()


def product_by_code(session: Session, actor: Actor, code: str) -> ListedProduct | None:
    """The product of that national code if the actor may see it."""
    return session.exec(scope(select(ListedProduct), actor, ListedProduct).where(ListedProduct.code == code)).first()


def distributors(session: Session) -> list[Organisation]:
    """Every distributor (配送企业) a supplier may name, by name."""
    return list(session.exec(select(Organisation).where(Organisation.kind == OrgKind.DISTRIBUTOR)
                             .order_by(Organisation.name)).all())


def regions_of_province(session: Session, region_code: str) -> list[Region]:
    """The province of ``region_code`` and the regions inside it, by code."""
    province = province_of(region_code)
    return list(session.exec(select(Region).where(Region.code.startswith(province[:2]))
                             .order_by(Region.code)).all())


def suspension(session: Session, product: ListedProduct, region_code: str, on: date) -> Rating | None:
    """The credit rating suspending ``product`` for buyers in ``region_code`` on ``on`` (None: not
    suspended). A rating whose consequence bars the supplier (credit settings: ``suspension``,
    ``exclusion``) suspends its listings in the rating's region while it holds; expiry, repair or a
    milder rating lifts it (``credit.bars.listing_bar``)."""
    return listing_bar(session, product.supplier_org_id, region_code, on)


def order_refusal(session: Session, product_id: int, region_code: str, on: date) -> Msg | None:
    """Why a hospital in ``region_code`` may not order the product on ``on`` (None: it may): not
    listed, or suspended by a credit rating (its reference and last day named)."""
    item = session.get(ListedProduct, product_id)
    if item is None or item.status != "listed":
        return N_("The product is not listed on the platform.")
    rating = suspension(session, item, region_code, on)
    if rating is not None:
        return N_("The listing of %(code)s is suspended by credit rating %(ref)s until %(until)s: it cannot be ordered.",
                  code=item.code, ref=rating.reference or "", until=last_day_held(rating).isoformat())
    return None


def is_orderable(session: Session, product_id: int, region_code: str, on: date) -> bool:
    """Whether a hospital in ``region_code`` may order the listed product on ``on``."""
    return order_refusal(session, product_id, region_code, on) is None


@dataclass(frozen=True)
class SuspensionRow:
    """One credit rating that suspended (or suspends) a product's listing, for its history."""

    rating: Rating
    last_day: date
    in_force: bool  # on the day asked
    region_name: str  # the rating bureau's region


def suspension_history(session: Session, product: ListedProduct, on: date) -> list[SuspensionRow]:
    """The ratings that suspended the product's listing anywhere in its province, newest first."""
    rows = [r for r in listing_suspensions(session, product.supplier_org_id)
            if region_contains(product.region_code, r.region_code) or region_contains(r.region_code, product.region_code)]
    names = dict(session.exec(select(Region.code, Region.name).where(Region.code.in_({r.region_code for r in rows}))
                              ).all()) if rows else {}
    return [SuspensionRow(r, last_day_held(r), r.valid_from <= on <= last_day_held(r),
                          names.get(r.region_code, r.region_code)) for r in rows]
