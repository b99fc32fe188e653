"""Who sees which credit rows (registered with :func:`accounts.scoping.register_scope`).

* Suppliers: their own breaches, ratings and repairs (a rating is theirs to appeal).
* Bureau roles: the rows their region's bureau recorded (breaches and ratings carry the
  recording bureau's region), and their region's credit policy.
* Hospitals: none.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlmodel import select

from accounts.actor import Actor
from accounts.roles import Role
from accounts.scoping import register_scope, within_region
from credit.models import Breach, CreditPolicy, Rating, Repair


def _by_supplier_or_region(model):
    """Own supplier's rows; bureau roles the rows recorded inside their region."""

    def rule(actor: Actor) -> ColumnElement[bool]:
        if actor.is_bureau:
            return within_region(model.region_code, actor.region_code)
        if actor.role == Role.SUPPLIER_REP:
            return model.supplier_org_id == actor.org_id
        return false()

    return rule


def _repair_rule(actor: Actor) -> ColumnElement[bool]:
    """Repairs: as their ratings."""
    return Repair.rating_id.in_(select(Rating.id).where(_by_supplier_or_region(Rating)(actor)))


def _policy_rule(actor: Actor) -> ColumnElement[bool]:
    """Policies: bureau roles of the region."""
    return within_region(CreditPolicy.region_code, actor.region_code) if actor.is_bureau else false()


register_scope(Breach, _by_supplier_or_region(Breach))
register_scope(Rating, _by_supplier_or_region(Rating))
register_scope(Repair, _repair_rule)
register_scope(CreditPolicy, _policy_rule)
