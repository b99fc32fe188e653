"""Writing notices, and marking one read: the platform's one notice inbox, which every package may
call. A notice goes to an organisation, or to one role in it; a ``Msg`` is stored as its msgid and
parameters, so each reader sees it in their own language. The writers add rows — the caller
commits, with the change the notice is about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.roles import Role
from core.i18n import Msg, stored_text
from notices.models import Notification


def notify(session: Session, org_ids: Iterable[int], role: Role | None, kind: str, batch_code: str,
           text: Msg | str, now: datetime) -> None:
    """One notification per organisation (optionally for one role), stored as msgid and
    parameters: each reader sees it in their own language."""
    for org_id in sorted(set(org_ids)):
        session.add(Notification(org_id=org_id, role=str(role) if role else None, kind=kind, batch_code=batch_code,
                                 text=stored_text(text), created_at=now))


def notify_each(session: Session, org_ids: Iterable[int], role: Role | None, kind: str, batch_code: str,
                texts: Iterable[Msg | str], now: datetime) -> int:
    """Many notices at once: each text to every organisation of ``org_ids`` (optionally for one
    role), in order, written with one multi-row ``INSERT`` (the caller commits); the rows added."""
    orgs = sorted(set(org_ids))
    rows = [{"org_id": org_id, "role": str(role) if role else None, "kind": kind, "batch_code": batch_code,
             "text": stored_text(text), "created_at": now} for text in texts for org_id in orgs]
    if rows:
        session.execute(insert(Notification), rows)
    return len(rows)


def notify_once(session: Session, texts: Mapping[int, str | Msg], role: Role | None, kind: str, batch_code: str,
                now: datetime, since: datetime) -> int:
    """Add one notification per organisation in ``texts`` unless it already has one of ``kind``
    for the batch since ``since``; the number added (the caller commits). A ``Msg`` is stored
    as its msgid and parameters, so each reader sees it in their language."""
    if not texts:
        return 0
    already = set(session.exec(select(Notification.org_id).where(
        Notification.org_id.in_(list(texts)), Notification.kind == kind, Notification.batch_code == batch_code,
        Notification.created_at >= since)).all())
    added = 0
    for org_id in sorted(set(texts) - already):
        session.add(Notification(org_id=org_id, role=str(role) if role else None, kind=kind, batch_code=batch_code,
                                 text=stored_text(texts[org_id]), created_at=now))
        added += 1
    return added


def mark_read(session: Session, actor: Actor, notification_id: int, now: datetime) -> None:
    """Mark one of the actor's notifications as read."""
    note = session.get(Notification, notification_id, with_for_update=True)
    if note is None or note.org_id != actor.org_id or (note.role and note.role != str(actor.role)):
        raise Forbidden("no such notification")
    if note.read_at is None:
        note.read_at = now
        session.commit()
