"""Settlement money core: pure functions over frozen dataclasses (no database, no Flask).

Modules: ``model`` (data, statuses, settings), ``payable`` (line amounts, advances, offsets),
``run`` (a settlement run; the offset model is explained there), ``ledger`` (instruction
statuses, re-issue), ``deadlines``, ``progress`` (序时进度), ``savings`` (结余留用),
``bankfiles`` (pain.001 XML, CSV, summary) and ``bankreturns`` (bank return parser).
"""

from .ledger import InstructionRecord, apply_bank_return, reissue_instruction, transition
from .model import (
    AcceptedLine,
    AccountDirectory,
    BankAccount,
    DeductionStatement,
    InstructionLine,
    InstructionStatus,
    OffsetRule,
    PayableKey,
    PayableKind,
    PayableLine,
    PaymentInstruction,
    SettledLine,
    SettledShare,
    SettlementError,
    SettlementResult,
    SettlementSettings,
    ShareTotal,
)
from .payable import (
    Advance,
    AgreedContract,
    allocate_largest_remainder,
    hospital_offset,
    payable_lines,
    prepayment_advances,
)
from .run import compute_settlement, settle_shares

__all__ = [
    "AcceptedLine",
    "AccountDirectory",
    "Advance",
    "AgreedContract",
    "BankAccount",
    "DeductionStatement",
    "InstructionLine",
    "InstructionRecord",
    "InstructionStatus",
    "OffsetRule",
    "PayableKey",
    "PayableKind",
    "PayableLine",
    "PaymentInstruction",
    "SettledLine",
    "SettledShare",
    "SettlementError",
    "SettlementResult",
    "SettlementSettings",
    "ShareTotal",
    "allocate_largest_remainder",
    "apply_bank_return",
    "compute_settlement",
    "settle_shares",
    "hospital_offset",
    "payable_lines",
    "prepayment_advances",
    "reissue_instruction",
    "transition",
]
