"""The dashboard's read model: monthly figures kept beside the lines they sum (see
:mod:`settlement.monitoring.rollup`, which alone writes them).

Both tables are derived data, not business records: every row can be rebuilt from the lines,
claims, shares and instructions (``rollup.rebuild``), and is changed in the same transaction as
the write it follows. Money in integer fen, values in 1/10000 yuan.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, Date, Index
from sqlmodel import Field, SQLModel


class PurchaseRollup(SQLModel, table=True):
    """Net accepted quantity, its value at the contract price and its gross in fen (each line
    rounded as the run rounds it), per batch × batch item × hospital region × acceptance day."""

    __tablename__ = "dashboard_purchase"
    #: the days a dashboard cuts a month at (``as_of``, the due day) read by range, not by scan
    __table_args__ = (Index("ix_dashboard_purchase_day", "batch_id", "day"),)

    batch_id: int = Field(primary_key=True)
    batch_item_id: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True, max_length=12)  # the hospital's, when accepted
    day: date = Field(sa_column=Column(Date, primary_key=True))
    quantity: int = Field(sa_type=BigInteger)
    value_e4: int = Field(sa_type=BigInteger)
    gross_fen: int = Field(sa_type=BigInteger)


class PurchaseMonthRollup(SQLModel, table=True):
    """:class:`PurchaseRollup` summed per month (``month``: its first day): a year is 12 rows per
    item × region instead of 365; the dashboard reads whole months here and the days of a
    month it cuts (``as_of``, the due day, a cycle's ends) from the daily rows."""

    __tablename__ = "dashboard_purchase_month"

    batch_id: int = Field(primary_key=True)
    batch_item_id: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True, max_length=12)
    month: date = Field(sa_column=Column(Date, primary_key=True))
    quantity: int = Field(sa_type=BigInteger)
    value_e4: int = Field(sa_type=BigInteger)
    gross_fen: int = Field(sa_type=BigInteger)


class OnTimeRollup(SQLModel, table=True):
    """The gross of a run's lines paid on time (the share wholly offset, or its instruction paid
    by the line's due day), per run × batch item × hospital region × acceptance day."""

    __tablename__ = "dashboard_on_time"
    __table_args__ = (Index("ix_dashboard_on_time_day", "batch_id", "day"),)

    run_id: int = Field(primary_key=True)
    batch_id: int
    batch_item_id: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True, max_length=12)
    day: date = Field(sa_column=Column(Date, primary_key=True))
    on_time_fen: int = Field(sa_type=BigInteger)


class ShareRollup(SQLModel, table=True):
    """A run's shares summed per hospital region × supplier: gross, offset and the fund's part,
    and the supplier's instruction of the run (None when every share was wholly offset) — whose
    status the dashboard reads as it is now."""

    __tablename__ = "dashboard_share"

    run_id: int = Field(primary_key=True)
    region_code: str = Field(primary_key=True, max_length=12)
    supplier_org_id: int = Field(primary_key=True)
    instruction_id: int | None = Field(default=None)
    gross_fen: int = Field(sa_type=BigInteger)
    offset_fen: int = Field(sa_type=BigInteger)
    paid_fen: int = Field(sa_type=BigInteger)
