"""Scheduler bookkeeping: one row per job pass outcome, the scheduler's heartbeat, and
APScheduler's job store table (declared here so the migrations and the models agree)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, Table, Text, Unicode
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


#: APScheduler 3's ``SQLAlchemyJobStore`` table, column for column (``jobs.runner`` hands this
#: very table to the store): job id, next run as a UTC POSIX timestamp, the pickled job state.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
