"""What the price officer does with an alert: records follow-ups — asks for an explanation,
demands a correction, or refers it for a credit record (a breach recorded through
``credit.services`` against the supplier, with the alert's evidence attached, which the credit
rules then rate) — and closes it with a note. Also the inputs the rules read that officers keep:
other provinces' prices (entered one by one here, or imported: ``pricewatch.imports``) and the
deep-monitoring list. Each use case one transaction, audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

import pricewatch.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from accounts.scoping import scope
from core import audit
from core.db import lock_for_update
from core.i18n import N_
from credit import services as credit
from listing.models import ListedProduct
from pricewatch.errors import WatchError
from pricewatch.models import Alert, FollowUp, ProvincePrice, WatchedProduct

KINDS = ("explain", "correct", "credit")
MAX_TEXT = 2000


def _officer(actor: Actor) -> None:
    if actor.role != Role.PRICE_OFFICER:
        raise Forbidden("price officers only")


def _text(value: str, what, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise WatchError(N_("Please fill in %(what)s.", what=what))
    if len(value) > limit:
        raise WatchError(N_("%(what)s is longer than %(n)s characters.", what=what, n=limit))
    return value


def visible_alert(session: Session, actor: Actor, alert_id: int) -> Alert:
    """An alert in the actor's scope, locked; Forbidden when unknown or foreign."""
    if session.exec(scope(select(Alert.id).where(Alert.id == alert_id), actor, Alert)).first() is None:
        raise Forbidden("no such alert")
    return lock_for_update(session, Alert, alert_id)


def follow_up(session: Session, actor: Actor, alert_id: int, kind: str, note: str, now: datetime) -> FollowUp:
    """Record a follow-up of an open alert; ``credit`` records a breach against its supplier."""
    _officer(actor)
    alert = visible_alert(session, actor, alert_id)
    if alert.status != "open":
        raise WatchError(N_("The alert is closed."))
    if kind not in KINDS:
        raise WatchError(N_("Choose what was done."))
    note = _text(note, N_("the note"))
    if kind == "credit" and alert.supplier_org_id is None:
        raise WatchError(N_("This alert names no supplier: there is no one to refer for a credit record."))
    row = FollowUp(alert_id=alert.id, kind=kind, note=note, by=actor.user_id, at=now)
    session.add(row)
    audit.record(session, actor.audit(), "pricewatch.followup", "pricewatch_alert", alert.id,
                 {"kind": kind, "note": note[:200]}, at=now)
    if kind != "credit":
        session.commit()
        return row
    evidence = json.loads(alert.evidence_json)
    occurred = min(date.fromisoformat(evidence.get("period_end", now.date().isoformat())), now.date())
    breach = credit.record_breach(session, actor, credit.BreachInput(
        alert.supplier_org_id, "price_manipulation", occurred,
        f"价格监测预警 #{alert.id}（{alert.rule}，{alert.period}）：{note}",
        (f"price-alert-{alert.id}.json", alert.evidence_json.encode())), now)  # commits the follow-up with it
    row.breach_id = breach.id
    session.add(row)
    session.commit()
    return row


def close_alert(session: Session, actor: Actor, alert_id: int, note: str, now: datetime) -> Alert:
    """Close an open alert with a note (what came of it)."""
    _officer(actor)
    alert = visible_alert(session, actor, alert_id)
    if alert.status != "open":
        raise WatchError(N_("The alert is closed."))
    alert.close_note = _text(note, N_("the closing note"))
    alert.status, alert.closed_by, alert.closed_at = "closed", actor.user_id, now
    session.add(alert)
    audit.record(session, actor.audit(), "pricewatch.close", "pricewatch_alert", alert.id,
                 {"note": alert.close_note[:200]}, at=now)
    session.commit()
    return alert


@dataclass(frozen=True)
class ProvincePriceInput:
    """Another province's price of a listed product (by its national code)."""

    product_code: str
    province: str
    price_e4: int
    observed_on: date
    source: str = ""


def _product(session: Session, actor: Actor, code: str) -> ListedProduct | None:
    return session.exec(scope(select(ListedProduct).where(ListedProduct.code == code), actor, ListedProduct)).first()


