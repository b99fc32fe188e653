"""Plain data for the settlement maths: inputs, outputs, statuses, settings.

Every amount is an ``int`` of fen, every unit price an ``int`` ``price_e4`` (1/10000 yuan),
every ratio a ``Decimal``; floats are refused where a value enters (``__post_init__``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType

CNAPS_RE = re.compile(r"^[0-9]{12}$")


class SettlementError(ValueError):
    """Input the settlement maths cannot accept (bad line, missing account, bad setting)."""


class PayableKind(StrEnum):
    """What a payable is for; with the delivery line id it forms the unique payable key."""

    DELIVERY = "delivery"


class OffsetRule(StrEnum):
    """How a hospital's outstanding advance reduces a month's payable."""

    PROPORTIONAL = "proportional"  # offset ratio × the month's payable, until used up
    FIRST = "first"  # as much as possible from the first settlements
    NONE = "none"  # never offset


class InstructionStatus(StrEnum):
    """Life of a payment instruction: issued → paid | failed; failed → reissued."""

    ISSUED = "issued"
    PAID = "paid"
    FAILED = "failed"
    REISSUED = "reissued"


def check_ratio(name: str, value: Decimal) -> None:
    """Refuse a ratio that is not a Decimal in [0, 1]."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise SettlementError(f"{name} must be a finite Decimal, got {value!r}")
    if not Decimal(0) <= value <= Decimal(1):
        raise SettlementError(f"{name} must lie in [0, 1], got {value}")


