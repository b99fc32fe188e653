"""Who sees which monitoring rows: bureau roles of the region only (alerts, their follow-ups,
other provinces' prices, runs, the deep-monitoring list). Hospitals and suppliers see none —
the officer contacts them through the follow-up."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlmodel import select

from accounts.actor import Actor
from accounts.scoping import register_scope, within_region
from pricewatch.models import Alert, FollowUp, ProvincePrice, WatchedProduct, WatchRun


def _by_region(model):
    def rule(actor: Actor) -> ColumnElement[bool]:
        return within_region(model.region_code, actor.region_code) if actor.is_bureau else false()

    return rule


def _followup_rule(actor: Actor) -> ColumnElement[bool]:
    return FollowUp.alert_id.in_(select(Alert.id).where(_by_region(Alert)(actor)))


for _model in (Alert, ProvincePrice, WatchRun, WatchedProduct):
    register_scope(_model, _by_region(_model))
register_scope(FollowUp, _followup_rule)
