"""Catalog (regions, items) and batches with their items and supply regions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import DecimalText, UTCDateTime


class Region(SQLModel, table=True):
    """A GB/T 2260 administrative region: province level or below (e.g. a city)."""

    __tablename__ = "region"

    code: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=60)
    parent_code: str | None = Field(default=None, max_length=12, index=True)
    level: str = Field(max_length=12)  # province | city | district


class Item(SQLModel, table=True):
    """A catalog item (品种): a drug (generic name + dosage form) or a consumable category."""

    __tablename__ = "item"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    kind: str = Field(max_length=12)  # drug | consumable
    generic_name: str = Field(max_length=120)
    dosage_form: str | None = Field(default=None, max_length=40)
    rep_strength: Decimal | None = Field(default=None, sa_type=DecimalText)
    strength_unit: str | None = Field(default=None, max_length=12)  # mg, g, μg, ml, IU …
    minimal_unit: str = Field(max_length=8)  # 片 粒 支 袋 个 …
    rep_units_per_pack: int | None = None  # representative pack size
    consistency_evaluated: bool = False
    category: str | None = Field(default=None, max_length=120)  # consumables
    active: bool = True


class Batch(SQLModel, table=True):
    """A procurement batch (采购批次): its rule set, timeline and lifecycle state."""

    __tablename__ = "batch"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(default="drug", max_length=12)
    #: how the result comes about (a setting of ``procurement.lifecycle.PROCEDURES``): ``tender`` —
    #: the bureau tenders it itself; ``result`` — it puts a published result into effect (落地)
    procedure: str = Field(default="tender", max_length=12, sa_column_kwargs={"server_default": "tender"})
    region_code: str = Field(max_length=12, index=True)  # the running bureau's region
    status: str = Field(default="draft", max_length=20, index=True)
    rules_json: str = Field(sa_column=Column(Text, nullable=False))
    demand_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    bid_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opening_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cycle_start: date | None = Field(default=None, sa_column=Column(Date))
    cycle_end: date | None = Field(default=None, sa_column=Column(Date))
    renewal_of_id: int | None = Field(default=None, foreign_key="batch.id")  # 接续: the batch it renews
    revision: int = 0  # bumped on every change: lost updates would show as missing bumps
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class BatchItem(SQLModel, table=True):
    """An item in a batch, with its maximum valid bid price (per minimal unit, 1/10000 yuan) — a
    tendered batch's; a batch putting a published result into effect has none (no bidding)."""

    __tablename__ = "batch_item"
    __table_args__ = (UniqueConstraint("batch_id", "item_id", name="uq_batch_item"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    max_valid_price_e4: int | None = None  # 最高有效申报价, per minimal unit of the representative spec
    previous_price_e4: int | None = None  # pre-VBP weighted average price, for savings
    active: bool = True  # removed items are deactivated, never deleted


class BatchRegion(SQLModel, table=True):
    """A supply region of a batch (provinces for a national batch, cities for a provincial one)."""

    __tablename__ = "batch_region"
    __table_args__ = (UniqueConstraint("batch_id", "region_code", name="uq_batch_region"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    region_code: str = Field(foreign_key="region.code", max_length=12)


class BatchTransition(SQLModel, table=True):
    """History of a batch's lifecycle: every transition with who, when and why."""

    __tablename__ = "batch_transition"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    action: str = Field(max_length=30)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    reason: str = ""
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    at: datetime = Field(sa_type=UTCDateTime)
