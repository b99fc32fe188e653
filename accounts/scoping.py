"""The one place that decides what an actor may see.

Every list or lookup that serves a user goes through :func:`scope`, which adds the actor's
visibility condition for the model being queried. Models register how they are scoped with
:func:`register_scope`; an unregistered model cannot be scoped (and so cannot be served).

* Hospital and supplier users see their own organisation's rows.
* Bureau roles (price officer, settlement officer, admin) see their whole region.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, false, or_, true
from sqlmodel import select

from accounts.actor import Actor
from accounts.models import Organisation, User
from core.regions import region_ancestors, region_prefix

ScopeRule = Callable[[Actor], ColumnElement[bool]]
_RULES: dict[type, ScopeRule] = {}


def within_region(column, region_code: str) -> ColumnElement[bool]:
    """SQL condition: ``column`` holds a region code inside ``region_code``."""
    prefix = region_prefix(region_code)
    return true() if not prefix else column.startswith(prefix)


def register_scope(model: type, rule: ScopeRule) -> None:
    """Declare how rows of ``model`` are scoped."""
    _RULES[model] = rule


def by_org(org_column) -> ScopeRule:
    """Rows owned by an organisation: own org, or (bureau) any org in the region."""

    def rule(actor: Actor) -> ColumnElement[bool]:
        if actor.is_bureau:
            in_region = select(Organisation.id).where(within_region(Organisation.region_code, actor.region_code))
            return org_column.in_(in_region)
        return org_column == actor.org_id

    return rule


def by_region_reach(region_column) -> ScopeRule:
    """Rows attached to a region (batches): bureau sees inside its region, others see
    what covers theirs."""

    def rule(actor: Actor) -> ColumnElement[bool]:
        if actor.is_bureau:
            return within_region(region_column, actor.region_code)
        return region_column.in_(region_ancestors(actor.region_code))

    return rule


def scope(stmt, actor: Actor | None, model: type):
    """Restrict ``stmt`` over ``model`` to what ``actor`` may see (nothing for anonymous)."""
    if actor is None:
        return stmt.where(false())
    try:
        rule = _RULES[model]
    except KeyError:
        raise LookupError(f"no scope rule registered for {model.__name__}") from None
    return stmt.where(rule(actor))


def _org_rule(actor: Actor) -> ColumnElement[bool]:
    """Organisations: own one; bureau roles see every organisation in their region."""
    if actor.is_bureau:
        return or_(within_region(Organisation.region_code, actor.region_code),
                   Organisation.id == actor.org_id)
    return Organisation.id == actor.org_id


register_scope(Organisation, _org_rule)
register_scope(User, by_org(User.org_id))
