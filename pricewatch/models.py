"""Price monitoring tables: the region's rule settings (versioned), other provinces' prices,
the observations a run collects from every source, runs, alerts with their evidence and
follow-ups, and the deep-monitoring product list. Nothing is deleted: a province price is
withdrawn, an alert closed, a watched product removed — each with who, when and why."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class WatchPolicy(SQLModel, table=True):
    """A version of a bureau region's monitoring rules (:class:`pricewatch.rules.WatchRules`)."""

    __tablename__ = "pricewatch_policy"
    __table_args__ = (UniqueConstraint("region_code", "version", name="uq_pricewatch_policy_version"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    version: int
    rules_json: str = Field(sa_column=Column(Text, nullable=False))
    set_by: int = Field(foreign_key="app_user.id")
    set_at: datetime = Field(sa_type=UTCDateTime)


class ProvincePrice(SQLModel, table=True):
    """Another province's published price of a listed product, entered or imported by an officer."""

    __tablename__ = "pricewatch_province_price"

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12, index=True)  # the bureau that entered it
    product_id: int = Field(foreign_key="listed_product.id", index=True)
    province: str = Field(max_length=40)
    price_e4: int = Field(sa_type=BigInteger)  # per pack, as the product is listed
    observed_on: date = Field(sa_column=Column(Date, nullable=False))
    source: str = Field(default="", max_length=200)
    entered_by: int = Field(foreign_key="app_user.id")
    entered_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="active", max_length=10)  # active | withdrawn
    withdrawn_by: int | None = Field(default=None, foreign_key="app_user.id")
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_reason: str = Field(default="", max_length=200)


class Observation(SQLModel, table=True):
    """One observed price of a point source (``listed``, ``selected``, ``province``), keyed by
    its source row (``ref``) so a run collects it once. The hospitals' purchases (accepted order
    and VBP lines) are not copied here: the rules read them in place
    (``pricewatch.sources.purchases``); rows of the retired ``order`` and ``vbp`` sources an
    earlier run copied are read by nothing."""

    __tablename__ = "pricewatch_observation"
    __table_args__ = (UniqueConstraint("source", "ref", name="uq_pricewatch_observation_ref"),
                      Index("ix_pricewatch_observation_scan", "region_code", "source", "observed_on", "product_key"))

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12)
    source: str = Field(max_length=12)
    ref: str = Field(max_length=60)
    product_key: str = Field(max_length=40)  # L<listed product id> | V<batch item id>-<supplier id>
    item_id: int | None = Field(default=None, foreign_key="item.id")
    hospital_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    supplier_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    observed_on: date = Field(sa_column=Column(Date, nullable=False))
    price_e4: int = Field(sa_type=BigInteger)
    quantity: int = Field(default=1, sa_type=BigInteger)


class WatchRun(SQLModel, table=True):
    """A monitoring run over a period (a month ``2026-11``, or a deep-monitoring week)."""

    __tablename__ = "pricewatch_run"

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    period: str = Field(max_length=10)
    period_start: date = Field(sa_column=Column(Date, nullable=False))
    period_end: date = Field(sa_column=Column(Date, nullable=False))
    deep: bool = False
    started_by: int | None = Field(default=None, foreign_key="app_user.id")  # None: the scheduler
    started_at: datetime = Field(sa_type=UTCDateTime)
    collected: int = 0
    raised: int = 0


class Alert(SQLModel, table=True):
    """An alert a rule raised, with its evidence; ``fingerprint`` (rule, period, subject and the
    prices compared) makes a second run with the same evidence raise nothing."""

    __tablename__ = "pricewatch_alert"
    __table_args__ = (UniqueConstraint("region_code", "fingerprint", name="uq_pricewatch_alert_fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    run_id: int = Field(foreign_key="pricewatch_run.id", index=True)
    rule: str = Field(max_length=20)
    severity: str = Field(max_length=10)  # low | medium | high
    period: str = Field(max_length=10)
    fingerprint: str = Field(max_length=64)
    product_key: str = Field(max_length=40)
    product_id: int | None = Field(default=None, foreign_key="listed_product.id")
    item_id: int | None = Field(default=None, foreign_key="item.id")
    hospital_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    supplier_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    evidence_json: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", max_length=10, index=True)  # open | closed
    raised_at: datetime = Field(sa_type=UTCDateTime)
    closed_by: int | None = Field(default=None, foreign_key="app_user.id")
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    close_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class FollowUp(SQLModel, table=True):
    """What the officer did about an alert: asked for an explanation, demanded a correction, or
    referred it for a credit record (``breach_id``: the breach recorded)."""

    __tablename__ = "pricewatch_followup"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="pricewatch_alert.id", index=True)
    kind: str = Field(max_length=12)  # explain | correct | credit
    note: str = Field(sa_column=Column(Text, nullable=False))
    breach_id: int | None = Field(default=None, foreign_key="credit_breach.id")
    by: int = Field(foreign_key="app_user.id")
    at: datetime = Field(sa_type=UTCDateTime)


class WatchedProduct(SQLModel, table=True):
    """A product on the region's deep-monitoring list (深度监测), watched weekly."""

    __tablename__ = "pricewatch_watched"

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    product_id: int = Field(foreign_key="listed_product.id", index=True)
    reason: str = Field(max_length=200)
    added_by: int = Field(foreign_key="app_user.id")
    added_at: datetime = Field(sa_type=UTCDateTime)
    removed_by: int | None = Field(default=None, foreign_key="app_user.id")
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    removed_reason: str = Field(default="", max_length=200)
