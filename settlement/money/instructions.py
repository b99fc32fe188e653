"""Instruction statuses after the bank answers, and re-issuing a failed instruction.

Transitions (nothing else is allowed)::

    issued  → paid | failed
    failed  → reissued        (a new instruction, same lines, takes over)
    paid, reissued: final

The bank's answer already applied to an instruction (paid for paid; failed for failed and for
reissued, which had failed) is a no-op when it comes again, in every state (:func:`answer`).

A line is never paid twice: a failed instruction is re-issued only while no other issued or
paid instruction covers any of its lines, and only once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from settlement.money.data import (
    BankAccount,
    InstructionStatus,
    PaymentInstruction,
    SettlementError,
)
from settlement.money.settle import remittance_text

TRANSITIONS: dict[InstructionStatus, frozenset[InstructionStatus]] = {
    InstructionStatus.ISSUED: frozenset({InstructionStatus.PAID, InstructionStatus.FAILED}),
    InstructionStatus.FAILED: frozenset({InstructionStatus.REISSUED}),
    InstructionStatus.PAID: frozenset(),
    InstructionStatus.REISSUED: frozenset(),
}

LIVE = frozenset({InstructionStatus.ISSUED, InstructionStatus.PAID})


@dataclass(frozen=True)
class InstructionRecord:
    """An instruction as stored, with its current status."""

    instruction: PaymentInstruction
    status: InstructionStatus


def transition(current: InstructionStatus, new: InstructionStatus) -> InstructionStatus:
    """Return ``new`` when the move is allowed; same status twice is a no-op (idempotent)."""
    if current == new:
        return new
    if new not in TRANSITIONS[InstructionStatus(current)]:
        raise SettlementError(f"instruction cannot go from {current} to {new}")
    return new


#: the bank's answer each status stands for (a re-issued instruction had been answered "failed")
ANSWERED: dict[InstructionStatus, InstructionStatus] = {
    InstructionStatus.PAID: InstructionStatus.PAID,
    InstructionStatus.FAILED: InstructionStatus.FAILED,
    InstructionStatus.REISSUED: InstructionStatus.FAILED,
}


def answer(current: InstructionStatus, reported: InstructionStatus) -> InstructionStatus:
    """The status after the bank reports ``reported`` (paid | failed) for an instruction now
    ``current``: the answer already applied is a no-op (``current`` back) in every state — a
    re-imported return after the failed instruction was re-issued changes nothing; any other
    move goes through :func:`transition` (paid → failed, reissued → paid: refused)."""
    current = InstructionStatus(current)
    if ANSWERED.get(current) == reported:
        return current
    return transition(current, reported)


def reissue_instruction(
    failed_reference: str,
    ledger: Iterable[InstructionRecord],
    new_reference: str,
    payee: BankAccount | None = None,
) -> PaymentInstruction:
    """A new instruction for the same lines and amount as a failed one, under a new reference.

    ``payee`` replaces the receiving account (e.g. the failure was a closed account).
    Refused (SettlementError) unless the instruction is failed, the new reference is unused,
    and no issued or paid instruction already covers any of its lines.
    """
    records = list(ledger)
    by_ref = {r.instruction.reference: r for r in records}
    old = by_ref.get(failed_reference)
    if old is None:
        raise SettlementError(f"unknown instruction {failed_reference}")
    if old.status != InstructionStatus.FAILED:
        raise SettlementError(f"instruction {failed_reference} is {old.status}, not failed")
    if new_reference in by_ref or not 0 < len(new_reference) <= 35:
        raise SettlementError(f"reference {new_reference!r} is taken or not 1–35 characters")
    lines = {(x.delivery_line_id, x.kind) for x in old.instruction.lines}
    for r in records:
        if r.status in LIVE and r.instruction.reference != failed_reference:
            clash = lines & {(x.delivery_line_id, x.kind) for x in r.instruction.lines}
            if clash:
                ids = ", ".join(sorted(i for i, _ in clash))
                raise SettlementError(
                    f"lines {ids} are already covered by {r.status} instruction "
                    f"{r.instruction.reference}"
                )
    return replace(
        old.instruction,
        reference=new_reference,
        payee=payee or old.instruction.payee,
        remittance=remittance_text(new_reference, len(old.instruction.lines)),
        reissue_of=failed_reference,
    )


def apply_bank_return(
    records: Iterable[InstructionRecord], results: Iterable[tuple[str, InstructionStatus]]
) -> tuple[InstructionRecord, ...]:
    """The ledger after a bank return: each (reference, paid | failed) moves its instruction.

    All or nothing: an unknown reference or a forbidden move (paid → failed) raises
    :class:`SettlementError` and nothing is returned; the same answer twice is a no-op.
    """
    by_ref = {r.instruction.reference: r for r in records}
    new_status = {ref: r.status for ref, r in by_ref.items()}
    for reference, status in results:
        if reference not in by_ref:
            raise SettlementError(f"bank return names unknown instruction {reference}")
        if status not in (InstructionStatus.PAID, InstructionStatus.FAILED):
            raise SettlementError(f"bank return status must be paid or failed, got {status}")
        new_status[reference] = answer(new_status[reference], status)
    return tuple(replace(r, status=new_status[ref]) for ref, r in by_ref.items())
