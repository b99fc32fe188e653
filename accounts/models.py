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
    """A failed login, kept to throttle guessing per account and per address."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
