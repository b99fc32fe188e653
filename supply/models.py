"""Supply guarantee (保供): supply problems hospitals report, the officer's escalations, and
takeovers that move a failed winner's remaining volume to the backup supplier (备供).

Nothing here is deleted: a problem keeps its answer and escalations, a takeover its proposal,
decision and restoration, each line the volume it moved and the volume that came back.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class ProblemKind:
    """What went wrong with a delivery (stored codes)."""

    LATE = "late"  # not delivered on time (未按时配送)
    SHORT = "short"  # short delivery (配送数量不足)
    QUALITY = "quality"  # quality problem (质量问题)
    ALL = ("late", "short", "quality")


class SupplyProblem(SQLModel, table=True):
    """A hospital's report of a supply problem on one of its contracts, and the supplier's
    answer (due ``answer_due_at``; ``answered_late`` when given after it)."""

    __tablename__ = "supply_problem"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=12)
    due_on: date = Field(sa_column=Column(Date, nullable=False))  # when the goods were due
    ordered_qty: int | None = None  # units ordered (short delivery: what was due)
    received_qty: int | None = None  # units received
    description: str = Field(sa_column=Column(Text, nullable=False))
    evidence_name: str | None = Field(default=None, max_length=200)
    evidence: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    reported_by: int = Field(foreign_key="app_user.id")
    reported_at: datetime = Field(sa_type=UTCDateTime)
    answer_due_at: datetime = Field(sa_type=UTCDateTime)
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recovery_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    answered_by: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_late: bool = False


class Escalation(SQLModel, table=True):
    """One step of the officer's escalation of a supply problem: reminder → interview (约谈) →
    written warning, each recorded once, in that order."""

    __tablename__ = "supply_escalation"
    __table_args__ = (UniqueConstraint("problem_id", "step", name="uq_supply_escalation_step"),)

    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="supply_problem.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    step: str = Field(max_length=12)  # reminder | interview | warning
    note: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class Takeover(SQLModel, table=True):
    """A declared supply failure of one winner for one item, in some regions or hospitals, over
    a period: its remaining volume there moves to ``taker_org_id``.

    proposed → approved (a second officer, four-eyes: the takeover contracts are made) or
    rejected; an approved takeover may be ended early by restoring the primary (restored)."""

    __tablename__ = "supply_takeover"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=40, unique=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    batch_item_id: int = Field(foreign_key="batch_item.id", index=True)
    failed_org_id: int = Field(foreign_key="organisation.id", index=True)
    taker_org_id: int = Field(foreign_key="organisation.id", index=True)
    taker_basis: str = Field(max_length=12)  # backup | next_ranked | candidate
    price_rule: str = Field(max_length=16)  # backup_price | failed_price
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date = Field(sa_column=Column(Date, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    problem_id: int | None = Field(default=None, foreign_key="supply_problem.id")
    status: str = Field(default="proposed", max_length=12)  # proposed | approved | rejected | restored
    proposed_by: int = Field(foreign_key="app_user.id")
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    restored_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    restored_by: int | None = Field(default=None, foreign_key="app_user.id")
    restored_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TakeoverLine(SQLModel, table=True):
    """One contract a takeover moves volume from: how much, at which prices, into which new
    contract, and how much came back when the primary was restored."""

    __tablename__ = "supply_takeover_line"
    __table_args__ = (UniqueConstraint("takeover_id", "old_contract_id", name="uq_supply_takeover_line"),)

    id: int | None = Field(default=None, primary_key=True)
    takeover_id: int = Field(foreign_key="supply_takeover.id", index=True)
    old_contract_id: int = Field(foreign_key="contract.id", index=True)
    new_contract_id: int | None = Field(default=None, foreign_key="contract.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    moved_volume: int  # units moved to the taker (fixed when proposed, applied when approved)
    returned_volume: int = 0  # units the taker had not delivered when the primary was restored
    failed_ucp_e4: int  # the failed winner's contract price
    taker_ucp_e4: int  # the taker's own winning price
    contract_ucp_e4: int  # the price of the new contract (by the batch's price rule)
