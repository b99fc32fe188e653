"""API tokens: stored as SHA-256 hashes; the plaintext is shown once at creation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class ApiToken(SQLModel, table=True):
    """A token acting for one organisation with the role of the user who created it."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12)  # shown in lists to tell tokens apart
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=30)
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
