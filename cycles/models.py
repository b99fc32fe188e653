"""The years of a contract: each year's agreed volume and its yearly re-confirmation.

Year 1 is agreed when the contract is made. Every later year starts *provisional* (last year's
volume); the bureau opens its re-confirmation (``to_confirm``: the floor and the bureau's
proposal are fixed from last year's actual accepted quantity), the hospital confirms it or
proposes another volume with a reason (``confirmed`` / ``change_proposed``), and an officer
approves (``agreed``). The row keeps every figure of that history; nothing is deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class ContractYear(SQLModel, table=True):
    """One contract year of one contract (hospital × item)."""

    __tablename__ = "contract_year"
    __table_args__ = (UniqueConstraint("contract_id", "year_no", name="uq_contract_year"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    year_no: int  # 1, 2, 3 …
    starts_on: date = Field(sa_column=Column(Date, nullable=False))
    ends_on: date = Field(sa_column=Column(Date, nullable=False))
    agreed_volume: int = Field(sa_type=BigInteger)  # the year's agreed volume (provisional until agreed)
    status: str = Field(default="agreed", max_length=16, index=True)
    last_actual: int | None = Field(default=None, sa_type=BigInteger)  # last year's accepted quantity, when opened
    floor_volume: int | None = Field(default=None, sa_type=BigInteger)  # the least the year may agree
    proposed_volume: int | None = Field(default=None, sa_type=BigInteger)  # the bureau's proposal
    hospital_volume: int | None = Field(default=None, sa_type=BigInteger)  # what the hospital answered
    hospital_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    opened_by: int | None = Field(default=None, foreign_key="app_user.id")
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: int | None = Field(default=None, foreign_key="app_user.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
