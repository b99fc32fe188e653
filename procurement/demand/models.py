"""Demand tables: one accepted upload is a version; its lines; reminders sent to hospitals.

Nothing here is ever deleted: a new upload supersedes the previous version of the same
hospital in the same batch, and the latest version counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class DemandUpload(SQLModel, table=True):
    """One accepted demand sheet of a hospital for a batch: version n of that hospital's demand."""

    __tablename__ = "demand_upload"
    __table_args__ = (
        UniqueConstraint("batch_id", "hospital_org_id", "version", name="uq_demand_upload_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    version: int
    uploaded_by: int | None = Field(default=None, foreign_key="app_user.id")  # None: CLI/system
    on_behalf: bool = False  # a bureau officer (or bureau IT) uploaded for the hospital
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    row_count: int
    created_at: datetime = Field(sa_type=UTCDateTime)


class DemandLine(SQLModel, table=True):
    """One item of one demand version: last year's use and the committed annual volume."""

    __tablename__ = "demand_line"
    __table_args__ = (UniqueConstraint("upload_id", "batch_item_id", name="uq_demand_line_item"),)

    id: int | None = Field(default=None, primary_key=True)
    # The unique (upload_id, batch_item_id) index serves lookups by upload; no other index, so
    # bulk imports maintain as little as possible.
    upload_id: int = Field(foreign_key="demand_upload.id")
    batch_item_id: int = Field(foreign_key="batch_item.id")
    last_year_use: int = Field(sa_type=BigInteger)
    committed: int = Field(sa_type=BigInteger)
    preferred_supplier_id: int | None = Field(default=None, foreign_key="organisation.id")
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class DemandReminder(SQLModel, table=True):
    """A reminder a bureau officer sent to a hospital that had not submitted its demand."""

    __tablename__ = "demand_reminder"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    sent_by: int | None = Field(default=None, foreign_key="app_user.id")
    sent_at: datetime = Field(sa_type=UTCDateTime)


class DemandFloor(SQLModel, table=True):
    """The least a hospital may commit to one item of a renewal batch (接续): its actual accepted
    quantity of the last year of the expiring contract. A renewal always carries volume."""

    __tablename__ = "demand_floor"
    __table_args__ = (UniqueConstraint("batch_id", "batch_item_id", "hospital_org_id", name="uq_demand_floor"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    batch_item_id: int = Field(foreign_key="batch_item.id")
    hospital_org_id: int = Field(foreign_key="organisation.id")
    floor_volume: int = Field(sa_type=BigInteger)
    source_contract_id: int | None = Field(default=None, foreign_key="contract.id")  # the expiring contract