def check_int(name: str, value: int, *, minimum: int = 0) -> None:
    """Refuse a value that is not an int (bool excluded) at least ``minimum``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise SettlementError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise SettlementError(f"{name} must be ≥ {minimum}, got {value}")


@dataclass(frozen=True)
class PayableKey:
    """Unique key of one payable: a delivery line and what the payment is for."""

    delivery_line_id: str
    kind: PayableKind = PayableKind.DELIVERY


@dataclass(frozen=True)
class BankAccount:
    """A bank account: number, holder's name and the bank's 12-digit CNAPS code."""

    account_no: str
    holder_name: str
    bank_cnaps: str
    bank_name: str = ""

    def __post_init__(self) -> None:
        """Refuse an empty account or holder, or a CNAPS code that is not 12 digits."""
        if not self.account_no.strip() or not self.holder_name.strip():
            raise SettlementError("bank account needs a number and a holder name")
        if not CNAPS_RE.match(self.bank_cnaps):
            raise SettlementError(f"CNAPS code must be 12 digits, got {self.bank_cnaps!r}")


@dataclass(frozen=True)
class AcceptedLine:
    """One accepted delivery line; ``accepted_qty`` is net of returns."""

    delivery_line_id: str
    contract_id: str
    hospital_code: str
    supplier_code: str
    item_code: str
    accepted_qty: int
    price_e4: int
    accepted_on: date
    disputed: bool = False
    kind: PayableKind = PayableKind.DELIVERY

    def __post_init__(self) -> None:
        """Refuse empty identifiers and negative or non-integer quantities and prices."""
        for name in ("delivery_line_id", "contract_id", "hospital_code", "supplier_code"):
            if not str(getattr(self, name)).strip():
                raise SettlementError(f"{name} is empty")
        check_int("accepted_qty", self.accepted_qty)
        check_int("price_e4", self.price_e4)

    @cached_property
    def key(self) -> PayableKey:
        """The unique payable key of this line (computed once: runs look it up several times)."""
        return PayableKey(self.delivery_line_id, self.kind)


@dataclass(frozen=True)
class PayableLine:
    """An accepted line with its payable amount in fen (rounded per line, half up)."""

    line: AcceptedLine
    gross_fen: int


@dataclass(frozen=True)
class SettledLine:
    """A line settled in a run: gross = offset (covered by the advance) + paid by the fund."""

    line: AcceptedLine
    gross_fen: int
    offset_fen: int
    paid_fen: int
    instruction_ref: str | None


@dataclass(frozen=True)
class InstructionLine:
    """One delivery line covered by a payment instruction and the fen paid for it."""

    delivery_line_id: str
    kind: PayableKind
    hospital_code: str
    amount_fen: int


@dataclass(frozen=True)
class ShareTotal:
    """One hospital's settled lines for one supplier account in a run, summed (a *share*).

    The run works on shares, not lines: a hospital's offset is split over its shares, and an
    instruction pays the net of the shares of one (supplier, payee, payer). ``line_count``
    lines make up ``gross_fen`` (each line's gross rounded half up on its own).
    """

    hospital_code: str
    supplier_code: str
    payee: BankAccount
    payer: BankAccount
    gross_fen: int
    line_count: int
    #: returns after settlement and price differences already taken off gross_fen (shown, not
    #: re-applied); negative when credits of differences for returned units outweigh them
    clawback_fen: int = 0

    def __post_init__(self) -> None:
        """Refuse negative or non-integer amounts and counts (a run builds 50,000 of these: plain
        non-negative ints pass on one test; anything else goes through :func:`check_int`). The
        clawback may be negative (a credit added to the gross), never more than the gross adds."""
        g, n, c = self.gross_fen, self.line_count, self.clawback_fen
        if type(g) is not int or type(n) is not int or type(c) is not int or g < 0 or n < 0 or c < -g:
            check_int("gross_fen", g)
            check_int("line_count", n)
            check_int("clawback_fen", c, minimum=-g)


@dataclass(frozen=True)
class SettledShare:
    """A share settled in a run: gross = offset (paid by the hospital out of its advance)
    + paid (by the fund, in instruction ``instruction_ref``; None when nothing is paid)."""

    share: ShareTotal
    offset_fen: int
    paid_fen: int
    instruction_ref: str | None


@dataclass(frozen=True)
class PaymentInstruction:
    """Fund → supplier transfer for a set of shares; ``reference`` is the EndToEndId.

    ``line_count`` lines are covered; ``lines`` lists them with the fen paid for each when the
    run was computed line by line (:func:`settlement.money.settle.compute_settlement`), and is empty
    when it was computed from share totals (the database path) or read back for a bank file.
    """

    reference: str
    supplier_code: str
    payer: BankAccount
    payee: BankAccount
    amount_fen: int
    lines: tuple[InstructionLine, ...]
    remittance: str
    reissue_of: str | None = None
    line_count: int = -1  # -1: len(lines)

    def __post_init__(self) -> None:
        """Default the line count to the lines listed."""
        if self.line_count < 0:
            object.__setattr__(self, "line_count", len(self.lines))

    @property
    def line_ids(self) -> tuple[str, ...]:
        """The delivery line ids this instruction pays."""
        return tuple(x.delivery_line_id for x in self.lines)


@dataclass(frozen=True)
class DeductionStatement:
    """What the fund deducts from a hospital for a run: gross − offset = net deducted.

    ``lines`` are the settled lines when computed line by line (empty from share totals);
    ``line_count`` is always the number of lines settled.
    """

    hospital_code: str
    gross_fen: int
    offset_fen: int
    net_deducted_fen: int
    advance_before_fen: int
    advance_after_fen: int
    lines: tuple[SettledLine, ...] = ()
    line_count: int = -1  # -1: len(lines)
    clawback_fen: int = 0  # returns after earlier settlements, already taken off gross_fen

    def __post_init__(self) -> None:
        """Default the line count to the lines listed."""
        if self.line_count < 0:
            object.__setattr__(self, "line_count", len(self.lines))


@dataclass(frozen=True)
class AccountDirectory:
    """Where money moves: the fund's paying account(s) and each supplier's receiving account.

    ``contract_accounts`` overrides the supplier's account for one contract;
    ``hospital_payers`` overrides the fund account for one hospital (another pooling area).
    """

    fund_account: BankAccount
    supplier_accounts: Mapping[str, BankAccount]
    contract_accounts: Mapping[str, BankAccount] = field(default_factory=dict)
    hospital_payers: Mapping[str, BankAccount] = field(default_factory=dict)

    def payee_for(self, line: AcceptedLine) -> BankAccount | None:
        """The account that receives payment for ``line`` (None when none is known)."""
        return self.contract_accounts.get(line.contract_id) or self.supplier_accounts.get(
            line.supplier_code
        )

    def payer_for(self, line: AcceptedLine) -> BankAccount:
        """The fund account that pays for ``line``."""
        return self.hospital_payers.get(line.hospital_code, self.fund_account)


@dataclass(frozen=True)
class SettlementSettings:
    """Per-batch settlement settings (defaults from domain.md §6)."""

    offset_rule: OffsetRule = OffsetRule.PROPORTIONAL
    offset_ratio: Decimal = Decimal("0.30")
    prepayment_ratio: Decimal = Decimal("0.30")
    payment_days: int = 30

    def __post_init__(self) -> None:
        """Refuse ratios outside [0, 1] or given as floats, and negative deadlines."""
        check_ratio("offset_ratio", self.offset_ratio)
        check_ratio("prepayment_ratio", self.prepayment_ratio)
        check_int("payment_days", self.payment_days)
        OffsetRule(self.offset_rule)


@dataclass(frozen=True)
class SettlementResult:
    """Outcome of one settlement run (nothing persisted: the caller stores it)."""

    run_ref: str
    instructions: tuple[PaymentInstruction, ...]
    statements: tuple[DeductionStatement, ...]
    settled_keys: frozenset[PayableKey]
    carried_over: tuple[str, ...]
    skipped_settled: tuple[str, ...]
    skipped_zero: tuple[str, ...]
    advances_after: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    shares: tuple[SettledShare, ...] = ()

    @property
    def gross_fen(self) -> int:
        """Σ payable of the lines settled in this run."""
        return sum(s.gross_fen for s in self.statements)

    @property
    def clawback_fen(self) -> int:
        """Σ returns after earlier settlements netted in this run (already off the gross)."""
        return sum(s.clawback_fen for s in self.statements)

    @property
    def offset_fen(self) -> int:
        """Σ prepayment offsets of this run."""
        return sum(s.offset_fen for s in self.statements)

    @property
    def paid_fen(self) -> int:
        """Σ payment instructions of this run (= gross − offsets)."""
        return sum(i.amount_fen for i in self.instructions)
