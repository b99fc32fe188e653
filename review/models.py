"""Decisions on evaluation versions, publicity and objections, contracts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class ReviewDecision(SQLModel, table=True):
    """An officer's decision on an evaluation version: approve, or send back with a reason."""

    __tablename__ = "review_decision"

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    decision: str = Field(max_length=12)  # approve | send_back
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decided_by: int = Field(foreign_key="app_user.id")
    decided_at: datetime = Field(sa_type=UTCDateTime)


class Publicity(SQLModel, table=True):
    """The publicity period (公示) of a batch's approved result."""

    __tablename__ = "publicity"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", unique=True)
    evaluation_id: int = Field(foreign_key="evaluation.id")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Objection(SQLModel, table=True):
    """A supplier's objection during publicity, and the officer's answer."""

    __tablename__ = "objection"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    attachment_name: str | None = Field(default=None, max_length=200)
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    lodged_by: int = Field(foreign_key="app_user.id")
    lodged_at: datetime = Field(sa_type=UTCDateTime)
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_by: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Contract(SQLModel, table=True):
    """One contract per hospital × item of a published batch: the winner, the price and the
    agreed volume (ratio × the hospital's reported demand, rounded half up)."""

    __tablename__ = "contract"
    __table_args__ = (UniqueConstraint("batch_item_id", "hospital_org_id", name="uq_contract_item_hospital"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    evaluation_id: int = Field(foreign_key="evaluation.id")
    batch_item_id: int = Field(foreign_key="batch_item.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    backup_supplier_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    ucp_e4: int  # contract price per minimal unit (1/10000 yuan): what deliveries are paid at
    pack_price_e4: int | None = None  # the winner's pack price (tier price where a tier applies)
    pack_spec: str = Field(default="", max_length=60)  # offered specification, e.g. 20mg×7
    reported_demand: int
    agreed_volume: int
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(default="unsigned", max_length=12)  # unsigned | signed
    hospital_signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hospital_signed_by: int | None = Field(default=None, foreign_key="app_user.id")
    supplier_signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    supplier_signed_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)

