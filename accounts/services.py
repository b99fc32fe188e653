"""Use cases for organisations and users: create and edit them inside the admin's own region."""

from __future__ import annotations

from sqlalchemy import column, table
from sqlmodel import Session, select

from accounts.actor import Actor, Forbidden
from accounts.errors import AccountError
from accounts.login import LoginOutcome, LoginPolicy, authenticate  # noqa: F401 - the login use case
from accounts.models import Organisation, User
from accounts.passwords import hash_password
from accounts.roles import ROLE_ORG_KIND, OrgKind, Role
from accounts.sessions import EndReason, end_user_sessions
from core import audit
from core.clock import utcnow
from core.regions import region_contains

#: The region catalogue (procurement owns the model; accounts only asks whether a code exists).
_REGION = table("region", column("code"))
#: Bank details change only through a four-eyes request (accounts.bank).
BANK_FIELDS = ("bank_name", "bank_cnaps", "bank_account")


def _require_admin(actor: Actor | None) -> None:
    """Only admins (or the seed/CLI, acting as ``None``) manage organisations and users."""
    if actor is not None and actor.role != Role.ADMIN:
        raise Forbidden("admin only")


def check_region(session: Session, actor: Actor | None, region_code: str) -> None:
    """The region must exist and, for an admin, lie inside the admin's own region."""
    if not session.execute(select(_REGION.c.code).where(_REGION.c.code == region_code)).first():
        raise AccountError(f"地区代码不存在 / no such region code: {region_code}")
    if actor is not None and not region_contains(actor.region_code, region_code):
        raise AccountError(f"地区 {region_code} 不在您的管辖范围（{actor.region_code}）内 / region "
                           f"{region_code} is outside your region {actor.region_code}")


def in_reach(actor: Actor | None, org: Organisation) -> bool:
    """True when the admin may manage ``org`` (the seed/CLI may manage every organisation)."""
    return actor is None or region_contains(actor.region_code, org.region_code)


def _managed_org(session: Session, actor: Actor | None, org_id: int, *, lock: bool = False) -> Organisation:
    """An organisation inside the admin's region, or a refusal that does not say whether it exists."""
    org = session.get(Organisation, org_id, with_for_update=lock) if org_id is not None else None
    if org is None or not in_reach(actor, org):
        raise AccountError("机构不存在 / no such organisation")
    return org


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
    check_region(session, actor, region_code)
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
    """Edit an organisation's name, region, level or active flag, inside the admin's region.

    An admin never moves its own organisation (that would change its own reach) nor any
    organisation outside its region; bank details change only through :mod:`accounts.bank`.
    """
    _require_admin(actor)
    org = _managed_org(session, actor, org_id, lock=True)
    allowed = {"name", "region_code", "level", "active"}
    before = {}
    for key, value in changes.items():
        if key in BANK_FIELDS and value != getattr(org, key):
            raise AccountError("银行账户变更须提交变更申请，由另一位管理员确认 / a bank account change "
                               "needs a change request confirmed by a second admin")
        if key in BANK_FIELDS:
            continue
        if key not in allowed:
            raise AccountError(f"不可修改的字段 / field cannot be changed: {key}")
        if key == "region_code" and value != org.region_code:
            if actor is not None and org.id == actor.org_id:
                raise AccountError("不能修改本机构的地区 / you cannot change the region of your own organisation")
            check_region(session, actor, str(value))
        if key == "active" and not value and actor is not None and org.id == actor.org_id:
            raise AccountError("不能停用本机构 / you cannot deactivate your own organisation")
        before[key] = getattr(org, key)
        setattr(org, key, value)
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
    org = _managed_org(session, actor, org_id)
    if ROLE_ORG_KIND[Role(role)] != org.kind:
        raise AccountError("角色与机构类型不符 / role does not fit the organisation's kind")
    if session.exec(select(User).where(User.username == username)).first():
        raise AccountError(f"用户名已存在 / username already taken: {username}")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password, names=(username, display_name, org.name)),
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
    """Deactivate or reactivate a user in the admin's region (users are never deleted);
    deactivating ends the user's sessions."""
    _require_admin(actor)
    user = session.get(User, user_id, with_for_update=True)
    if user is None or not in_reach(actor, session.get(Organisation, user.org_id)):
        raise AccountError("用户不存在 / no such user")
    if actor is not None and user.id == actor.user_id and not active:
        raise AccountError("不能停用自己的账户 / you cannot deactivate your own account")
    user.active = active
    audit.record(session, _audit_actor(actor), "user.activate" if active else "user.deactivate",
                 "user", user.username)
    if not active:
        end_user_sessions(session, user.id, EndReason.DEACTIVATED, utcnow(), commit=False)
    session.commit()
    return user


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


def log_out_everywhere(session: Session, actor: Actor, user_id: int) -> int:
    """End every session of a user: the user itself, or an admin for a user in its region."""
    user = session.get(User, user_id)
    if user is None or (user.id != actor.user_id and (
            actor.role != Role.ADMIN or not in_reach(actor, session.get(Organisation, user.org_id)))):
        raise AccountError("用户不存在 / no such user")
    ended = end_user_sessions(session, user.id, EndReason.EVERYWHERE, utcnow(), commit=False)
    audit.record(session, actor.audit(), "user.logout_everywhere", "user", user.username, {"sessions": ended})
    session.commit()
    return ended
