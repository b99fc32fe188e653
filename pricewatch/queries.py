"""What the monitoring pages show, scoped to the actor: an alert with its evidence and
follow-ups, the subjects' names, other provinces' prices, the deep-monitoring list, runs."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

import pricewatch.scoping  # noqa: F401 - registers the scope rules
from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.scoping import scope
from listing.models import ListedProduct
from pricewatch.models import Alert, FollowUp, ProvincePrice, WatchedProduct, WatchRun
from procurement.models import BatchItem, Item


def key_names(session: Session, keys) -> dict[str, str]:
    """A readable name per product key: a listed product's generic name and code; a selected
    product's item name and supplier."""
    names: dict[str, str] = {}
    listed = [int(k[1:]) for k in keys if k.startswith("L") and k[1:].isdigit()]
    for p in session.exec(select(ListedProduct).where(ListedProduct.id.in_(listed or [0]))).all():
        names[f"L{p.id}"] = f"{p.generic_name} {p.spec} ({p.code})"
    for key in keys:
        if key.startswith("V") and "-" in key:
            bi, _dash, sup = key[1:].partition("-")
            if bi.isdigit() and sup.isdigit():
                item = session.exec(select(Item).join(BatchItem, BatchItem.item_id == Item.id)
                                    .where(BatchItem.id == int(bi))).first()
                org = session.get(Organisation, int(sup))
                names[key] = f"{item.generic_name if item else key} · {org.name if org else sup}"
    return names


def org_names(session: Session, ids) -> dict[int, str]:
    """Organisation names by id."""
    wanted = [i for i in ids if i]
    return {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.id.in_(wanted or [0]))).all()}


@dataclass(frozen=True)
class AlertView:
    """An alert for its page."""

    alert: Alert
    evidence: dict
    product: str
    hospital: str | None
    supplier: str | None
    followups: list[tuple[FollowUp, str]]


def alert_view(session: Session, actor: Actor, alert_id: int) -> AlertView | None:
    """An alert in the actor's scope with its evidence, names and follow-ups."""
    alert = session.exec(scope(select(Alert).where(Alert.id == alert_id), actor, Alert)).first()
    if alert is None:
        return None
    names = org_names(session, [alert.hospital_org_id, alert.supplier_org_id])
    followups = session.exec(select(FollowUp, User.display_name).join(User, User.id == FollowUp.by)
                             .where(FollowUp.alert_id == alert.id).order_by(FollowUp.id)).all()
    return AlertView(alert, json.loads(alert.evidence_json), key_names(session, [alert.product_key]).get(
        alert.product_key, alert.product_key), names.get(alert.hospital_org_id), names.get(alert.supplier_org_id),
        [(f, n) for f, n in followups])


def province_prices(session: Session, actor: Actor, limit: int = 500) -> list[tuple[ProvincePrice, ListedProduct]]:
    """The other provinces' prices the region entered, newest first."""
    rows = session.exec(scope(select(ProvincePrice, ListedProduct).join(
        ListedProduct, ListedProduct.id == ProvincePrice.product_id), actor, ProvincePrice)
        .order_by(ProvincePrice.id.desc()).limit(limit)).all()
    return [(p, lp) for p, lp in rows]


def watched(session: Session, actor: Actor) -> list[tuple[WatchedProduct, ListedProduct]]:
    """The deep-monitoring list (taken-off entries too, last)."""
    rows = session.exec(scope(select(WatchedProduct, ListedProduct).join(
        ListedProduct, ListedProduct.id == WatchedProduct.product_id), actor, WatchedProduct)
        .order_by(WatchedProduct.removed_at.is_not(None), WatchedProduct.id.desc())).all()
    return [(w, p) for w, p in rows]


def runs(session: Session, actor: Actor, limit: int = 12) -> list[WatchRun]:
    """The latest runs."""
    return list(session.exec(scope(select(WatchRun), actor, WatchRun).order_by(WatchRun.id.desc()).limit(limit)).all())


def province_price_of(session: Session, actor: Actor, price_id: int) -> ProvincePrice | None:
    """A province price in the actor's scope."""
    return session.exec(scope(select(ProvincePrice).where(ProvincePrice.id == price_id), actor, ProvincePrice)).first()


def watched_of(session: Session, actor: Actor, watched_id: int) -> WatchedProduct | None:
    """An entry of the deep-monitoring list in the actor's scope."""
    return session.exec(scope(select(WatchedProduct).where(WatchedProduct.id == watched_id), actor,
                              WatchedProduct)).first()
