"""The peer-median rule in SQL, over the hospitals' purchases read in place
(:func:`pricewatch.sources.purchase_branches`), one query per kind of purchase (accepted order
lines, accepted VBP lines): per product and hospital the average price paid over the period
(weighted by quantity, rounded half up to 1/10000 yuan) — one ``GROUP BY`` — then, over those
averages in one ordered pass of window functions partitioned by the product's integer ids, each
product's hospitals ranked, the median (the middle one, or the mean of the middle two) and the
hospitals above it by more than the setting. The averages are computed once (no second scan, no
join back); no row reaches Python but an outlier. Integer arithmetic throughout (``2 × median``
is an integer), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, case, cast, func, literal, null, or_, union_all
from sqlmodel import Session, select

from listing.models import ListedProduct
from pricewatch.sources import product_key, purchase_branches
from procurement.models import BatchItem, Item

LISTED, SELECTED = 0, 1  # the kinds of purchase: accepted order lines (L keys), accepted VBP lines (V keys)


def key_of(kind: int, pid: int, sid: int | None) -> str:
    """The product key of a grouped purchase (``L<id>`` | ``V<batch item id>-<supplier id>``)."""
    return product_key("L" if kind == LISTED else "V", pid, sid)


@dataclass(frozen=True)
class Outlier:
    """A hospital paying above its peers' median for a product."""

    product_key: str
    hospital_org_id: int
    item_id: int | None
    supplier_org_id: int | None
    price_e4: int  # the hospital's average price over the period
    median2_e4: int  # twice the median of the hospitals' averages
    hospitals: int
    quantity: int

    @property
    def median_e4(self) -> Decimal:
        """The median (may end in .5 of 1/10000 yuan)."""
        return Decimal(self.median2_e4) / 2


def _averages(branch, kind: int):
    """One kind of purchase grouped per product × hospital: the quantity-weighted average price
    of the period (``hp``) and the packs (``qty``). The order lines group by product × hospital
    (a listed product has one supplier: the bare ``GROUP BY`` plus the sums), the VBP lines by
    batch item × supplier × hospital."""
    p = branch.subquery()
    amount = cast(func.sum(p.c.price_e4 * p.c.quantity), BigInteger)
    qty = cast(func.sum(p.c.quantity), BigInteger)
    by = (p.c.pid, p.c.hospital_org_id) if kind == LISTED else (p.c.pid, p.c.sid, p.c.hospital_org_id)
    sid = null() if kind == LISTED else p.c.sid  # a listed product's supplier: looked up for the outliers only
    return select(literal(kind).label("kind"), p.c.pid, sid.label("sid"), p.c.hospital_org_id,
                  ((amount + qty // 2) // qty).label("hp"), qty.label("qty")).group_by(*by)


def hospital_prices(region_code: str, start: date, end: date, keys: set[str] | None = None):
    """Per product (``kind``, ``pid``, ``sid``) × hospital: the quantity-weighted average price of
    the period (``hp``) and the packs (``qty``) — a subquery (the report's)."""
    orders, vbp = purchase_branches(region_code, start, end, keys)
    return union_all(_averages(orders, LISTED), _averages(vbp, SELECTED)).subquery("hp")


def item_ids(session: Session, keys) -> tuple[dict[str, int], dict[str, int]]:
    """The catalog item of each product key — a listed product's by generic name and dosage form,
    a selected product's batch item's — and each listed product's supplier."""
    found: dict[str, int] = {}
    suppliers: dict[str, int] = {}
    listed = {int(k[1:]) for k in keys if k.startswith("L")}
    if listed:
        item = (select(func.min(Item.id)).where(Item.generic_name == ListedProduct.generic_name,
                                                Item.dosage_form == ListedProduct.dosage_form).scalar_subquery())
        for pid, supplier, item_id in session.exec(select(ListedProduct.id, ListedProduct.supplier_org_id, item)
                                                   .where(ListedProduct.id.in_(listed))).all():
            suppliers[f"L{pid}"] = int(supplier)
            if item_id is not None:
                found[f"L{pid}"] = int(item_id)
    batch_items = {int(k[1:].partition("-")[0]) for k in keys if k.startswith("V")}
    if batch_items:
        items = dict(session.exec(select(BatchItem.id, BatchItem.item_id).where(BatchItem.id.in_(batch_items))).all())
        for key in keys:
            if key.startswith("V") and (item := items.get(int(key[1:].partition("-")[0]))) is not None:
                found[key] = int(item)
    return found, suppliers


def peer_outliers(session: Session, region_code: str, start: date, end: date, pct: Decimal, min_peers: int,
                  keys: set[str] | None = None) -> list[Outlier]:
    """The hospitals whose average price exceeds the median of the product's hospitals by more
    than ``pct`` (a ratio, to 1/10000), where at least ``min_peers`` hospitals bought it."""
    bp = int((pct * 10000).to_integral_value())
    found = []
    for kind, branch in zip((LISTED, SELECTED), purchase_branches(region_code, start, end, keys), strict=True):
        hp = _averages(branch, kind).subquery("hp")
        part = (hp.c.pid,) if kind == LISTED else (hp.c.pid, hp.c.sid)  # a product: integers only
        ranked = select(*hp.c, func.row_number().over(partition_by=part, order_by=hp.c.hp).label("rn"),
                        func.count().over(partition_by=part).label("n")).subquery("ranked")
        r = ranked.c
        middle = or_(r.rn == (r.n + 1) // 2, r.rn == (r.n + 2) // 2)
        rpart = (r.pid,) if kind == LISTED else (r.pid, r.sid)
        med2 = (cast(func.sum(case((middle, r.hp), else_=0)).over(partition_by=rpart), BigInteger)
                * case((r.n % 2 == 1, 2), else_=1))
        medians = select(*r, med2.label("med2")).where(r.n >= min_peers).subquery("medians")
        m = medians.c
        found += [(kind, *row) for row in session.exec(select(m.pid, m.sid, m.hospital_org_id, m.hp, m.med2, m.n, m.qty)
                                                       .where(m.hp * 20000 > m.med2 * (10000 + bp))).all()]
    out = sorted((Outlier(key_of(kind, int(pid), sid), int(h), None,
                          int(sid) if sid is not None else None, int(price), int(med), int(n), int(q))
                  for kind, pid, sid, h, price, med, n, q in found), key=lambda o: (o.product_key, o.hospital_org_id))
    items, suppliers = item_ids(session, {o.product_key for o in out})
    return [Outlier(o.product_key, o.hospital_org_id, items.get(o.product_key),
                    suppliers.get(o.product_key, o.supplier_org_id), o.price_e4, o.median2_e4, o.hospitals, o.quantity)
            for o in out]
