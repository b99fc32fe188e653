"""The monthly indicator report (监测指标报告): per product — hospitals buying it, quantity,
average price, price index against the month before, dispersion across hospitals, alerts
raised and closed — and per hospital and supplier — purchase lines, amount, alerts raised and
closed; the last twelve months of alerts for the chart. Summed in SQL per month (one
``GROUP BY`` each), over the hospitals' purchases read in place (``pricewatch.sources.purchases``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, cast, func
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.scoping import within_region
from core.money import round_half_up_div
from pricewatch.models import Alert
from pricewatch.peers import hospital_prices, key_of
from pricewatch.queries import key_names, org_names
from pricewatch.rules import month_period
from pricewatch.sources import purchases


@dataclass(frozen=True)
class ProductRow:
    """One product's month."""

    key: str
    name: str
    hospitals: int
    quantity: int
    average_e4: int
    index: Decimal | None  # average / last month's average
    dispersion: Decimal | None  # (highest − lowest hospital average) / average
    raised: int
    closed: int


@dataclass(frozen=True)
class OrgRow:
    """One hospital's or supplier's month."""

    org_id: int
    name: str
    lines: int
    amount_fen: int
    raised: int
    closed: int


@dataclass(frozen=True)
class Report:
    """The month's indicators and the last twelve months of alerts."""

    month: str
    products: list[ProductRow]
    hospitals: list[OrgRow]
    suppliers: list[OrgRow]
    months: list[str]
    raised_by_month: list[int]
    closed_by_month: list[int]


def previous_month(month: str) -> str:
    """``2026-01`` → ``2025-12``."""
    start, _end = month_period(month)
    before = start - timedelta(days=1)
    return f"{before:%Y-%m}"


def _averages(session: Session, region: str, month: str) -> dict[str, tuple[int, int, int, int, int]]:
    """Per product: (hospitals, quantity, average e4, lowest and highest hospital average)."""
    start, end = month_period(month)
    hp = hospital_prices(region, start, end)
    rows = session.exec(select(hp.c.kind, hp.c.pid, hp.c.sid, func.count(), cast(func.sum(hp.c.qty), BigInteger),
                               cast(func.sum(hp.c.hp * hp.c.qty), BigInteger), func.min(hp.c.hp), func.max(hp.c.hp))
                        .group_by(hp.c.kind, hp.c.pid, hp.c.sid)).all()
    return {key_of(int(kind), int(pid), sid): (int(n), int(q), round_half_up_div(int(a), int(q)), int(lo), int(hi))
            for kind, pid, sid, n, q, a, lo, hi in rows if q}


def _alert_counts(session: Session, region: str, month: str, column) -> tuple[dict, dict]:
    """Alerts raised in the month (by period) and closed in it, per ``column``."""
    start, end = month_period(month)
    lo = datetime.combine(start, time(), tzinfo=UTC)
    hi = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    mine = within_region(Alert.region_code, region)
    raised = dict(session.exec(select(column, func.count()).where(mine, Alert.period == month).group_by(column)).all())
    closed = dict(session.exec(select(column, func.count()).where(mine, Alert.closed_at >= lo, Alert.closed_at < hi)
                               .group_by(column)).all())
    return raised, closed


def _orgs(session: Session, region: str, month: str, column: str, alert_column) -> list[OrgRow]:
    start, end = month_period(month)
    p = purchases(region, start, end)
    by = p.c[column]
    amounts = session.exec(select(by, func.count(), cast(func.sum(p.c.price_e4 * p.c.quantity), BigInteger))
                           .where(by.is_not(None)).group_by(by)).all()
    raised, closed = _alert_counts(session, region, month, alert_column)
    ids = {int(i) for i, _n, _a in amounts} | {i for i in raised if i} | {i for i in closed if i}
    names = org_names(session, ids)
    by_id = {int(i): (int(n), round_half_up_div(int(a), 100)) for i, n, a in amounts}
    return sorted((OrgRow(i, names.get(i, str(i)), *by_id.get(i, (0, 0)), raised.get(i, 0), closed.get(i, 0))
                   for i in ids), key=lambda r: (-r.raised, -r.amount_fen, r.name))


def month_report(session: Session, actor: Actor, month: str) -> Report:
    """The region's indicators of ``month`` (the actor's region)."""
    region = actor.region_code
    now, before = _averages(session, region, month), _averages(session, region, previous_month(month))
    raised, closed = _alert_counts(session, region, month, Alert.product_key)
    keys = set(now) | set(raised) | set(closed)
    names = key_names(session, keys)
    products = []
    for key in sorted(keys, key=lambda k: names.get(k, k)):
        n, q, avg, lo, hi = now.get(key, (0, 0, 0, 0, 0))
        prev = before.get(key)
        products.append(ProductRow(key, names.get(key, key), n, q, avg,
                                   (Decimal(avg) / prev[2]).quantize(Decimal("0.0001")) if prev and avg else None,
                                   (Decimal(hi - lo) / avg).quantize(Decimal("0.0001")) if avg else None,
                                   raised.get(key, 0), closed.get(key, 0)))
    months = [month]
    for _n in range(11):
        months.insert(0, previous_month(months[0]))
    counts = [_alert_counts(session, region, m, Alert.region_code) for m in months]
    return Report(month, products, _orgs(session, region, month, "hospital_org_id", Alert.hospital_org_id),
                  _orgs(session, region, month, "sid", Alert.supplier_org_id), months,
                  [sum(r.values()) for r, _c in counts], [sum(c.values()) for _r, c in counts])


def this_month(today: date) -> str:
    """The month of ``today`` as ``YYYY-MM``."""
    return f"{today:%Y-%m}"
