"""Organisations, users and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class Organisation(SQLModel, table=True):
    """A hospital, supplier, bureau or fund agency, identified by its official code."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20, index=True)  # accounts.roles.OrgKind
    region_code: str = Field(max_length=12, index=True)
    level: str | None = Field(default=None, max_length=20)  # hospital grade, e.g. 三级甲等
    bank_name: str | None = Field(default=None, max_length=100)
    bank_cnaps: str | None = Field(default=None, max_length=12)  # 12-digit CNAPS code
    bank_account: str | None = Field(default=None, max_length=40)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """A person with exactly one role in exactly one organisation."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True, index=True)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=30)  # accounts.roles.Role
    org_id: int = Field(foreign_key="organisation.id", index=True)
    locale: str = Field(default="zh_Hans_CN", max_length=10)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """A login attempt, kept to throttle guessing per account and per address.

    A slot is claimed (``pending``) before the password is checked, so parallel guesses
    cannot check more passwords than the policy allows; it then becomes ``failed`` or ``ok``.
    Everything but ``ok`` counts as a failure.
    """

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    outcome: str = Field(default="failed", max_length=10, sa_column_kwargs={"server_default": "failed"})


class UserSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries a random token, the database only its hash.

    Created at login; ended (never deleted) at logout, "log out everywhere", deactivation,
    idle timeout or the end of its absolute lifetime.
    """

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 hex of the cookie token
    user_id: int = Field(foreign_key="app_user.id", index=True)
    address: str = Field(default="", max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=20)  # accounts.sessions.EndReason


class BankChangeRequest(SQLModel, table=True):
    """A requested change of an organisation's bank account, applied only once a second
    admin (not the requester) confirms it (four-eyes)."""

    __tablename__ = "bank_change_request"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default="pending", max_length=12, index=True)  # accounts.bank.ChangeStatus
    bank_name: str | None = Field(default=None, max_length=100)
    bank_cnaps: str = Field(max_length=12)
    bank_account: str = Field(max_length=40)
    old_bank_name: str | None = Field(default=None, max_length=100)
    old_bank_cnaps: str | None = Field(default=None, max_length=12)
    old_bank_account: str | None = Field(default=None, max_length=40)
    reason: str = Field(default="", max_length=200)
    requested_by: int = Field(foreign_key="app_user.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=200)
