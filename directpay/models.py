"""The direct-settlement scope (which listed products the fund settles, per region from a date)
and the claims of the monthly run over order lines.

A scope version is never changed: a change is a new version with its own date, who and why; the
scope in force for a region on a day is read from the versions (:mod:`directpay.queries`). A
claim is one row per run — the ``order_acceptance`` ids ``(lo, hi]`` of one month it paid — never
one per line; the database keeps a container's claims of a month one chain of disjoint ranges.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class DirectScope(SQLModel, table=True):
    """One version of a region's direct-settlement scope, in force from ``effective_from`` until
    a later version of the same region takes effect."""

    __tablename__ = "direct_scope"
    __table_args__ = (Index("ix_direct_scope_region_day", "region_code", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12)  # a province or a city
    effective_from: date = Field(sa_column=Column(Date, nullable=False))
    phase: str = Field(max_length=12)  # directpay.rules.Phase
    list_name: str = Field(default="", max_length=100)  # the common list's name (phase common)
    distributor_bps: int = 0  # the distributor's fee share of a line, basis points (0: the supplier is paid all)
    reason: str = Field(max_length=200)
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class DirectScopeProduct(SQLModel, table=True):
    """A listed product of a version's common list (常用挂网产品): settled directly under phase
    ``common``. Each version carries its whole list, so the list in force on a day is the list of
    the version in force."""

    __tablename__ = "direct_scope_product"
    __table_args__ = (UniqueConstraint("scope_id", "product_id", name="uq_direct_scope_product"),)

    id: int | None = Field(default=None, primary_key=True)
    scope_id: int = Field(foreign_key="direct_scope.id", index=True)
    product_id: int = Field(foreign_key="listed_product.id")


class DirectClaim(SQLModel, table=True):
    """The order lines a direct-settlement run paid: the in-scope accepted rows of ``month`` with
    ``lo < id <= hi`` (``lo`` None: from the start) in the container batch's region.

    One first claim per container × month (``lo`` null, partial unique index), every later one
    starts where an earlier one ends (``(batch, month, lo)`` references ``(batch, month, hi)``),
    no two start or end at the same place: so no line is paid twice, whatever runs race."""

    __tablename__ = "direct_claim"
    __table_args__ = (
        UniqueConstraint("batch_id", "month", "hi", name="uq_direct_claim_hi"),
        UniqueConstraint("batch_id", "month", "lo", name="uq_direct_claim_lo"),
        ForeignKeyConstraint(["batch_id", "month", "lo"], ["direct_claim.batch_id", "direct_claim.month",
                                                           "direct_claim.hi"], name="fk_direct_claim_chain"),
        CheckConstraint("lo IS NULL OR hi > lo", name="ck_direct_claim_range"),
        Index("uq_direct_claim_first", "batch_id", "month", unique=True, sqlite_where=text("lo IS NULL"),
              postgresql_where=text("lo IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id")
    month: str = Field(max_length=7)
    run_id: int = Field(foreign_key="settlement_run.id", unique=True)
    lo: int | None = Field(default=None, sa_type=BigInteger)
    hi: int = Field(sa_type=BigInteger)
    line_count: int
