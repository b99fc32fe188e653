"""Scheduler bookkeeping: one row per job pass outcome, and the scheduler's heartbeat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class JobRun(SQLModel, table=True):
    """One execution of one scheduled step: when, how long, and how it ended."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)  # e.g. "open_bids SD-2026-01"
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    seconds: float = 0.0  # duration (a measurement, not money)
    ok: bool = True
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    attempt: int = 1  # consecutive attempts of this step (failures back off exponentially)


class SchedulerHeartbeat(SQLModel, table=True):
    """The single scheduler's last sign of life (one row, id = 1)."""

    __tablename__ = "scheduler_heartbeat"

    id: int = Field(default=1, primary_key=True)
    host: str = Field(max_length=100)
    pid: int
    interval_seconds: int
    beat_at: datetime = Field(sa_type=UTCDateTime)
