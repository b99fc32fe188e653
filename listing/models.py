"""Listed products and their prices: the product row, and one row per price (the listing's first
price and every change request), so the price in force on any date is a lookup."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, Index
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class ListedProduct(SQLModel, table=True):
    """A product a supplier lists on the platform of a province (挂网); listed once an officer
    approves it."""

    __tablename__ = "listed_product"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=27, unique=True)  # national medical-insurance code (listing.codes)
    kind: str = Field(max_length=12)  # listing.codes.ProductKind
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=6, index=True)  # the province whose platform lists it
    generic_name: str = Field(max_length=100)
    dosage_form: str = Field(max_length=40)  # drugs: dosage form; consumables: material / form
    spec: str = Field(max_length=100)
    pack: str = Field(max_length=60)
    mah: str = Field(max_length=200)  # marketing-authorisation holder (上市许可持有人) / registrant
    price_e4: int = Field(sa_type=BigInteger)  # the price asked at listing, per pack, 1/10000 yuan (in force: listed_price)
    vbp_status: str = Field(max_length=14)  # listing.services.VbpStatus
    vbp_batch_code: str | None = Field(default=None, max_length=40)
    status: str = Field(max_length=10, index=True)  # listing.services.ListingStatus
    submitted_by: int = Field(foreign_key="app_user.id")
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=200)


class ListedPrice(SQLModel, table=True):
    """A price of a listed product: the first (approved with the listing) and each change
    (requested with a reason, approved or rejected). Approved rows are never changed: the price in
    force on a date is the approved row with the latest ``effective_on`` not after it."""

    __tablename__ = "listed_price"
    __table_args__ = (Index("ix_listed_price_product_effective", "product_id", "status", "effective_on"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="listed_product.id", index=True)
    price_e4: int = Field(sa_type=BigInteger)
    effective_on: date = Field(sa_column=Column(Date, nullable=False))
    reason: str = Field(default="", max_length=200)
    status: str = Field(max_length=10)  # listing.services.PriceStatus
    requested_by: int = Field(foreign_key="app_user.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=200)


class DistributionRelation(SQLModel, table=True):
    """配送关系: a supplier names a distributor to deliver its products in a region; the
    distributor confirms (or refuses). Only a confirmed relation carries orders."""

    __tablename__ = "distribution_relation"

    id: int | None = Field(default=None, primary_key=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    distributor_org_id: int = Field(foreign_key="organisation.id", index=True)
    region_code: str = Field(max_length=12, index=True)  # where it delivers (a province, city or district)
    status: str = Field(max_length=10)  # listing.distribution.RelationStatus
    named_by: int = Field(foreign_key="app_user.id")
    named_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=200)
