"""A monitoring run (普遍监测 for a month, 深度监测 for a week of the named products): collect
the period's observations of the point sources (``INSERT … SELECT``, each source row once; the
hospitals' purchases are read in place by the rules, not copied), apply
the region's rules and raise an alert for each finding whose evidence was not raised before
(the fingerprint), into the price officers' inbox — the fingerprints looked up in one query, the
alerts and their notices each written with one multi-row ``INSERT``. One transaction; runs of a region are
serialised by an advisory lock. Callable by an officer's page, the scheduler or a test."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from sqlalchemy import exists, func, insert, text
from sqlmodel import Session, select

import pricewatch.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor, Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from accounts.scoping import within_region
from bidding.pricing import PricingError, Strength, strength_multiplier
from core import audit
from core.db import advisory_xact_lock
from core.i18n import N_
from core.money import format_price_e4, round_half_up_div
from listing.models import ListedProduct
from notices.services import notify_each
from paystd.queries import product_payments
from paystd.rules import pack_units, spec_strength
from pricewatch.models import Alert, Observation, ProvincePrice, WatchedProduct, WatchRun
from pricewatch.peers import peer_outliers
from pricewatch.rules import WatchRules, fingerprint, rose_beyond
from pricewatch.sources import COLUMNS, SOURCES, province_filter
from pricewatch.store import rules_for
from procurement.models import Item
from supply.notices import bureau_ids


@dataclass
class Finding:
    """What a rule found: the subject (product, hospital, supplier) and the evidence."""

    rule: str
    product_key: str
    evidence: dict
    product_id: int | None = None
    item_id: int | None = None
    hospital_org_id: int | None = None
    supplier_org_id: int | None = None
    text: object = None  # the notice (a Msg)
    subject: dict = field(default_factory=dict)


@dataclass
class Scan:
    """What every check of one run reads: the region, the period, the rules, the products watched
    (``keys``; None: all) and, loaded once for all the checks, the listed price history."""

    session: Session
    region_code: str
    start: date
    end: date
    rules: WatchRules
    keys: set[str] | None

    @cached_property
    def history(self) -> dict[str, list[tuple[date, int]]]:
        """Per listed product key: its price observations up to the period's end, in order."""
        return _listed_history(self.session, self.region_code, self.end, self.keys)


def collect(session: Session, region_code: str, start: date, end: date) -> int:
    """Copy the period's observations of every point source into ``pricewatch_observation``, each
    source row once (rows collected by an earlier run are left alone); the number of new rows."""
    counted = select(func.count()).select_from(Observation).where(Observation.region_code == region_code)
    before = session.exec(counted).one()
    for source in SOURCES.values():
        rows = source(region_code, start, end).subquery()
        fresh = select(*rows.c).where(~exists().where(Observation.source == rows.c.source,
                                                      Observation.ref == rows.c.ref))
        session.connection().execute(insert(Observation.__table__).from_select(list(COLUMNS), fresh))
    return session.exec(counted).one() - before


def _pct(before: int, after: int) -> str:
    return f"{(Decimal(after - before) * 100 / Decimal(before)).quantize(Decimal('0.1'))}%" if before else "—"


def _listed_history(session: Session, region_code: str, end: date, keys: set[str] | None):
    """Per listed product key: its price observations up to ``end``, in order."""
    stmt = (select(Observation.product_key, Observation.observed_on, Observation.price_e4)
            .where(Observation.region_code == region_code, Observation.source == "listed",
                   Observation.observed_on <= end).order_by(Observation.product_key, Observation.observed_on,
                                                            Observation.id))
    if keys is not None:
        stmt = stmt.where(Observation.product_key.in_(keys or {""}))
    history: dict[str, list[tuple[date, int]]] = {}
    for key, on, price in session.exec(stmt).all():
        history.setdefault(key, []).append((on, int(price)))
    return history


def _products(session: Session, keys) -> dict[str, ListedProduct]:
    ids = [int(k[1:]) for k in keys if k.startswith("L")]
    rows = session.exec(select(ListedProduct).where(ListedProduct.id.in_(ids or [0]))).all()
    return {f"L{p.id}": p for p in rows}


