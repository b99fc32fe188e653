"""Retained-savings records: the settings versions of a batch, the officer's points (every entry
kept), the assessments — one version per change, never edited in place but superseded with who,
when and why — and the hospitals' objections with their answers.

A version moves ``proposed`` → ``approved`` (a second officer) or ``rejected`` (sent back), and is
``superseded`` by the next version of the same hospital; an approved version is payable once its
objection period is over with no open objection, and ``credited_*`` records its payment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class SavingsPolicy(SQLModel, table=True):
    """A version of a batch's retained-savings settings (``savings.settings`` as JSON)."""

    __tablename__ = "savings_policy"
    __table_args__ = (UniqueConstraint("batch_id", "version", name="uq_savings_policy_version"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    version: int
    settings_json: str = Field(sa_column=Column(Text, nullable=False))
    set_by: int = Field(foreign_key="app_user.id")
    set_at: datetime = Field(sa_type=UTCDateTime)


class SavingsPoints(SQLModel, table=True):
    """Points an officer gives a hospital's assessment, with the reason; the newest counts."""

    __tablename__ = "savings_points"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    points: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    entered_by: int = Field(foreign_key="app_user.id")
    entered_at: datetime = Field(sa_type=UTCDateTime)


class SavingsAssessment(SQLModel, table=True):
    """One version of a hospital's assessment for a batch cycle, with the inputs it used."""

    __tablename__ = "savings_assessment"
    __table_args__ = (UniqueConstraint("batch_id", "hospital_org_id", "version", name="uq_savings_assessment_version"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    version: int
    status: str = Field(default="proposed", max_length=12, index=True)  # proposed|approved|rejected|superseded
    inputs_json: str = Field(sa_column=Column(Text, nullable=False))  # figures, settings, components, rows
    score: str = Field(max_length=12)  # exact decimal as text, e.g. "82.50"
    rate: str = Field(max_length=12)  # e.g. "0.50"
    base_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    retained_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    officer_points: int = 0
    points_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # why this version
    payment_mode: str = Field(max_length=12)  # credited | instruction
    proposed_by: int = Field(foreign_key="app_user.id")
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    objection_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    superseded_by: int | None = Field(default=None, foreign_key="app_user.id")
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    credited_by: int | None = Field(default=None, foreign_key="app_user.id")
    credited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SavingsObjection(SQLModel, table=True):
    """A hospital's objection to its approved assessment, and the officer's answer."""

    __tablename__ = "savings_objection"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="savings_assessment.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    lodged_by: int = Field(foreign_key="app_user.id")
    lodged_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="open", max_length=10)  # open | upheld | dismissed
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    answered_by: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
