"""Payment standards: a version derived from one batch's selected prices (a proposal until a
second officer approves it) and its lines, one per generic × dosage form (catalog item) — or per
selected product, as the version's rule says.

A version is never changed once decided: a change is a new version of the same batch, with its
reason and its own approval. The standard in force on a date is read from the approved versions
(``paystd.queries.in_force``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class StandardVersion(SQLModel, table=True):
    """Version n of the payment standards derived from a batch: the rule settings used
    (``rules_json``: :class:`paystd.rules.StandardRules`), the effective date (the batch's
    execution start), the reason, and the four-eyes decision."""

    __tablename__ = "paystd_version"
    __table_args__ = (UniqueConstraint("batch_id", "version", name="uq_paystd_version"),)

    id: int | None = Field(default=None, primary_key=True)
    region_code: str = Field(max_length=12, index=True)  # the batch's bureau region
    batch_id: int = Field(foreign_key="batch.id", index=True)
    version: int
    rules_json: str = Field(sa_column=Column(Text, nullable=False))
    effective_on: date = Field(sa_column=Column(Date, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="proposed", max_length=12, index=True)  # proposed | approved | rejected
    proposed_by: int = Field(foreign_key="app_user.id")
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class StandardLine(SQLModel, table=True):
    """One payment standard of a version: per minimal unit of the item's representative
    specification (1/10000 yuan), with the selected price it came from."""

    __tablename__ = "paystd_line"
    __table_args__ = (UniqueConstraint("version_id", "item_id", "supplier_org_id", name="uq_paystd_line"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="paystd_version.id", index=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    supplier_org_id: int | None = Field(default=None, foreign_key="organisation.id")  # rule per_product: its product
    standard_e4: int = Field(sa_type=BigInteger)  # per minimal unit of the representative specification
    selected_min_e4: int = Field(sa_type=BigInteger)  # the lowest and highest selected price of the item
    selected_max_e4: int = Field(sa_type=BigInteger)
    winners: int