def listed_raises(scan: Scan) -> list[Finding]:
    """A listed price raised in the period by more than ``raise_pct`` over the price before it."""
    start, rules = scan.start, scan.rules
    rises = {}
    for key, rows in scan.history.items():
        before = [r for r in rows if r[0] < start]
        during = [r for r in rows if r[0] >= start]
        if before and during and rose_beyond(before[-1][1], during[-1][1], rules.raise_pct):
            rises[key] = (before[-1], during[-1])
    products = _products(scan.session, rises)
    found = []
    for key, ((was_on, was), (now_on, now)) in rises.items():
        if key in products:
            p = products[key]
            found.append(Finding("listed_raise", key, {"before": was, "before_on": was_on.isoformat(), "after": now,
                                                       "after_on": now_on.isoformat(), "rise": _pct(was, now),
                                                       "threshold": str(rules.raise_pct)},
                                 product_id=p.id, supplier_org_id=p.supplier_org_id,
                                 text=N_("Price alert: the listed price of %(product)s rose from %(before)s to "
                                         "%(after)s (%(rise)s)", product=f"{p.generic_name} {p.code}",
                                         before=format_price_e4(was), after=format_price_e4(now),
                                         rise=_pct(was, now))))
    return found


def peer_findings(scan: Scan) -> list[Finding]:
    """Hospitals paying above their peers' median for the same product by more than ``peer_pct``."""
    session, rules = scan.session, scan.rules
    found = []
    names = {}
    for o in peer_outliers(session, scan.region_code, scan.start, scan.end, rules.peer_pct, rules.peer_min, scan.keys):
        if o.hospital_org_id not in names:
            names[o.hospital_org_id] = session.get(Organisation, o.hospital_org_id).name
        median = o.median_e4
        found.append(Finding("peer_median", o.product_key,
                             {"hospital_price": o.price_e4, "median": str(median), "hospitals": o.hospitals,
                              "quantity": o.quantity, "above": _pct(int(median), o.price_e4) if median else "—",
                              "threshold": str(rules.peer_pct)},
                             item_id=o.item_id, hospital_org_id=o.hospital_org_id, supplier_org_id=o.supplier_org_id,
                             text=N_("Price alert: %(hospital)s paid %(price)s on average for %(product)s, above the "
                                     "median %(median)s of %(n)s hospitals", hospital=names[o.hospital_org_id],
                                     price=format_price_e4(o.price_e4), product=o.product_key,
                                     median=format_price_e4(round_half_up_div(o.median2_e4, 2)), n=o.hospitals)))
    return found


def _unit_price(price_e4: int, product: ListedProduct, item: Item) -> int:
    """A listed pack price as the unit comparable price of the item's representative specification."""
    multiplier = Fraction(1)
    strength = spec_strength(product.spec)
    if strength is not None and item.rep_strength:
        try:
            multiplier = strength_multiplier(strength, Strength(item.rep_strength, item.strength_unit or ""))
        except PricingError:
            multiplier = Fraction(1)
    exact = Fraction(price_e4) / (pack_units(product.pack) * multiplier)
    return round_half_up_div(exact.numerator, exact.denominator)


