"""A published result loaded into a batch: its versions, winners and supply regions.

A version is never changed: prices and allocation are fixed once loaded, and a correction is a
new version (with who and why). The batch's current result is its highest version.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import DecimalText, UTCDateTime


class ResultVersion(SQLModel, table=True):
    """Version n of the published result a batch puts into effect: where it comes from, the file
    it was read from (name and SHA-256) and the cycle it sets."""

    __tablename__ = "result_version"
    __table_args__ = (UniqueConstraint("batch_id", "version", name="uq_result_version"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    version: int
    source: str = Field(max_length=12)  # national | alliance | province
    document_no: str = Field(max_length=100)  # 文号
    document_date: date = Field(sa_column=Column(Date, nullable=False))
    cycle_start: date = Field(sa_column=Column(Date, nullable=False))
    cycle_years: int
    filename: str = Field(max_length=255)
    file_format: str = Field(max_length=8)  # xlsx | json
    sha256: str = Field(max_length=64)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # why corrected
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class ResultWinner(SQLModel, table=True):
    """One winner of one item in a result version: its product and its prices."""

    __tablename__ = "result_winner"
    __table_args__ = (UniqueConstraint("version_id", "batch_item_id", "supplier_org_id", name="uq_result_winner"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="result_version.id", index=True)
    batch_item_id: int = Field(foreign_key="batch_item.id")
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    strength: Decimal | None = Field(default=None, sa_type=DecimalText)  # the product's strength
    units_per_pack: int
    pack_spec: str = Field(max_length=60)  # e.g. 2ml:0.2g×1支
    pack_price_e4: int  # 1/10000 yuan per pack
    ucp_e4: int  # unit comparable price, 1/10000 yuan per minimal unit of the representative spec


class ResultItem(SQLModel, table=True):
    """One item of a result version: its representative specification as published, its
    agreed-volume ratio when the result sets one, the pre-VBP price for savings."""

    __tablename__ = "result_item"
    __table_args__ = (UniqueConstraint("version_id", "batch_item_id", name="uq_result_item"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="result_version.id", index=True)
    batch_item_id: int = Field(foreign_key="batch_item.id")
    rep_spec: str = Field(default="", max_length=60)
    agreed_ratio: Decimal | None = Field(default=None, sa_type=DecimalText)  # None: by number of winners
    previous_price_e4: int | None = None


class ResultSupply(SQLModel, table=True):
    """The local allocation of a result version: the primary and backup supplier of one item in
    one sub-region (city) of the bureau's region."""

    __tablename__ = "result_supply"
    __table_args__ = (UniqueConstraint("version_id", "batch_item_id", "region_code", name="uq_result_supply"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="result_version.id", index=True)
    batch_item_id: int = Field(foreign_key="batch_item.id")
    region_code: str = Field(foreign_key="region.code", max_length=12)
    primary_supplier_org_id: int = Field(foreign_key="organisation.id")
    backup_supplier_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    by_rule: bool = False  # assigned by the file's province-wide row, not named for the city
