"""The notice table: what a user's organisation (or one role in it) needs to see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class Notification(SQLModel, table=True):
    """Something a user's organisation (or one role in it) needs to see."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    role: str | None = Field(default=None, max_length=30)  # None: every user of the organisation
    kind: str = Field(max_length=40)
    batch_code: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