def non_selected_findings(scan: Scan) -> list[Finding]:
    """A non-selected product priced above k × the highest selected price of its generic."""
    session, region_code, end, rules, history = scan.session, scan.region_code, scan.end, scan.rules, scan.history
    products = {f"L{p.id}": p for p in session.exec(select(ListedProduct).where(
        ListedProduct.vbp_status == "non_selected", within_region(ListedProduct.region_code, region_code))).all()}
    selected: dict[int, int] = {}
    for item_id, price in session.exec(select(Observation.item_id, Observation.price_e4).where(
            Observation.region_code == region_code, Observation.source == "selected",
            Observation.observed_on <= end, Observation.item_id.is_not(None))).all():
        selected[item_id] = max(selected.get(item_id, 0), int(price))
    found = []
    for key, rows in history.items():
        p = products.get(key)
        if p is None:
            continue
        item = session.exec(select(Item).where(Item.generic_name == p.generic_name,
                                               Item.dosage_form == p.dosage_form)).first()
        if item is None or item.id not in selected:
            continue
        unit = _unit_price(rows[-1][1], p, item)
        if Decimal(unit) > rules.non_selected_multiple * selected[item.id]:
            found.append(Finding("non_selected", key, {"price": rows[-1][1], "unit_price": unit,
                                                        "selected_max": selected[item.id],
                                                        "multiple": str(rules.non_selected_multiple)},
                                 product_id=p.id, item_id=item.id, supplier_org_id=p.supplier_org_id,
                                 text=N_("Price alert: non-selected %(product)s costs %(unit)s per unit, above "
                                         "%(k)s × the selected price %(selected)s", product=f"{p.generic_name} {p.code}",
                                         unit=format_price_e4(unit), k=str(rules.non_selected_multiple),
                                         selected=format_price_e4(selected[item.id]))))
    return found


def province_findings(scan: Scan) -> list[Finding]:
    """A product priced higher here than in at least N other provinces (their latest prices)."""
    session, region_code, end, rules, history = scan.session, scan.region_code, scan.end, scan.rules, scan.history
    latest: dict[str, dict[str, tuple[date, int]]] = {}
    rows = session.exec(select(ProvincePrice.product_id, ProvincePrice.province, ProvincePrice.observed_on,
                               ProvincePrice.price_e4).where(province_filter(region_code, end))
                        .order_by(ProvincePrice.observed_on, ProvincePrice.id)).all()
    for product_id, province, on, price in rows:
        latest.setdefault(f"L{product_id}", {})[province] = (on, int(price))
    products = _products(session, latest)
    found = []
    for key, provinces in latest.items():
        p, here = products.get(key), history.get(key)
        if p is None or not here:
            continue
        price = here[-1][1]
        cheaper = sorted((name, on.isoformat(), pr) for name, (on, pr) in provinces.items() if pr < price)
        if len(cheaper) >= rules.provinces_n:
            found.append(Finding("provinces", key, {"here": price, "cheaper": cheaper, "n": rules.provinces_n},
                                 product_id=p.id, supplier_org_id=p.supplier_org_id,
                                 text=N_("Price alert: %(product)s at %(price)s is dearer here than in %(n)s other "
                                         "provinces", product=f"{p.generic_name} {p.code}",
                                         price=format_price_e4(price), n=len(cheaper))))
    return found


def paystd_findings(scan: Scan) -> list[Finding]:
    """A listed price changed in the period to above the payment standard's cap of that day."""
    session, region_code, start = scan.session, scan.region_code, scan.start
    found = []
    for key, rows in scan.history.items():
        for on, price in rows:
            if on < start or not key.startswith("L"):
                continue
            for pay in product_payments(session, None, on, region_code, {int(key[1:])}):
                if pay.pay.price_e4 != price or not pay.pay.above_cap:
                    continue
                p = pay.product
                found.append(Finding("paystd_cap", key, {"price": price, "on": on.isoformat(), "cap": pay.pay.cap_e4,
                                                          "standard": pay.pay.standard_e4, "year": pay.pay.year},
                                     product_id=p.id, item_id=pay.standard.item.id, supplier_org_id=p.supplier_org_id,
                                     text=N_("Price alert: %(product)s is priced %(price)s from %(on)s, above the "
                                             "payment standard's cap %(cap)s", product=f"{p.generic_name} {p.code}",
                                             price=format_price_e4(price), on=on.isoformat(),
                                             cap=format_price_e4(pay.pay.cap_e4))))
    return found


CHECKS = {"listed_raise": listed_raises, "peer_median": peer_findings, "non_selected": non_selected_findings,
          "provinces": province_findings, "paystd_cap": paystd_findings}


