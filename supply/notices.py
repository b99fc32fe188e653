"""Who receives the notices of the supply and credit steps (written through
``notices.services.notify``, stored as msgids: each reader sees them in their own language)."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.models import Organisation
from accounts.roles import OrgKind


def bureau_ids(session: Session, region_code: str) -> set[int]:
    """The bureau organisations of a region (their price officers act on supply and credit)."""
    return set(session.exec(select(Organisation.id).where(Organisation.kind == OrgKind.BUREAU,
                                                          Organisation.region_code == region_code)).all())
