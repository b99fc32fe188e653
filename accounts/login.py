"""Signing in: the password check, throttled per account strictly and per address softly.

* **Per account**: at most ``max_failures`` password checks that fail within the window. A
  slot is claimed (a ``pending`` attempt row, under a per-account lock) *before* the password
  is checked, so parallel guesses cannot check more passwords than the policy allows.
* **Per address**: never a refusal (a hospital behind one NAT or a load balancer shares an
  address), only a growing delay once the address has many recent failures, capped.
* **No enumeration**: unknown users claim slots, run a full hash and get the same answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from accounts.models import LoginAttempt, Organisation, User
from accounts.passwords import verify_password
from core import audit
from core.clock import utcnow
from core.db import advisory_xact_lock


@dataclass(frozen=True)
class LoginPolicy:
    """Failures per account within the window before it is locked; failures per address
    before the delay starts, and the delay's cap."""

    max_failures: int = 5
    window_seconds: int = 900
    address_free_failures: int = 20
    address_max_delay_seconds: float = 5.0


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt; ``user`` is set only on success."""

    user: User | None
    throttled: bool = False


def address_delay(failures: int, policy: LoginPolicy) -> float:
    """Seconds to wait before checking a password from an address with ``failures`` recent
    failures: none up to the free allowance, then doubling from ¼ s per further five, capped."""
    over = failures - policy.address_free_failures
    if over < 0:
        return 0.0
    return min(0.25 * 2 ** (over // 5), policy.address_max_delay_seconds)


def _failures(session: Session, column, value: str, since: datetime) -> int:
    """Attempts not known to have succeeded (failed or still pending) since ``since``."""
    stmt = (select(func.count()).select_from(LoginAttempt)
            .where(column == value, LoginAttempt.at >= since, LoginAttempt.outcome != "ok"))
    return session.exec(stmt).one()


def _claim(session: Session, username: str, address: str, policy: LoginPolicy, now: datetime,
           since: datetime) -> tuple[int | None, str | None, int | None]:
    """Take one password-check slot for the account, atomically; (attempt id, hash, user id)
    or ``None`` as the id when the account is locked."""
    advisory_xact_lock(session, f"login:{username}")
    if _failures(session, LoginAttempt.username, username, since) >= policy.max_failures:
        session.commit()
        return None, None, None
    attempt = LoginAttempt(username=username, address=address, at=now, outcome="pending")
    session.add(attempt)
    user = session.exec(select(User).where(User.username == username)).first()
    session.flush()
    claimed = (attempt.id, user.password_hash if user else None, user.id if user else None)
    session.commit()
    return claimed


def authenticate(
    session: Session,
    username: str,
    password: str,
    address: str,
    policy: LoginPolicy = LoginPolicy(),
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> LoginOutcome:
    """Check a login; never says which part was wrong."""
    now = now or utcnow()
    username = (username or "").strip().lower()[:60]
    address = (address or "unknown")[:64]
    since = now - timedelta(seconds=policy.window_seconds)
    delay = address_delay(_failures(session, LoginAttempt.address, address, since), policy)
    session.commit()  # hold no transaction (nor SQLite's write lock) while waiting
    if delay:
        sleep(delay)
    attempt_id, stored_hash, user_id = _claim(session, username, address, policy, now, since)
    if attempt_id is None:
        verify_password(None, password)  # same cost as a real check
        return LoginOutcome(user=None, throttled=True)
    ok = verify_password(stored_hash, password)
    user = session.get(User, user_id) if ok else None
    org = session.get(Organisation, user.org_id) if user else None
    success = bool(user and user.active and org and org.active)
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id)
                    .values(outcome="ok" if success else "failed"))
    if success:
        audit.record(session, audit.AuditActor(user.id, user.org_id, user.username),
                     "user.login", "user", user.username, at=now)
    session.commit()
    return LoginOutcome(user=user if success else None)
