"""Settlement tables: deliveries, acceptances, prepayment ledger, runs, payables, instructions,
deduction statements, bank files and bank-return imports.

Nothing here is ever deleted. Quantities are whole minimal units, money integers of fen
(BIGINT: a province's month runs to tens of billions of fen),
prices integers of 1/10000 yuan. ``settlement_payable`` carries the unique payable key
(acceptance line, kind): a line can be settled once, whatever runs race for it;
``settlement_share`` holds a run's money per hospital × supplier.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.types import UTCDateTime


class Delivery(SQLModel, table=True):
    """A shipment recorded by the supplier against one of its signed contracts."""

    __tablename__ = "settlement_delivery"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    quantity: int  # minimal units shipped
    shipped_on: date = Field(sa_column=Column(Date, nullable=False))
    source: str = Field(default="form", max_length=12)  # form | workbook | api
    supplier_ref: str = Field(default="", max_length=60)  # the supplier's own order/waybill number
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class Acceptance(SQLModel, table=True):
    """The hospital's acceptance (验收) of part or all of a delivery: one payable line.

    Returns are separate :class:`DeliveryReturn` rows against an acceptance; the payable
    quantity is ``quantity − returned``. Application and reconciliation state live here.
    """

    __tablename__ = "settlement_acceptance"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="settlement_delivery.id", index=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    quantity: int
    returned: int = 0  # Σ of its DeliveryReturn rows
    accepted_on: date = Field(sa_column=Column(Date, nullable=False))
    accepted_by: int = Field(foreign_key="app_user.id")
    accepted_at: datetime = Field(sa_type=UTCDateTime)
    applied_month: str | None = Field(default=None, max_length=7, index=True)  # "2026-10"
    applied_by: int | None = Field(default=None, foreign_key="app_user.id")
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reconcile_status: str = Field(default="pending", max_length=12)  # pending | confirmed | disputed
    dispute_reason: str = Field(default="", max_length=200)
    reconciled_by: int | None = Field(default=None, foreign_key="app_user.id")
    reconciled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryReturn(SQLModel, table=True):
    """Goods sent back after acceptance (退货): reduces the acceptance's payable quantity.

    A return after the line was settled is **clawed back**: ``clawback_fen`` = the line's amount
    before − after the return (so a line's clawbacks add up exactly to what was overpaid), netted
    in a later run against the same hospital × supplier (``clawback_run_id``).
    """

    __tablename__ = "settlement_return"

    id: int | None = Field(default=None, primary_key=True)
    acceptance_id: int = Field(foreign_key="settlement_acceptance.id", index=True)
    quantity: int
    returned_on: date = Field(sa_column=Column(Date, nullable=False))
    reason: str = Field(default="", max_length=200)
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    clawback_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    clawback_run_id: int | None = Field(default=None, foreign_key="settlement_run.id", index=True)


class PrepaymentEntry(SQLModel, table=True):
    """The prepayment ledger: an advance (+) when contracts are signed, offsets (−) per run.

    ``entry_key`` is unique (``advance:<batch>:<hospital>``, ``offset:<run>:<hospital>``), so
    granting twice or persisting a run twice cannot add a second entry.
    """

    __tablename__ = "settlement_prepayment"

    id: int | None = Field(default=None, primary_key=True)
    entry_key: str = Field(max_length=80, unique=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=10)  # advance | offset
    amount_fen: int = Field(sa_type=BigInteger)  # signed: advances positive, offsets negative
    run_id: int | None = Field(default=None, foreign_key="settlement_run.id")
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class SettlementRun(SQLModel, table=True):
    """One settlement run of a batch for a month: computed → approved (second officer) → released."""

    __tablename__ = "settlement_run"
    __table_args__ = (UniqueConstraint("batch_id", "month", "seq", name="uq_settlement_run_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    month: str = Field(max_length=7)
    seq: int = 1
    run_ref: str = Field(max_length=28, unique=True)
    status: str = Field(default="computed", max_length=12)  # computed | approved | released
    gross_fen: int = Field(default=0, sa_type=BigInteger)
    offset_fen: int = Field(default=0, sa_type=BigInteger)
    paid_fen: int = Field(default=0, sa_type=BigInteger)  # Σ new instructions (re-issues apart)
    reissued_fen: int = Field(default=0, sa_type=BigInteger)
    clawback_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    line_count: int = 0
    carried_count: int = 0
    computed_by: int | None = Field(default=None, foreign_key="app_user.id")
    computed_at: datetime = Field(sa_type=UTCDateTime)
    approved_by: int | None = Field(default=None, foreign_key="app_user.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_by: int | None = Field(default=None, foreign_key="app_user.id")
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PaymentInstruction(SQLModel, table=True):
    """Fund → supplier transfer: payer and payee accounts, amount, status, the lines it pays."""

    __tablename__ = "settlement_instruction"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="settlement_run.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    reference: str = Field(max_length=35, unique=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    payer_account: str = Field(max_length=40)
    payer_name: str = Field(max_length=200)
    payer_cnaps: str = Field(max_length=12)
    payer_bank: str = Field(default="", max_length=100)
    payee_account: str = Field(max_length=40)
    payee_name: str = Field(max_length=200)
    payee_cnaps: str = Field(max_length=12)
    payee_bank: str = Field(default="", max_length=100)
    amount_fen: int = Field(sa_type=BigInteger)
    line_count: int
    remittance: str = Field(max_length=140)
    status: str = Field(default="issued", max_length=10)  # issued | paid | failed | reissued
    reissue_of_id: int | None = Field(default=None, foreign_key="settlement_instruction.id")
    failure_reason: str = Field(default="", max_length=200)
    status_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PayableRecord(SQLModel, table=True):
    """A settled line: the unique payable key (acceptance, kind), the run that settled it and
    the quantity and gross (fen, half up) it settled.

    One row per line, so it is kept narrow — a province's month writes 600,000 of them, in one
    ``INSERT … SELECT``: who and what come from the acceptance, the offset and the instruction
    from the run's :class:`SettlementShare` of that hospital × supplier. On SQLite the table has
    no rowid: the key is the table's only b-tree.

    No foreign keys, on purpose: rows are only ever written by
    :func:`settlement.open_lines.claim_lines`, from existing acceptance lines and the run
    inserted in the same transaction, and never deleted; a per-row check would cost seconds
    per month on PostgreSQL and was seen to degrade badly under a hash-join plan.
    """

    __tablename__ = "settlement_payable"
    __table_args__ = {"sqlite_with_rowid": False}

    acceptance_id: int = Field(primary_key=True)  # settlement_acceptance.id (see above)
    kind: str = Field(default="delivery", max_length=12, primary_key=True)
    run_id: int = Field(index=True)  # settlement_run.id
    quantity: int
    gross_fen: int = Field(sa_type=BigInteger)


class SettlementShare(SQLModel, table=True):
    """One hospital's lines for one supplier in a run, summed: gross = offset (the hospital pays
    it out of its advance) + paid (the fund pays it, in ``instruction_id``; None when 0)."""

    __tablename__ = "settlement_share"
    __table_args__ = (UniqueConstraint("run_id", "hospital_org_id", "supplier_org_id", name="uq_settlement_share"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="settlement_run.id")  # indexed by the unique key
    batch_id: int = Field(foreign_key="batch.id")
    hospital_org_id: int = Field(foreign_key="organisation.id")
    supplier_org_id: int = Field(foreign_key="organisation.id")
    gross_fen: int = Field(sa_type=BigInteger)
    offset_fen: int = Field(sa_type=BigInteger)
    paid_fen: int = Field(sa_type=BigInteger)
    clawback_fen: int = Field(default=0, sa_type=BigInteger)  # returns after settlement netted (gross is net)
    line_count: int
    instruction_id: int | None = Field(default=None, foreign_key="settlement_instruction.id", index=True)


class DeductionStatement(SQLModel, table=True):
    """What the fund deducted from a hospital in a run: gross − offset = net."""

    __tablename__ = "settlement_statement"
    __table_args__ = (UniqueConstraint("run_id", "hospital_org_id", name="uq_settlement_statement"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="settlement_run.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    gross_fen: int = Field(sa_type=BigInteger)
    offset_fen: int = Field(sa_type=BigInteger)
    net_deducted_fen: int = Field(sa_type=BigInteger)
    advance_before_fen: int = Field(sa_type=BigInteger)
    advance_after_fen: int = Field(sa_type=BigInteger)
    clawback_fen: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    line_count: int


class BankFileRecord(SQLModel, table=True):
    """A released file for the bank (pain.001 XML, CSV per paying bank, summary) and its hash."""

    __tablename__ = "settlement_bank_file"
    __table_args__ = (UniqueConstraint("run_id", "name", name="uq_settlement_bank_file"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="settlement_run.id", index=True)
    kind: str = Field(max_length=10)  # xml | csv | summary
    name: str = Field(max_length=120)
    sha256: str = Field(max_length=64)
    instruction_count: int
    total_fen: int = Field(sa_type=BigInteger)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)


class BankReturnImport(SQLModel, table=True):
    """One imported bank return file: who, when, its hash and what it changed."""

    __tablename__ = "settlement_bank_return"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="settlement_run.id", index=True)
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    paid_count: int
    failed_count: int
    unchanged_count: int
    imported_by: int | None = Field(default=None, foreign_key="app_user.id")
    imported_at: datetime = Field(sa_type=UTCDateTime)
