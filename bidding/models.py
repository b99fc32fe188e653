"""Sealed bids, the batch's sealing key, and the opening record.

Before the opening the database holds only ciphertexts and receipts: no price, capacity or
tier is stored in plaintext anywhere. :class:`OpenedBid` rows appear only at the opening.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.types import DecimalText, UTCDateTime


class BatchSealKey(SQLModel, table=True):
    """A batch's sealing key pair: public half in clear, private half wrapped under the KEK."""

    __tablename__ = "batch_seal_key"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", unique=True)
    key_text: str = Field(sa_column=Column(Text, nullable=False))  # bidding.sealing.BatchKey.to_text()
    fingerprint: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)


class BidSubmission(SQLModel, table=True):
    """One submission of a bid: sealed envelope + receipt. Amending supersedes, withdrawing
    withdraws; rows are never deleted, and at most one per supplier × item is live."""

    __tablename__ = "bid_submission"
    __table_args__ = (
        Index("uq_live_bid", "batch_item_id", "supplier_org_id", unique=True,
              sqlite_where=text("status = 'live'"), postgresql_where=text("status = 'live'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=32, unique=True)  # submission id bound into the envelope
    batch_id: int = Field(foreign_key="batch.id", index=True)
    batch_item_id: int = Field(foreign_key="batch_item.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    sealed: str = Field(sa_column=Column(Text, nullable=False))  # bidding.sealing.SealedBid.to_text()
    receipt: str = Field(max_length=64, index=True)
    status: str = Field(default="live", max_length=12)  # live | superseded | withdrawn
    submitted_by: int = Field(foreign_key="app_user.id")
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    source: str = Field(default="form", max_length=12)  # form | workbook
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_reason: str = ""


class OpeningRecord(SQLModel, table=True):
    """The opening (开标) of a batch: when, by whom (None = the scheduler), what it found."""

    __tablename__ = "opening_record"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", unique=True)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    opened_by: int | None = Field(default=None, foreign_key="app_user.id")
    bids: int = 0
    valid_bids: int = 0
    key_fingerprint: str = Field(max_length=64)


class OpenedBid(SQLModel, table=True):
    """A bid as opened: decrypted, receipt-verified and validated again."""

    __tablename__ = "opened_bid"
    __table_args__ = (UniqueConstraint("submission_id", name="uq_opened_submission"),)

    id: int | None = Field(default=None, primary_key=True)
    opening_id: int = Field(foreign_key="opening_record.id", index=True)
    submission_id: int = Field(foreign_key="bid_submission.id")
    batch_item_id: int = Field(foreign_key="batch_item.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    receipt: str = Field(max_length=64)
    receipt_ok: bool = True
    document: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # canonical bid + salt, after opening
    strength: Decimal | None = Field(default=None, sa_type=DecimalText)
    strength_unit: str = Field(default="", max_length=12)
    units_per_pack: int = 0
    pack_price_e4: int = 0
    ucp_e4: int | None = None
    capacity: int = 0
    eligibility: str = Field(default="", max_length=30)
    tiers_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    valid: bool = False
    reasons_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    submitted_at: datetime = Field(sa_type=UTCDateTime)
