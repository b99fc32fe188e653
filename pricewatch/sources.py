"""Where observed prices come from: the point sources — listed prices and their changes,
selected (contract) prices, other provinces' prices — one function each, a SQL ``SELECT`` of
the same labelled columns (:data:`COLUMNS`) over a bureau region and a period, so a run
collects every source the same way (``pricewatch.collect``; a new source is one more function
in :data:`SOURCES`); and the hospitals' purchases — every accepted order line and accepted VBP
delivery line — read in place by :func:`purchases` (their rows are never changed, so a run does
not copy a month's ~600,000 of them: the rules and the report aggregate them where they are).

Product keys: ``L<id>`` a listed product (listed prices, other provinces' prices, accepted order
lines), ``V<batch item id>-<supplier id>`` a selected product of a batch (selected prices,
accepted VBP lines). Prices: a listed product's per pack as listed (its accepted order lines:
per pack as ordered); a selected product's per minimal unit of the representative specification
(what contracts are paid at). Rules compare prices of one key only, or convert (``paystd.rules``)
where they compare a listed product with its generic's selected price.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, String, and_, cast, false, literal, null, or_, union_all
from sqlalchemy.sql import Select
from sqlmodel import select

from accounts.scoping import within_region
from listing.models import ListedPrice, ListedProduct
from orders.models import OrderAcceptance
from pricewatch.models import ProvincePrice
from procurement.models import Batch, BatchItem, Item
from review.models import Contract
from settlement.models import Acceptance

COLUMNS = ("region_code", "source", "ref", "product_key", "item_id", "hospital_org_id", "supplier_org_id",
           "observed_on", "price_e4", "quantity")


def _row(*columns) -> Select:
    """A ``SELECT`` of the columns labelled as :data:`COLUMNS`."""
    return select(*(column.label(name) for column, name in zip(columns, COLUMNS, strict=True)))


def _text(prefix: str, column) -> object:
    return literal(prefix, String) + cast(column, String)


def _key_v(batch_item_id, supplier_id) -> object:
    return literal("V", String) + cast(batch_item_id, String) + literal("-", String) + cast(supplier_id, String)


def _item_of_listed():
    """The catalog item of a listed product: same generic name and dosage form."""
    return (select(Item.id).where(Item.generic_name == ListedProduct.generic_name,
                                  Item.dosage_form == ListedProduct.dosage_form).limit(1).scalar_subquery())


def listed_prices(region_code: str, start: date, end: date) -> Select:
    """Every approved listed price effective by the period's end (the history before the period
    is what a rise is measured against) of the region's listed products."""
    return (_row(literal(region_code, String), literal("listed", String), _text("LP", ListedPrice.id),
                   _text("L", ListedProduct.id), _item_of_listed(), cast(null(), BigInteger),
                   ListedProduct.supplier_org_id, ListedPrice.effective_on, ListedPrice.price_e4, literal(1, BigInteger))
            .join(ListedProduct, ListedProduct.id == ListedPrice.product_id)
            .where(ListedPrice.status == "approved", ListedPrice.effective_on <= end,
                   within_region(ListedProduct.region_code, region_code)))


def selected_prices(region_code: str, start: date, end: date) -> Select:
    """The selected (contract) prices of the region's batches in force during the period: one
    observation per contract, at its period start."""
    return (_row(literal(region_code, String), literal("selected", String), _text("SC", Contract.id),
                   _key_v(Contract.batch_item_id, Contract.supplier_org_id), BatchItem.item_id,
                   Contract.hospital_org_id, Contract.supplier_org_id, Contract.period_start, Contract.ucp_e4,
                   literal(1, BigInteger))
            .join(BatchItem, BatchItem.id == Contract.batch_item_id).join(Batch, Batch.id == Contract.batch_id)
            .where(Contract.period_start <= end, Contract.period_end >= start,
                   within_region(Batch.region_code, region_code)))


