"""Paged read model of the notices: the inbox, filtered and sorted in SQL through :mod:`core.paging`."""

from __future__ import annotations

from sqlmodel import Session, select

import notices.queries  # noqa: F401  (registers the scope rule)
from accounts.actor import Actor
from accounts.scoping import scope
from core.paging import FIRST_PAGE, ListQuery, Page, fetch
from notices.models import Notification

NOTE_FILTERS = ("state", "kind")
NOTE_SORTS = {"created": Notification.created_at, "kind": Notification.kind, "batch": Notification.batch_code}


def inbox_page(session: Session, actor: Actor, query: ListQuery = FIRST_PAGE) -> Page:
    """One page of the actor's notifications, unread first, newest first; filters ``state``
    (``unread``/``read``) and ``kind``."""
    stmt = scope(select(Notification), actor, Notification)
    if query.get("state") == "unread":
        stmt = stmt.where(Notification.read_at.is_(None))
    elif query.get("state") == "read":
        stmt = stmt.where(Notification.read_at.is_not(None))
    if (kind := query.get("kind")) is not None:
        stmt = stmt.where(Notification.kind == kind)
    return fetch(session, stmt, query, NOTE_SORTS,
                 (Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc()))
