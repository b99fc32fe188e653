"""Paged read models of the accounts package: the admin's organisation and user lists, filtered
and sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.roles import OrgKind, Role
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, contains, fetch, narrowed

ORG_FILTERS = ("q", "kind", "region")
ORG_SORTS = {"code": Organisation.code, "name": Organisation.name, "kind": Organisation.kind,
             "region": Organisation.region_code, "level": Organisation.level, "active": Organisation.active}
USER_FILTERS = ("q", "role", "org")
USER_SORTS = {"username": User.username, "name": User.display_name, "role": User.role,
              "org": Organisation.name, "active": User.active}


def org_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the organisations the actor may see, by code: ``q`` matches code or name,
    ``kind`` is an organisation kind, ``region`` a region code prefix."""
    kind, region = query.get("kind"), query.get("region")
    stmt = narrowed(scope(select(Organisation), actor, Organisation),
                    contains(query, "q", Organisation.code, Organisation.name),
                    Organisation.kind == kind if kind in set(OrgKind) else None,
                    Organisation.region_code.startswith(region, autoescape=True) if region else None)
    return fetch(session, stmt, query, ORG_SORTS, (Organisation.code, Organisation.id))


def user_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the users the actor may see, with their organisations, by username: ``q``
    matches username or name, ``role`` is a role, ``org`` matches the organisation's code or name."""
    role = query.get("role")
    stmt = narrowed(scope(select(User, Organisation).join(Organisation, User.org_id == Organisation.id), actor, User),
                    contains(query, "q", User.username, User.display_name),
                    contains(query, "org", Organisation.code, Organisation.name),
                    User.role == role if role in set(Role) else None)
    return fetch(session, stmt, query, USER_SORTS, (User.username, User.id))
