"""Read models for organisations and users, always scoped to the actor."""

from __future__ import annotations

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.lists import org_page
from accounts.models import BankChangeRequest, Organisation, User
from accounts.scoping import scope
from core.paging import ListQuery


def list_organisations(session: Session, actor: Actor, kind: str | None = None,
                       page: int = 1, per_page: int = 50) -> tuple[list[Organisation], int]:
    """A page of organisations the actor may see, by code, and the total count."""
    found = org_page(session, actor, ListQuery({"kind": kind} if kind else {}, page=page, per_page=per_page))
    return found.rows, found.total


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


def pending_bank_changes(session: Session, actor: Actor) -> list[tuple[BankChangeRequest, Organisation]]:
    """Bank account changes waiting for a second admin, in the actor's region, oldest first."""
    stmt = scope(select(BankChangeRequest, Organisation).join(Organisation, BankChangeRequest.org_id == Organisation.id)
                 .where(BankChangeRequest.status == "pending"), actor, Organisation)
    return list(session.exec(stmt.order_by(BankChangeRequest.requested_at, BankChangeRequest.id)).all())


def usernames(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    """Display names of the users who requested or decided changes (id → "name (username)")."""
    ids = [i for i in user_ids if i is not None]
    rows = session.exec(select(User).where(User.id.in_(ids))).all() if ids else []
    return {u.id: f"{u.display_name} ({u.username})" for u in rows}


def get_bank_change(session: Session, actor: Actor, change_id: int) -> BankChangeRequest | None:
    """One bank account change of an organisation the actor may see."""
    stmt = scope(select(BankChangeRequest).join(Organisation, BankChangeRequest.org_id == Organisation.id)
                 .where(BankChangeRequest.id == change_id), actor, Organisation)
    return session.exec(stmt).first()
