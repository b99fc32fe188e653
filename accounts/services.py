"""Use cases for organisations and users: create, edit, authenticate with throttling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.models import LoginAttempt, Organisation, User
from accounts.passwords import hash_password, verify_password
from accounts.roles import ROLE_ORG_KIND, OrgKind, Role
from core import audit
from core.clock import utcnow


class AccountError(ValueError):
    """A refused account change, with a message for the user."""


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures within which window lock an account or an address."""

    max_failures: int = 5
    window_seconds: int = 900


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a login attempt; ``user`` is set only on success."""

    user: User | None
    throttled: bool = False


def _require_admin(actor: Actor | None) -> None:
    """Only admins (or the seed/CLI, acting as ``None``) manage organisations and users."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("admin only")


def _audit_actor(actor: Actor | None) -> audit.AuditActor:
    """The audit identity of an actor, or the system."""
    return actor.audit() if actor else audit.SYSTEM


def create_organisation(
    session: Session,
    actor: Actor | None,
    *,
    code: str,
    name: str,
    kind: OrgKind,
    region_code: str,
    level: str | None = None,
    bank_name: str | None = None,
    bank_cnaps: str | None = None,
    bank_account: str | None = None,
    commit: bool = True,
) -> Organisation:
    """Register an organisation; codes are unique, bank CNAPS codes have 12 digits."""
    _require_admin(actor)
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise AccountError("机构代码和名称必填 / code and name are required")
    if session.exec(select(Organisation).where(Organisation.code == code)).first():
        raise AccountError(f"机构代码已存在 / organisation code already exists: {code}")
    if bank_cnaps and not (len(bank_cnaps) == 12 and bank_cnaps.isdigit()):
        raise AccountError("联行号须为 12 位数字 / CNAPS code must be 12 digits")
    org = Organisation(
        code=code,
        name=name,
        kind=OrgKind(kind),
        region_code=region_code,
        level=level,
        bank_name=bank_name,
        bank_cnaps=bank_cnaps,
        bank_account=bank_account,
        created_at=utcnow(),
    )
    session.add(org)
    session.flush()
    audit.record(session, _audit_actor(actor), "org.create", "organisation", org.code, {"kind": kind})
    if commit:
        session.commit()
    return org


def update_organisation(
    session: Session, actor: Actor, org_id: int, **changes: object
) -> Organisation:
    """Edit an organisation's name, region, level, bank details or active flag."""
    _require_admin(actor)
    org = session.get(Organisation, org_id, with_for_update=True)
    if org is None:
        raise AccountError("机构不存在 / no such organisation")
    allowed = {"name", "region_code", "level", "bank_name", "bank_cnaps", "bank_account", "active"}
    before = {}
    for key, value in changes.items():
        if key not in allowed:
            raise AccountError(f"不可修改的字段 / field cannot be changed: {key}")
        before[key] = getattr(org, key)
        setattr(org, key, value)
    cnaps = org.bank_cnaps
    if cnaps and not (len(cnaps) == 12 and cnaps.isdigit()):
        raise AccountError("联行号须为 12 位数字 / CNAPS code must be 12 digits")
    audit.record(session, actor.audit(), "org.update", "organisation", org.code,
                 {"before": before, "after": {k: changes[k] for k in before}})
    session.commit()
    return org


def create_user(
    session: Session,
    actor: Actor | None,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    org_id: int,
    commit: bool = True,
) -> User:
    """Create a user whose role fits the kind of its organisation."""
    _require_admin(actor)
    username = username.strip().lower()
    org = session.get(Organisation, org_id)
    if org is None:
        raise AccountError("机构不存在 / no such organisation")
    if ROLE_ORG_KIND[Role(role)] != org.kind:
        raise AccountError("角色与机构类型不符 / role does not fit the organisation's kind")
    if session.exec(select(User).where(User.username == username)).first():
        raise AccountError(f"用户名已存在 / username already taken: {username}")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=Role(role),
        org_id=org_id,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    audit.record(session, _audit_actor(actor), "user.create", "user", username,
                 {"role": str(role), "org": org.code})
    if commit:
        session.commit()
    return user


def set_user_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate or reactivate a user (users are never deleted)."""
    _require_admin(actor)
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise AccountError("用户不存在 / no such user")
    user.active = active
    audit.record(session, actor.audit(), "user.activate" if active else "user.deactivate",
                 "user", user.username)
    session.commit()
    return user


def _recent_failures(session: Session, column, value: str, since: datetime) -> int:
    """Count failed logins for one account or one address since ``since``."""
    stmt = select(func.count()).select_from(LoginAttempt).where(column == value, LoginAttempt.at >= since)
    return session.exec(stmt).one()


def authenticate(
    session: Session,
    username: str,
    password: str,
    address: str,
    policy: LoginPolicy = LoginPolicy(),
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a login, throttled per account and per address; never says which part was wrong."""
    now = now or utcnow()
    username = (username or "").strip().lower()
    since = now - timedelta(seconds=policy.window_seconds)
    if (
        _recent_failures(session, LoginAttempt.username, username, since) >= policy.max_failures
        or _recent_failures(session, LoginAttempt.address, address, since) >= policy.max_failures * 4
    ):
        verify_password(None, password)  # same cost as a real check
        return LoginOutcome(user=None, throttled=True)
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        session.add(LoginAttempt(username=username[:60], address=address[:64], at=now))
        session.commit()
        return LoginOutcome(user=None)
    org = session.get(Organisation, user.org_id)
    if org is None or not org.active:
        return LoginOutcome(user=None)
    audit.record(session, audit.AuditActor(user.id, user.org_id, user.username),
                 "user.login", "user", user.username, at=now)
    session.commit()
    return LoginOutcome(user=user)


def actor_for(session: Session, user: User) -> Actor:
    """Build the service-level :class:`Actor` for a loaded user."""
    org = session.get(Organisation, user.org_id)
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        org_id=user.org_id,
        org_kind=org.kind,
        region_code=org.region_code,
    )
