"""What the payment-standard pages, the workbook and the API show, scoped to the actor: the
standards in force on a date, the versions of each batch, and what the fund pays for each listed
product of a generic with a standard (transition year, cap, patient / fund split)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

import paystd.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor
from accounts.models import Organisation
from accounts.scoping import scope, within_region
from bidding.pricing import Strength
from listing.models import ListedProduct
from listing.queries import price_in_force
from paystd.models import StandardLine, StandardVersion
from paystd.rules import (
    Payment,
    StandardRules,
    pack_standard_e4,
    pack_units,
    parse_rules,
    payment,
    spec_strength,
)
from paystd.rules import transition_year as year_of
from procurement.models import Batch, Item
from review.models import Contract


@dataclass(frozen=True)
class InForce:
    """One payment standard in force on a date."""

    item: Item
    supplier: str | None  # per_product rule: the selected product's supplier
    supplier_org_id: int | None
    standard_e4: int  # per minimal unit of the representative specification
    batch_code: str
    version: StandardVersion
    rules: StandardRules
    line: StandardLine


def versions(session: Session, actor: Actor) -> list[tuple[StandardVersion, str]]:
    """Every version the actor sees, with its batch code, newest first."""
    rows = session.exec(scope(select(StandardVersion, Batch.code).join(Batch, Batch.id == StandardVersion.batch_id),
                              actor, StandardVersion).order_by(StandardVersion.id.desc())).all()
    return [(v, c) for v, c in rows]


def version_of(session: Session, actor: Actor, version_id: int) -> StandardVersion | None:
    """A version in the actor's scope."""
    return session.exec(scope(select(StandardVersion).where(StandardVersion.id == version_id), actor,
                              StandardVersion)).first()


def lines_of(session: Session, version_id: int) -> list[tuple[StandardLine, Item, str | None]]:
    """A version's lines with their item and supplier name (the caller checked the version)."""
    rows = session.exec(select(StandardLine, Item, Organisation.name).join(Item, Item.id == StandardLine.item_id)
                        .outerjoin(Organisation, Organisation.id == StandardLine.supplier_org_id)
                        .where(StandardLine.version_id == version_id).order_by(Item.code, Organisation.name)).all()
    return [(line, item, name) for line, item, name in rows]


def _scoped(stmt, actor: Actor | None, model, region_code: str | None, column):
    """``stmt`` scoped to the actor, or (a run of the scheduler, no actor) to a region."""
    return scope(stmt, actor, model) if actor is not None else stmt.where(within_region(column, region_code or ""))


def in_force(session: Session, actor: Actor | None, on: date, region_code: str | None = None) -> list[InForce]:
    """The payment standards in force on ``on``: of each batch its latest approved version
    effective by then; where batches share an item, the batch whose standard took effect last.
    Without an actor (the monitoring run): the approved standards of ``region_code``."""
    stmt = (select(StandardVersion, Batch.code).join(Batch, Batch.id == StandardVersion.batch_id)
            .where(StandardVersion.status == "approved", StandardVersion.effective_on <= on))
    approved = session.exec(_scoped(stmt, actor, StandardVersion, region_code, StandardVersion.region_code)
                            .order_by(StandardVersion.effective_on, StandardVersion.version, StandardVersion.id)).all()
    latest: dict[int, tuple[StandardVersion, str]] = {}
    for version, code in approved:
        latest[version.batch_id] = (version, code)
    by_item: dict[int, list[InForce]] = {}
    for version, code in sorted(latest.values(), key=lambda vc: (vc[0].effective_on, vc[0].id)):
        rules = parse_rules(version.rules_json)
        fresh: dict[int, list[InForce]] = {}
        for line, item, supplier in lines_of(session, version.id):
            fresh.setdefault(item.id, []).append(InForce(item, supplier, line.supplier_org_id, line.standard_e4, code,
                                                         version, rules, line))
        by_item.update(fresh)  # a later batch's standard replaces an earlier one's for the same item
    return [row for _item, rows in sorted(by_item.items(), key=lambda kv: kv[1][0].item.code) for row in rows]


@dataclass(frozen=True)
class ProductPayment:
    """A listed product of a generic with a standard: its price in force and what the fund pays."""

    product: ListedProduct
    standard: InForce
    pay: Payment
    converted: bool  # the specification was converted by differential pricing


def _rep(item: Item) -> Strength | None:
    return Strength(item.rep_strength, item.strength_unit or "") if item.rep_strength else None


@dataclass(frozen=True)
class PackStandard:
    """The payment standard of one pack of a listed product on a date (its generic's, converted
    to the product's specification and pack), the transition year of that date, the rules."""

    product: ListedProduct
    standard: InForce
    pack_e4: int
    year: int
    converted: bool  # the specification was converted by differential pricing

    def pay(self, price_e4: int) -> Payment:
        """What the fund and the patient pay for one pack priced ``price_e4``."""
        return payment(price_e4, self.pack_e4, self.year, self.standard.rules)


def pack_standards(session: Session, actor: Actor | None, on: date, region_code: str | None = None,
                   product_ids: set[int] | None = None) -> list[PackStandard]:
    """Every listed product the actor sees (without an actor: of ``region_code``; optionally only
    ``product_ids``) whose generic × dosage form has a standard in force on ``on``, with its pack
    standard of that day; a selected product under the per-product rule against its own."""
    standards = in_force(session, actor, on, region_code)
    by_name: dict[tuple[str, str], list[InForce]] = {}
    for row in standards:
        by_name.setdefault((row.item.generic_name, row.item.dosage_form or ""), []).append(row)
    if not by_name:
        return []
    stmt = select(ListedProduct).where(ListedProduct.status == "listed",
                                       ListedProduct.generic_name.in_([n for n, _f in by_name]))
    if product_ids is not None:
        stmt = stmt.where(ListedProduct.id.in_(product_ids or {0}))
    products = session.exec(_scoped(stmt, actor, ListedProduct, region_code, ListedProduct.region_code)
                            .order_by(ListedProduct.generic_name, ListedProduct.code)).all()
    out = []
    for product in products:
        rows = by_name.get((product.generic_name, product.dosage_form))
        if not rows:
            continue
        own = [r for r in rows if r.supplier_org_id == product.supplier_org_id and product.vbp_status == "selected"]
        standard = own[0] if own else max(rows, key=lambda r: r.standard_e4)
        pack_e4, converted = pack_standard_e4(standard.standard_e4, pack_units(product.pack), spec_strength(product.spec),
                                              _rep(standard.item), standard.rules.strength_factor)
        out.append(PackStandard(product, standard, pack_e4, year_of(standard.version.effective_on, on), converted))
    return out


def product_payments(session: Session, actor: Actor | None, on: date, region_code: str | None = None,
                     product_ids: set[int] | None = None) -> list[ProductPayment]:
    """:func:`pack_standards` of the products with a listed price in force on ``on``, and what
    the fund pays for a pack at that price."""
    out = []
    for std in pack_standards(session, actor, on, region_code, product_ids):
        price = price_in_force(session, std.product.id, on)
        if price is not None:
            out.append(ProductPayment(std.product, std.standard, std.pay(price.price_e4), std.converted))
    return out


def derivable_batches(session: Session, actor: Actor) -> list[Batch]:
    """The batches of the actor's region that have contracts (selected prices to derive from)."""
    return list(session.exec(scope(select(Batch).where(Batch.id.in_(select(Contract.batch_id).distinct())), actor, Batch)
                             .order_by(Batch.code)).all())