def check_province_price(session: Session, actor: Actor, row: ProvincePriceInput, today: date) -> list[tuple[str, object]]:
    """Every problem of one province price as (field, reason); nothing is written."""
    problems: list[tuple[str, object]] = []
    if _product(session, actor, row.product_code) is None:
        problems.append(("product_code", N_("no listed product of your region has the code %(code)s",
                                            code=row.product_code[:30])))
    if not row.province.strip() or len(row.province.strip()) > 40:
        problems.append(("province", N_("name the province (at most 40 characters)")))
    if not 0 < row.price_e4 < 10**14:
        problems.append(("price", N_("the price must be more than 0")))
    if row.observed_on > today:
        problems.append(("observed_on", N_("the date cannot be after today")))
    if len(row.source) > 200:
        problems.append(("source", N_("at most %(n)s characters, no control characters", n=200)))
    return problems


def add_province_prices(session: Session, actor: Actor, rows: list[ProvincePriceInput], now: datetime,
                        today: date) -> list[ProvincePrice]:
    """Store other provinces' prices: every row, or none (``WatchError`` naming the first problem)."""
    _officer(actor)
    for n, row in enumerate(rows, start=1):
        problems = check_province_price(session, actor, row, today)
        if problems:
            field, why = problems[0]
            raise WatchError(N_("Row %(n)s, %(field)s: %(why)s", n=n, field=field, why=why))
    stored = []
    for row in rows:
        product = _product(session, actor, row.product_code)
        price = ProvincePrice(region_code=actor.region_code, product_id=product.id, province=row.province.strip(),
                              price_e4=row.price_e4, observed_on=row.observed_on, source=row.source.strip(),
                              entered_by=actor.user_id, entered_at=now)
        session.add(price)
        stored.append(price)
    audit.record(session, actor.audit(), "pricewatch.province_prices", "region", actor.region_code,
                 {"rows": len(rows)}, at=now)
    session.commit()
    return stored


def withdraw_province_price(session: Session, actor: Actor, price_id: int, reason: str, now: datetime) -> ProvincePrice:
    """Withdraw a province price entered by mistake (kept, no longer read by the rules)."""
    _officer(actor)
    if session.exec(scope(select(ProvincePrice.id).where(ProvincePrice.id == price_id), actor,
                          ProvincePrice)).first() is None:
        raise Forbidden("no such price")
    price = lock_for_update(session, ProvincePrice, price_id)
    if price.status != "active":
        raise WatchError(N_("The price was withdrawn already."))
    price.status, price.withdrawn_by, price.withdrawn_at = "withdrawn", actor.user_id, now
    price.withdrawn_reason = _text(reason, N_("the reason"), 200)
    session.add(price)
    audit.record(session, actor.audit(), "pricewatch.province_price_withdraw", "pricewatch_province_price", price.id,
                 {"reason": price.withdrawn_reason}, at=now)
    session.commit()
    return price


def watch_product(session: Session, actor: Actor, product_code: str, reason: str, now: datetime) -> WatchedProduct:
    """Put a listed product on the region's deep-monitoring list (watched weekly)."""
    _officer(actor)
    product = _product(session, actor, product_code)
    if product is None:
        raise WatchError(N_("no listed product of your region has the code %(code)s", code=product_code[:30]))
    if session.exec(select(WatchedProduct.id).where(WatchedProduct.region_code == actor.region_code,
                                                    WatchedProduct.product_id == product.id,
                                                    WatchedProduct.removed_at.is_(None))).first() is not None:
        raise WatchError(N_("The product is on the deep-monitoring list already."))
    row = WatchedProduct(region_code=actor.region_code, product_id=product.id, reason=_text(reason, N_("the reason"), 200),
                         added_by=actor.user_id, added_at=now)
    session.add(row)
    audit.record(session, actor.audit(), "pricewatch.watch", "listed_product", product.code, {"reason": row.reason},
                 at=now)
    session.commit()
    return row


def unwatch_product(session: Session, actor: Actor, watched_id: int, reason: str, now: datetime) -> WatchedProduct:
    """Take a product off the deep-monitoring list (the row stays, with who, when and why)."""
    _officer(actor)
    if session.exec(scope(select(WatchedProduct.id).where(WatchedProduct.id == watched_id), actor,
                          WatchedProduct)).first() is None:
        raise Forbidden("no such entry")
    row = lock_for_update(session, WatchedProduct, watched_id)
    if row.removed_at is not None:
        raise WatchError(N_("The product was taken off the list already."))
    row.removed_by, row.removed_at, row.removed_reason = actor.user_id, now, _text(reason, N_("the reason"), 200)
    session.add(row)
    audit.record(session, actor.audit(), "pricewatch.unwatch", "pricewatch_watched", row.id,
                 {"reason": row.removed_reason}, at=now)
    session.commit()
    return row
