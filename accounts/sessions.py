"""Server-side login sessions: a random token in the cookie, its hash in ``user_session``.

A session is created at login and checked on every request: it must not be ended, idle for
longer than the idle timeout, or older than the absolute lifetime; its user and organisation
must still be active. ``last_seen_at`` is written at most once per :data:`TOUCH_SECONDS`, so
reading pages costs no write most of the time. Ending a session (logout, "log out
everywhere", deactivation, timeout) is a row update, never a delete: a copied cookie stops
working the moment its row is ended.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, select

from accounts.models import Organisation, User, UserSession

#: Seconds between two writes of ``last_seen_at`` for one session.
TOUCH_SECONDS = 60


class EndReason(StrEnum):
    """Why a session ended."""

    LOGOUT = "logout"
    EVERYWHERE = "everywhere"
    DEACTIVATED = "deactivated"
    IDLE = "idle"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SessionPolicy:
    """Idle timeout and absolute lifetime of a session, from settings."""

    idle_seconds: int = 1800
    lifetime_seconds: int = 43200


@dataclass(frozen=True)
class SessionCheck:
    """What checking a cookie found: the live session's user, and the write it needs
    (``touch`` or an :class:`EndReason`), if any."""

    user: User | None
    session_id: int | None = None
    write: str | None = None


def _digest(token: str) -> str:
    """What the database keeps of a token (a stolen table yields no usable cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, address: str, now: datetime, *, commit: bool = True) -> str:
    """Open a session for ``user``; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_digest(token), user_id=user.id, address=address[:64],
                            created_at=now, last_seen_at=now))
    if commit:
        session.commit()
    return token


def check_session(session: Session, token: str, policy: SessionPolicy, now: datetime) -> SessionCheck:
    """Find the live session of ``token`` (reads only; :func:`apply_check` does the write)."""
    row = session.exec(select(UserSession).where(UserSession.token_hash == _digest(token))).first() if token else None
    if row is None or row.ended_at is not None:
        return SessionCheck(None)
    if now - row.created_at >= timedelta(seconds=policy.lifetime_seconds):
        return SessionCheck(None, row.id, EndReason.EXPIRED)
    if now - row.last_seen_at >= timedelta(seconds=policy.idle_seconds):
        return SessionCheck(None, row.id, EndReason.IDLE)
    user = session.get(User, row.user_id)
    org = session.get(Organisation, user.org_id) if user else None
    if user is None or not user.active or org is None or not org.active:
        return SessionCheck(None, row.id, EndReason.DEACTIVATED)
    touch = now - row.last_seen_at >= timedelta(seconds=TOUCH_SECONDS)
    return SessionCheck(user, row.id, "touch" if touch else None)


def apply_check(session: Session, check: SessionCheck, now: datetime) -> None:
    """Write what :func:`check_session` asked for: refresh ``last_seen_at`` or end the session."""
    if check.write is None or check.session_id is None:
        return
    live = (UserSession.id == check.session_id) & (UserSession.ended_at.is_(None))
    if check.write == "touch":
        session.execute(update(UserSession).where(live).values(last_seen_at=now))
    else:
        session.execute(update(UserSession).where(live).values(ended_at=now, end_reason=str(check.write)))
    session.commit()


def end_session(session: Session, token: str, reason: EndReason, now: datetime) -> None:
    """End the session of ``token`` (logout)."""
    live = (UserSession.token_hash == _digest(token)) & (UserSession.ended_at.is_(None))
    session.execute(update(UserSession).where(live).values(ended_at=now, end_reason=str(reason)))
    session.commit()


def end_user_sessions(session: Session, user_id: int, reason: EndReason, now: datetime, *,
                      commit: bool = True) -> int:
    """End every live session of a user; returns how many were ended."""
    live = (UserSession.user_id == user_id) & (UserSession.ended_at.is_(None))
    result = session.execute(update(UserSession).where(live).values(ended_at=now, end_reason=str(reason)))
    if commit:
        session.commit()
    return result.rowcount


def live_sessions(session: Session, user_id: int, policy: SessionPolicy, now: datetime) -> list[UserSession]:
    """A user's sessions that still work, newest first (for the account page)."""
    rows = session.exec(select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None),
                                                  UserSession.created_at > now - timedelta(seconds=policy.lifetime_seconds),
                                                  UserSession.last_seen_at > now - timedelta(seconds=policy.idle_seconds))
                        .order_by(UserSession.created_at.desc())).all()
    return list(rows)