def _vbp_purchases(region_code: str, start: date, end: date, pairs: set[tuple[int, int]] | None) -> Select:
    """Every accepted VBP delivery line of the period at its contract price (quantity net of
    returns), keyed by its batch item and supplier."""
    s = Acceptance
    stmt = (select(literal("V", String).label("kind"), Contract.batch_item_id.label("pid"),
                   Contract.supplier_org_id.label("sid"), s.hospital_org_id.label("hospital_org_id"),
                   Contract.ucp_e4.label("price_e4"), cast(s.quantity - s.returned, BigInteger).label("quantity"))
            .join(Contract, Contract.id == s.contract_id).join(Batch, Batch.id == s.batch_id)
            .where(s.accepted_on >= start, s.accepted_on <= end, s.quantity > s.returned,
                   within_region(Batch.region_code, region_code)))
    if pairs is not None:
        stmt = stmt.where(or_(false(), *(and_(Contract.batch_item_id == b, Contract.supplier_org_id == p)
                                         for b, p in sorted(pairs))))
    return stmt


def _order_purchases(region_code: str, start: date, end: date, ids: set[int] | None) -> Select:
    """Every accepted order line of the period, of every listed product (the all-products
    orders): the price per pack the hospital ordered at (1/10000 yuan, exact) and the packs
    accepted, one row per acceptance row (rejected packs are not a purchase)."""
    a = OrderAcceptance
    stmt = (select(literal("L", String).label("kind"), a.product_id.label("pid"), a.supplier_org_id.label("sid"),
                   a.hospital_org_id.label("hospital_org_id"), a.price_e4.label("price_e4"),
                   cast(a.quantity, BigInteger).label("quantity"))
            .where(a.kind == "accepted", a.accepted_on >= start, a.accepted_on <= end, a.quantity > 0,
                   within_region(a.region_code, region_code)))
    if ids is not None:
        stmt = stmt.where(a.product_id.in_(ids or {0}))
    return stmt


def purchase_branches(region_code: str, start: date, end: date, keys: set[str] | None = None) -> tuple[Select, Select]:
    """The two kinds of purchase of the period, each a ``SELECT`` of (``kind`` ``L`` | ``V``, ``pid``
    the listed product | batch item, ``sid`` the supplier, ``hospital_org_id``, ``price_e4``,
    ``quantity``): the accepted order lines (``order_acceptance``) and the accepted VBP delivery
    lines (``settlement_acceptance``), read where they are kept — their rows are never changed,
    so a run does not copy them. ``keys``: only those products (the deep-monitoring list)."""
    ids = pairs = None
    if keys is not None:
        ids = {int(k[1:]) for k in keys if k.startswith("L") and k[1:].isdigit()}
        pairs = set()
        for key in keys:
            bi, _dash, sup = key[1:].partition("-")
            if key.startswith("V") and bi.isdigit() and sup.isdigit():
                pairs.add((int(bi), int(sup)))
    return _order_purchases(region_code, start, end, ids), _vbp_purchases(region_code, start, end, pairs)


def purchases(region_code: str, start: date, end: date, keys: set[str] | None = None):
    """Every purchase of the period (:func:`purchase_branches` as one subquery);
    :func:`product_key` names its products."""
    return union_all(*purchase_branches(region_code, start, end, keys)).subquery("purchases")


def product_key(kind: str, pid: int, sid: int | None) -> str:
    """The product key of a purchase's product (``L<id>`` | ``V<batch item id>-<supplier id>``)."""
    return f"L{pid}" if kind == "L" else f"V{pid}-{sid}"


def province_prices(region_code: str, start: date, end: date) -> Select:
    """Other provinces' prices the region's officers entered or imported, observed by the period's end."""
    return (_row(literal(region_code, String), literal("province", String), _text("PP", ProvincePrice.id),
                   _text("L", ProvincePrice.product_id), cast(null(), BigInteger), cast(null(), BigInteger),
                   cast(null(), BigInteger), ProvincePrice.observed_on, ProvincePrice.price_e4, literal(1, BigInteger))
            .where(province_filter(region_code, end)))


def province_filter(region_code: str, end: date):
    """The other provinces' prices a run of the region sees: active, observed by ``end``."""
    return and_(ProvincePrice.observed_on <= end, ProvincePrice.status == "active",
                within_region(ProvincePrice.region_code, region_code))


#: every source a monitoring run collects, by name (the purchases are read in place: :func:`purchases`)
SOURCES = {"listed": listed_prices, "selected": selected_prices, "province": province_prices}


