"""Notifications of the supply and credit steps (stored as msgids: each reader sees them in
their own language) and who receives them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core.i18n import Msg, stored_text
from review.models import Notification


def notify(session: Session, org_ids: Iterable[int], role: Role | None, kind: str, batch_code: str, text: Msg,
           now: datetime) -> None:
    """One notification per organisation (for one role of it, or all when ``role`` is None)."""
    for org_id in sorted(set(org_ids)):
        session.add(Notification(org_id=org_id, role=role, kind=kind, batch_code=batch_code[:40],
                                 text=stored_text(text), created_at=now))


def bureau_ids(session: Session, region_code: str) -> set[int]:
    """The bureau organisations of a region (their price officers act on supply and credit)."""
    return set(session.exec(select(Organisation.id).where(Organisation.kind == OrgKind.BUREAU,
                                                          Organisation.region_code == region_code)).all())