def _raised_before(session: Session, region_code: str, prints: list[str]) -> set[str]:
    """Which of the fingerprints the region's alerts hold already (one query per 500)."""
    found: set[str] = set()
    for k in range(0, len(prints), 500):
        found.update(session.exec(select(Alert.fingerprint).where(Alert.region_code == region_code,
                                                                  Alert.fingerprint.in_(prints[k:k + 500]))).all())
    return found


def watched_keys(session: Session, region_code: str) -> set[str]:
    """The product keys on the region's deep-monitoring list."""
    return {f"L{pid}" for pid in session.exec(select(WatchedProduct.product_id).where(
        WatchedProduct.region_code == region_code, WatchedProduct.removed_at.is_(None))).all()}


#: PostgreSQL settings of a run's transaction (``SET LOCAL``: back to the server's at commit): the peer
#: rule's GROUP BY and sort of a month's ~87,000 product × hospital averages stay in memory (at the
#: default 4 MB both spill to disk), and no JIT compilation (~0.2 s a query, more than it saves here)
RUN_SETTINGS = {"work_mem": "64MB", "jit": "off"}


def _roomy(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        for name, value in RUN_SETTINGS.items():
            session.execute(text(f"SET LOCAL {name} = '{value}'"))


def run_monitoring(session: Session, actor: Actor | None, period: str, start: date, end: date, now: datetime,
                   deep: bool = False, region_code: str | None = None) -> WatchRun:
    """Collect and check one period of the actor's region (the scheduler: ``region_code``;
    ``deep``: only the deep-monitoring list); alerts raised once per evidence, each told to the
    region's price officers."""
    if actor is not None:
        if actor.role != Role.PRICE_OFFICER:
            raise Forbidden("price officers only")
        region_code = actor.region_code
    if not region_code:
        raise ValueError("a run needs a region")
    advisory_xact_lock(session, f"pricewatch:{region_code}")
    _roomy(session)
    rules = rules_for(session, region_code)
    run = WatchRun(region_code=region_code, period=period, period_start=start, period_end=end, deep=deep,
                   started_by=actor.user_id if actor else None, started_at=now)
    session.add(run)
    session.flush()
    run.collected = collect(session, region_code, start, end)
    keys = watched_keys(session, region_code) if deep else None
    officers = bureau_ids(session, region_code)
    raised: dict[str, tuple[str, str, Finding]] = {}  # fingerprint → (rule, severity, finding), in order
    scan = Scan(session, region_code, start, end, rules, keys)
    for rule, check in CHECKS.items():
        severity = rules.severity(rule)
        if severity == "off":
            continue
        for finding in check(scan):
            subject = {"product": finding.product_key, "hospital": finding.hospital_org_id,
                       "supplier": finding.supplier_org_id}
            raised.setdefault(fingerprint(rule, period, subject, finding.evidence), (rule, severity, finding))
    for print_ in _raised_before(session, region_code, list(raised)):
        del raised[print_]
    rows = [{"region_code": region_code, "run_id": run.id, "rule": rule, "severity": severity, "period": period,
             "fingerprint": print_, "product_key": f.product_key, "product_id": f.product_id, "item_id": f.item_id,
             "hospital_org_id": f.hospital_org_id, "supplier_org_id": f.supplier_org_id, "raised_at": now,
             "status": "open", "close_note": "",
             "evidence_json": json.dumps({**f.evidence, "period": period, "period_start": start.isoformat(),
                                          "period_end": end.isoformat()}, ensure_ascii=False, default=str)}
            for print_, (rule, severity, f) in raised.items()]
    if rows:  # one multi-row INSERT each for the alerts and their notices
        session.execute(insert(Alert), rows)
        notify_each(session, officers, Role.PRICE_OFFICER, "price_alert", "", [f.text for _r, _s, f in raised.values()],
                    now)
    run.raised = len(rows)
    session.add(run)
    audit.record(session, actor.audit() if actor else audit.SYSTEM, "pricewatch.run", "region", region_code,
                 {"period": period, "deep": deep, "collected": run.collected, "raised": run.raised}, at=now)
    session.commit()
    return run
