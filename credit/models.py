"""Price and procurement credit (医药价格和招采信用评价): breach records (失信事项), ratings
derived from them, repairs (信用修复), and each bureau region's credit policy.

History is kept: a breach keeps the supplier's statement and the officer's decision; a rating
is proposed, confirmed by a second officer (or rejected), published with its validity, and ends
by expiring, by a later rating superseding it, or by a granted repair.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class CreditPolicy(SQLModel, table=True):
    """A version of a bureau region's credit rules (:class:`credit.policy.CreditRules` as JSON);
    the newest version of the region applies."""

    __tablename__ = "credit_policy"
    __table_args__ = (UniqueConstraint("region_code", "version", name="uq_credit_policy_version"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12, index=True)
    version: int
    rules_json: str = Field(sa_column=Column(Text, nullable=False))
    set_by: int = Field(foreign_key="app_user.id")
    set_at: datetime = Field(sa_type=UTCDateTime)


class Breach(SQLModel, table=True):
    """A breach (失信事项) an officer recorded against a supplier with evidence; the supplier's
    statement (陈述申辩); the officer's decision (confirmed | dismissed)."""

    __tablename__ = "credit_breach"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    region_code: str = Field(max_length=12, index=True)  # the recording bureau's region
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=24)  # supply_failure | refusal_to_deliver | price_manipulation | kickback
    occurred_on: date = Field(sa_column=Column(Date, nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))
    evidence_name: str | None = Field(default=None, max_length=200)
    evidence: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    takeover_id: int | None = Field(default=None, foreign_key="supply_takeover.id")
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    statement_due_at: datetime = Field(sa_type=UTCDateTime)
    statement: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    stated_by: int | None = Field(default=None, foreign_key="app_user.id")
    stated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="recorded", max_length=12)  # recorded | confirmed | dismissed
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Rating(SQLModel, table=True):
    """A supplier's credit rating: the grade the rules derived from its confirmed breaches
    (``basis_json``: the breaches and the rule that decided), the consequence, and — once a
    second officer confirmed it — its reference and period of validity."""

    __tablename__ = "credit_rating"

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, max_length=40, unique=True)  # given at publication
    region_code: str = Field(max_length=12, index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    grade: str = Field(max_length=24)  # general | medium | serious | particularly_serious
    consequence: str = Field(max_length=12)  # reminder | warning | suspension | exclusion
    basis_json: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="proposed", max_length=12)  # proposed | published | rejected | superseded | repaired
    proposed_by: int = Field(foreign_key="app_user.id")
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    valid_from: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    valid_until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    ended_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))  # superseded or repaired


class Repair(SQLModel, table=True):
    """A supplier's application for credit repair (信用修复) of a published rating: its written
    commitment, and the officer's decision once the waiting period is over."""

    __tablename__ = "credit_repair"

    id: int | None = Field(default=None, primary_key=True)
    rating_id: int = Field(foreign_key="credit_rating.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    commitment: str = Field(sa_column=Column(Text, nullable=False))
    applied_by: int = Field(foreign_key="app_user.id")
    applied_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="applied", max_length=12)  # applied | granted | refused
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
