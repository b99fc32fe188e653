"""Who sees which notices, and a user's inbox (read models, no writes).

A notice is seen by the users of its organisation — every user, or only those of its role."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.scoping import register_scope, scope
from notices.models import Notification

register_scope(Notification, lambda a: (Notification.org_id == a.org_id)
               & or_(Notification.role == None, Notification.role == str(a.role)))  # noqa: E711


def inbox(session: Session, actor: Actor, limit: int = 100) -> list[Notification]:
    """The actor's notifications, unread first, newest first."""
    stmt = scope(select(Notification), actor, Notification).order_by(
        Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(session.exec(stmt).all())
