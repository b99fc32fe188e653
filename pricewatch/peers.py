"""The peer-median rule in SQL: per product and hospital the average price paid over the period
(weighted by quantity, rounded half up to 1/10000 yuan), the median of those averages across the
hospitals buying the product (window functions: the middle one, or the mean of the middle two),
and the hospitals above it by more than the setting — aggregates only, no row reaches Python but
an outlier. Integer arithmetic throughout (``2 × median`` is an integer), on SQLite and PostgreSQL
alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, case, cast, func, or_
from sqlmodel import Session, select

from pricewatch.models import Observation
from pricewatch.sources import PURCHASES


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


def hospital_prices(region_code: str, start: date, end: date, keys: set[str] | None = None):
    """Per product × hospital: the quantity-weighted average price of the period (a subquery)."""
    o = Observation
    amount = cast(func.sum(o.price_e4 * o.quantity), BigInteger)
    qty = cast(func.sum(o.quantity), BigInteger)
    stmt = (select(o.product_key.label("product_key"), o.hospital_org_id.label("hospital_org_id"),
                   ((amount + qty // 2) // qty).label("hp"), qty.label("qty"),
                   func.max(o.item_id).label("item_id"), func.max(o.supplier_org_id).label("supplier_org_id"))
            .where(o.region_code == region_code, o.source.in_(PURCHASES), o.observed_on >= start,
                   o.observed_on <= end, o.hospital_org_id.is_not(None), o.quantity > 0)
            .group_by(o.product_key, o.hospital_org_id))
    if keys is not None:
        stmt = stmt.where(o.product_key.in_(keys or {""}))
    return stmt.subquery("hp")


def peer_outliers(session: Session, region_code: str, start: date, end: date, pct: Decimal, min_peers: int,
                  keys: set[str] | None = None) -> list[Outlier]:
    """The hospitals whose average price exceeds the median of the product's hospitals by more
    than ``pct`` (a ratio, to 1/10000), where at least ``min_peers`` hospitals bought it."""
    hp = hospital_prices(region_code, start, end, keys)
    ranked = select(hp.c.product_key, hp.c.hp,
                    func.row_number().over(partition_by=hp.c.product_key, order_by=hp.c.hp).label("rn"),
                    func.count().over(partition_by=hp.c.product_key).label("n")).subquery("ranked")
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    med = (select(ranked.c.product_key, ranked.c.n,
                  (cast(func.sum(case((middle, ranked.c.hp), else_=0)), BigInteger)
                   * case((ranked.c.n % 2 == 1, 2), else_=1)).label("med2"))
           .where(ranked.c.n >= min_peers).group_by(ranked.c.product_key, ranked.c.n).subquery("med"))
    bp = int((pct * 10000).to_integral_value())
    rows = session.exec(select(hp.c.product_key, hp.c.hospital_org_id, hp.c.item_id, hp.c.supplier_org_id, hp.c.hp,
                               med.c.med2, med.c.n, hp.c.qty)
                        .join(med, med.c.product_key == hp.c.product_key)
                        .where(hp.c.hp * 20000 > med.c.med2 * (10000 + bp))
                        .order_by(hp.c.product_key, hp.c.hospital_org_id)).all()
    return [Outlier(str(k), int(h), i, s, int(p), int(m), int(n), int(q)) for k, h, i, s, p, m, n, q in rows]


def bare_group_by(session: Session, region_code: str, start: date, end: date) -> int:
    """The baseline the benchmark compares with: one plain ``GROUP BY`` product × hospital over the
    same lines (rows counted)."""
    o = Observation
    stmt = (select(o.product_key, o.hospital_org_id, func.sum(o.price_e4 * o.quantity), func.sum(o.quantity))
            .where(o.region_code == region_code, o.source.in_(PURCHASES), o.observed_on >= start,
                   o.observed_on <= end).group_by(o.product_key, o.hospital_org_id))
    return len(session.exec(stmt).all())
