"""Settlement tables: deliveries, acceptances, prepayment ledger, runs, payables, instructions,
deduction statements, bank files and bank-return imports.

Nothing here is ever deleted. Quantities are whole minimal units, money integers of fen
(BIGINT: a province's month runs to tens of billions of fen),
prices integers of 1/10000 yuan. A line is settled once: its place in the batch's settlement
queue (``Acceptance.claim_seq``) lies in exactly one ``settlement_claim`` range, and the
database refuses overlapping ranges (see :class:`SettlementClaim`);
``settlement_share`` holds a run's money per hospital × supplier.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
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

    ``claim_seq`` is the line's place in the batch's settlement queue: given when the hospital
    confirms the line (cleared when it disputes it), above every place given or claimed before
    in the batch. A run settles the confirmed lines whose place lies in its claim's range.
    """

    __tablename__ = "settlement_acceptance"
    __table_args__ = (Index("ix_settlement_acceptance_claim", "batch_id", "claim_seq"),)

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
    claim_seq: int | None = Field(default=None, sa_type=BigInteger)


class DeliveryReturn(SQLModel, table=True):
    """Goods sent back after acceptance (退货): reduces the acceptance's payable quantity.

    A return after the line was settled is **clawed back**: ``clawback_fen`` = the line's amount
    before − after the return (so a line's clawbacks add up exactly to what was overpaid), netted
    in a later run against the same hospital × supplier (``clawback_run_id``), or — when no later
    gross of that pair covers it — asked back from the supplier (``refund_id``).
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
    refund_id: int | None = Field(default=None, foreign_key="settlement_refund.id", index=True)


class ClawbackRefund(SQLModel, table=True):
    """Clawbacks no later run could net, asked back from the supplier (退货款追回): one hospital ×
    supplier's open clawbacks of a batch, summed. Requested → received (the officer records
    the bank's reference); the fund then owes the hospital what it had deducted for them."""

    __tablename__ = "settlement_refund"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=35, unique=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    return_count: int  # returns after settlement among what is asked back
    #: takeover price differences among it, and their credits for returned units (issue 19)
    difference_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    status: str = Field(default="requested", max_length=10)  # requested | received
    requested_by: int | None = Field(default=None, foreign_key="app_user.id")  # None: the system
    requested_at: datetime = Field(sa_type=UTCDateTime)
    received_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    bank_ref: str = Field(default="", max_length=60)
    received_by: int | None = Field(default=None, foreign_key="app_user.id")
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PriceDifference(SQLModel, table=True):
    """The price difference a failed winner owes for a line its backup delivered (差价由原中选企业承担):
    under a supply takeover whose price rule is ``failed_price`` the taker is paid its own price,
    and the failed winner is charged, per settled line of the taker, the line's amount at the
    taker's price − its amount at the failed winner's price (so the hospital's net cost stays the
    failed winner's price, to the fen).

    Recorded by the run that settles the taker's line (``settled_run_id``; one per acceptance), it
    is a clawback of the failed winner towards that hospital: netted in a run against the same
    hospital × failed winner when its gross covers it (``clawback_run_id``), or asked back as a
    refund (``refund_id``) — the mechanism of :class:`DeliveryReturn`."""

    __tablename__ = "settlement_price_difference"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    acceptance_id: int = Field(foreign_key="settlement_acceptance.id", unique=True)  # the taker's line
    takeover_line_id: int = Field(foreign_key="supply_takeover_line.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)  # the failed winner, charged
    quantity: int  # the line's net accepted units when settled
    taker_ucp_e4: int = Field(sa_type=BigInteger)  # the contract (taker's) price
    failed_ucp_e4: int = Field(sa_type=BigInteger)  # the failed winner's price
    amount_fen: int = Field(sa_type=BigInteger)
    settled_run_id: int | None = Field(default=None, foreign_key="settlement_run.id", index=True)  # set by that run
    clawback_run_id: int | None = Field(default=None, foreign_key="settlement_run.id", index=True)
    refund_id: int | None = Field(default=None, foreign_key="settlement_refund.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class DifferenceCredit(SQLModel, table=True):
    """A price difference given back to the failed winner for units of the taker's line returned after
    settlement (the negative entry of :class:`PriceDifference`): the line's difference before − after
    the return, each rounded as a line is, so a line's difference and its credits add up to the
    difference of what the hospital kept, to the fen. One per return (``return_id`` unique).

    It is one more open amount of the failed winner towards that hospital, with the opposite sign
    (``open_lines.OWED``): it lowers a charge still open or asked back with it, and otherwise is
    added to the failed winner's next payment for that hospital (``clawback_run_id``)."""

    __tablename__ = "settlement_difference_credit"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    difference_id: int = Field(foreign_key="settlement_price_difference.id", index=True)
    return_id: int = Field(foreign_key="settlement_return.id", unique=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)  # the failed winner, credited
    quantity: int  # the units returned
    amount_fen: int = Field(sa_type=BigInteger)  # > 0: what the failed winner is given back
    clawback_run_id: int | None = Field(default=None, foreign_key="settlement_run.id", index=True)
    refund_id: int | None = Field(default=None, foreign_key="settlement_refund.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class PrepaymentEntry(SQLModel, table=True):
    """The prepayment ledger: an advance (+) when contracts are signed, offsets (−) per run, and a
    recovery (−) of what no run offset by the cycle's end (:class:`PrepaymentRecovery`).

    ``entry_key`` is unique (``advance:<batch>:<hospital>``, ``offset:<run>:<hospital>``,
    ``recovery:<batch>:<hospital>:<n>``), so granting twice or persisting a run twice cannot add a second
    entry. The advance counts as *paid* once its fund payment is (``settlement.payments.advances``).
    """

    __tablename__ = "settlement_prepayment"

    id: int | None = Field(default=None, primary_key=True)
    entry_key: str = Field(max_length=80, unique=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=10)  # advance | offset | recovery
    amount_fen: int = Field(sa_type=BigInteger)  # signed: advances positive, offsets negative
    run_id: int | None = Field(default=None, foreign_key="settlement_run.id")
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)


class PrepaymentRecovery(SQLModel, table=True):
    """An advance not offset by the cycle's end, recovered (预付款清算收回): how much, how —
    ``deducted`` from the hospital's next payment from the fund, or ``refunded`` by it with the
    bank's reference —, who and why. Its ledger entry (kind ``recovery``, negative) closes the
    balance; nothing else changes."""

    __tablename__ = "settlement_prepayment_recovery"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    hospital_org_id: int = Field(foreign_key="organisation.id", index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    method: str = Field(max_length=10)  # deducted | refunded
    bank_ref: str = Field(default="", max_length=60)
    reason: str = Field(max_length=200)
    entry_id: int = Field(foreign_key="settlement_prepayment.id")
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class SettlementRun(SQLModel, table=True):
    """One settlement run of a batch for a month: computed → approved (second officer) → released.

    ``kind`` says what the run pays: ``monthly`` (the monthly settlement and its re-issues), or the
    kind of a fund payment outside the monthly run (``prepayment``, ``savings``: one instruction
    per run, see :mod:`settlement.payments.fund`). Every "runs of a month" query reads monthly
    runs only; the kinds share the month's ``seq`` numbers (one unique key).
    """

    __tablename__ = "settlement_run"
    __table_args__ = (UniqueConstraint("batch_id", "month", "seq", name="uq_settlement_run_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    month: str = Field(max_length=7)
    seq: int = 1
    kind: str = Field(default="monthly", sa_column=Column(String(12), nullable=False, server_default="monthly"))
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
    """Fund → payee transfer: payer and payee accounts, amount, status, the lines it pays.

    ``supplier_org_id`` is the payee organisation: the supplier in a monthly run; in a fund
    payment's run (``settlement_run.kind`` ≠ monthly) the payee of the :class:`FundPayment`,
    which may be a hospital (prepayment, retained savings) — such an instruction pays no lines.
    """

    __tablename__ = "settlement_instruction"
    #: a failed instruction is re-issued at most once: the database refuses a second successor
    __table_args__ = (Index("uq_settlement_instruction_reissue_of", "reissue_of_id", unique=True),)

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
    bank_ref: str = Field(default="", sa_column=Column(String(60), nullable=False, server_default=""))  # 银行流水号


class ReissueRequest(SQLModel, table=True):
    """Re-issuing a failed payment (退票重付), four-eyes: one settlement officer requests it to the
    supplier's account as it is now (kept here, so the approver sees what is approved), a second
    one approves — which creates the new instruction — or either rejects it.

    At most one open (requested or approved) request per failed instruction (partial unique
    index); the new instruction's ``reissue_of_id`` is unique too, so nothing is paid twice.
    """

    __tablename__ = "settlement_reissue"
    __table_args__ = (Index("uq_settlement_reissue_open", "instruction_id", unique=True,
                            sqlite_where=text("status != 'rejected'"), postgresql_where=text("status != 'rejected'")),)

    id: int | None = Field(default=None, primary_key=True)
    instruction_id: int = Field(foreign_key="settlement_instruction.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    supplier_org_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default="requested", max_length=10)  # requested | approved | rejected
    payee_account: str = Field(max_length=40)
    payee_name: str = Field(max_length=200)
    payee_cnaps: str = Field(max_length=12)
    payee_bank: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=200)
    requested_by: int = Field(foreign_key="app_user.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=200)
    new_instruction_id: int | None = Field(default=None, foreign_key="settlement_instruction.id")


class FundPayment(SQLModel, table=True):
    """A payment from the fund outside the monthly run (:mod:`settlement.payments.fund`), four-eyes:
    one settlement officer proposes it (kind, payee, amount, remittance, source reference; the
    payee's account as it is then is kept here), a second one approves it — which makes its run
    (``kind`` = this kind) and its one :class:`PaymentInstruction` — or either rejects it.

    At most one open (proposed or approved) payment per ``(kind, source_ref)`` (partial unique
    index), so the source (a ledger advance, a savings decision) is never paid twice.
    """

    __tablename__ = "settlement_fund_payment"
    __table_args__ = (Index("uq_settlement_fund_payment_open", "kind", "source_ref", unique=True,
                            sqlite_where=text("status != 'rejected'"), postgresql_where=text("status != 'rejected'")),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    kind: str = Field(max_length=12)  # prepayment | savings
    payee_org_id: int = Field(foreign_key="organisation.id", index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    remittance: str = Field(max_length=140)
    source_ref: str = Field(max_length=80)
    status: str = Field(default="proposed", max_length=10)  # proposed | approved | rejected
    payee_account: str = Field(max_length=40)
    payee_name: str = Field(max_length=200)
    payee_cnaps: str = Field(max_length=12)
    payee_bank: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=200)
    proposed_by: int = Field(foreign_key="app_user.id")
    proposed_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=200)
    run_id: int | None = Field(default=None, foreign_key="settlement_run.id")
    instruction_id: int | None = Field(default=None, foreign_key="settlement_instruction.id")


class SettlementClaim(SQLModel, table=True):
    """The lines a run settled: the confirmed lines of its batch whose ``claim_seq`` lies in
    ``(lo, hi]`` (``lo`` None: from the start) — one row per run, not one per line, so that a
    province's month of 600,000 lines is claimed by one insert.

    The database keeps a batch's claims a single chain of disjoint ranges, so no line can be
    settled twice whatever runs race: one first claim per batch (``lo`` null, partial unique
    index), every other claim starts where an earlier one ends (``(batch, lo)`` references
    ``(batch, hi)``), no two claims start or end at the same place, and ``hi > lo``. A settled
    line is frozen: reconciliation refuses it, and new places are given above every ``hi``.
    """

    __tablename__ = "settlement_claim"
    __table_args__ = (
        UniqueConstraint("batch_id", "hi", name="uq_settlement_claim_hi"),
        UniqueConstraint("batch_id", "lo", name="uq_settlement_claim_lo"),
        ForeignKeyConstraint(["batch_id", "lo"], ["settlement_claim.batch_id", "settlement_claim.hi"],
                             name="fk_settlement_claim_chain"),
        CheckConstraint("lo IS NULL OR hi > lo", name="ck_settlement_claim_range"),
        CheckConstraint("hi > 0", name="ck_settlement_claim_hi"),
        Index("uq_settlement_claim_first", "batch_id", unique=True, sqlite_where=text("lo IS NULL"),
              postgresql_where=text("lo IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="batch.id")
    run_id: int = Field(foreign_key="settlement_run.id", unique=True)
    lo: int | None = Field(default=None, sa_type=BigInteger)
    hi: int = Field(sa_type=BigInteger)
    line_count: int  # lines with something payable (lines of 0 fen in the range are settled at 0)


class SettlementShare(SQLModel, table=True):
    """One hospital's lines for one supplier in a run, summed: gross = offset (the hospital pays
    it out of its advance) + paid (the fund pays it, in ``instruction_id``; None when 0).

    No foreign keys, on purpose (as for the claims' lines): shares are written only by the run,
    from the organisations of the lines it summed (which are checked foreign keys), the run and
    the instructions it inserted a moment before, and nothing is ever deleted. On PostgreSQL each
    foreign-key check costs about 0.2 s per province month (52,000 shares) — four of them were
    most of the time of writing the shares (measured).
    """

    __tablename__ = "settlement_share"
    __table_args__ = (UniqueConstraint("run_id", "hospital_org_id", "supplier_org_id", name="uq_settlement_share"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int  # settlement_run.id (see above); indexed by the unique key
    hospital_org_id: int  # organisation.id
    supplier_org_id: int  # organisation.id
    gross_fen: int = Field(sa_type=BigInteger)
    offset_fen: int = Field(sa_type=BigInteger)
    paid_fen: int = Field(sa_type=BigInteger)
    clawback_fen: int = Field(default=0, sa_type=BigInteger)  # returns after settlement netted (gross is net)
    line_count: int
    instruction_id: int | None = Field(default=None, index=True)  # settlement_instruction.id


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
