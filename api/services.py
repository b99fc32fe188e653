"""Create, revoke and check API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import Organisation, User
from accounts.roles import Role
from api.models import ApiToken
from core import audit

PREFIX = "jc_"


def _hash(token: str) -> str:
    """SHA-256 of a token (tokens are 256-bit random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: Actor, name: str, now: datetime) -> tuple[str, ApiToken]:
    """A new token for the actor's organisation; the plaintext is returned once, never stored."""
    if actor.role == Role.ADMIN:
        raise Forbidden("administrators do not get API tokens")
    name = name.strip()[:100] or "API"
    plain = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(org_id=actor.org_id, name=name, prefix=plain[:10], token_hash=_hash(plain),
                   role=str(actor.role), created_by=actor.user_id, created_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor.audit(), "api_token.create", "api_token", row.id, {"name": name}, at=now)
    session.commit()
    return plain, row


def revoke_token(session: Session, actor: Actor, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token of the actor's organisation (kept, marked revoked)."""
    row = session.get(ApiToken, token_id, with_for_update=True)
    if row is None or row.org_id != actor.org_id:
        raise Forbidden("no such token")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, actor.audit(), "api_token.revoke", "api_token", row.id, {"name": row.name}, at=now)
        session.commit()
    return row


def tokens_of(session: Session, actor: Actor) -> list[ApiToken]:
    """The organisation's tokens, newest first."""
    return list(session.exec(select(ApiToken).where(ApiToken.org_id == actor.org_id)
                             .order_by(ApiToken.id.desc())).all())


def actor_for_token(session: Session, plain: str, now: datetime) -> Actor | None:
    """The actor a live token stands for (None when unknown or revoked)."""
    if not plain.startswith(PREFIX) or len(plain) > 100:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(plain))).first()
    if row is None or row.revoked_at is not None:
        return None
    org = session.get(Organisation, row.org_id)
    user = session.get(User, row.created_by)
    if org is None or not org.active or user is None or not user.active:
        return None
    return Actor(user.id, f"api:{row.prefix}", Role(row.role), org.id, org.kind, org.region_code)
