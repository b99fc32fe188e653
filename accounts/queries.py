"""Read models for organisations and users, always scoped to the actor."""

from __future__ import annotations

from sqlmodel import Session, func, select

from accounts.actor import Actor
from accounts.models import Organisation, User
from accounts.scoping import scope


def list_organisations(session: Session, actor: Actor, kind: str | None = None,
                       page: int = 1, per_page: int = 50) -> tuple[list[Organisation], int]:
    """A page of organisations the actor may see, by code, and the total count."""
    stmt = scope(select(Organisation), actor, Organisation)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(Organisation.code).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def get_organisation(session: Session, actor: Actor, org_id: int) -> Organisation | None:
    """One organisation, or None when it does not exist or is outside the actor's scope."""
    stmt = scope(select(Organisation).where(Organisation.id == org_id), actor, Organisation)
    return session.exec(stmt).first()


def find_organisation(session: Session, actor: Actor, code: str) -> Organisation | None:
    """One organisation by official code within the actor's scope."""
    stmt = scope(select(Organisation).where(Organisation.code == code), actor, Organisation)
    return session.exec(stmt).first()


def list_users(session: Session, actor: Actor, org_id: int | None = None) -> list[tuple[User, Organisation]]:
    """Users the actor may see, with their organisations."""
    stmt = scope(select(User, Organisation).join(Organisation, User.org_id == Organisation.id), actor, User)
    if org_id is not None:
        stmt = stmt.where(User.org_id == org_id)
    return list(session.exec(stmt.order_by(User.username)).all())


def get_user(session: Session, actor: Actor, user_id: int) -> User | None:
    """One user within the actor's scope."""
    return session.exec(scope(select(User).where(User.id == user_id), actor, User)).first()
