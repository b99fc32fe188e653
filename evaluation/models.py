"""Versioned evaluation runs and their per-item results (with clearing records)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class Evaluation(SQLModel, table=True):
    """One run of winner determination and allocation over a batch (version n)."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("batch_id", "version", name="uq_evaluation_version"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    version: int
    status: str = Field(default="queued", max_length=12)  # queued | running | done | failed
    items_total: int = 0
    items_done: int = 0
    rules_json: str = Field(sa_column=Column(Text, nullable=False))  # the rule set used
    input_sha256: str = Field(default="", max_length=64)
    requested_by: int | None = Field(default=None, foreign_key="app_user.id")
    note: str = ""  # why this run (e.g. re-run after send-back with changed settings)
    created_at: datetime = Field(sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = ""
    objective_fen: int | None = None
    baseline_fen: int | None = None


class EvaluationItem(SQLModel, table=True):
    """The optimizer's result for one item of a run, with what an auditor needs to re-run it."""

    __tablename__ = "evaluation_item"
    __table_args__ = (UniqueConstraint("evaluation_id", "item_code", name="uq_evaluation_item"),)

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    item_code: str = Field(max_length=40)
    status: str = Field(max_length=20)
    result_json: str = Field(sa_column=Column(Text, nullable=False))
    snapshot: str = Field(sa_column=Column(Text, nullable=False))  # canonical input JSON
    snapshot_sha256: str = Field(max_length=64)
    lp_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    solver_log: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
