"""Instruction statuses and re-issuing failed instructions."""

from __future__ import annotations

import pytest

from settlement.money.data import InstructionStatus as S
from settlement.money.data import SettlementError, SettlementSettings
from settlement.money.instructions import (
    InstructionRecord,
    apply_bank_return,
    reissue_instruction,
    transition,
)
from settlement.money.settle import compute_settlement
from tests.settlement.factories import directory, line, supplier_account


def issued():
    """Two instructions: RUN-000001 (S1: a, c) and RUN-000002 (S2: b)."""
    lines = [
        line("a", supplier="S1"),
        line("b", supplier="S2", qty=2),
        line("c", supplier="S1", qty=3),
    ]
    result = compute_settlement(
        lines, {}, SettlementSettings(), frozenset(), accounts=directory("S1", "S2"), run_ref="RUN"
    )
    return result.instructions


def test_transitions() -> None:
    assert transition(S.ISSUED, S.PAID) == S.PAID
    assert transition(S.ISSUED, S.FAILED) == S.FAILED
    assert transition(S.FAILED, S.REISSUED) == S.REISSUED
    assert transition(S.PAID, S.PAID) == S.PAID  # the same bank return twice is a no-op
    for current, new in [
        (S.PAID, S.FAILED),
        (S.FAILED, S.PAID),
        (S.REISSUED, S.ISSUED),
        (S.ISSUED, S.REISSUED),
    ]:
        with pytest.raises(SettlementError):
            transition(current, new)


def test_failed_instruction_is_reissued_with_same_lines_and_amount() -> None:
    one, two = issued()
    ledger = [InstructionRecord(one, S.FAILED), InstructionRecord(two, S.PAID)]
    new = reissue_instruction("RUN-000001", ledger, "RUN2-000001")
    assert (new.reference, new.reissue_of) == ("RUN2-000001", "RUN-000001")
    assert (new.amount_fen, new.lines, new.payer, new.payee) == (
        one.amount_fen,
        one.lines,
        one.payer,
        one.payee,
    )
    assert "RUN2-000001" in new.remittance

    fixed = supplier_account("S1", n=9)
    assert reissue_instruction("RUN-000001", ledger, "RUN2-000001", payee=fixed).payee == fixed


def test_reissue_never_duplicates_a_live_or_paid_instruction() -> None:
    one, two = issued()
    with pytest.raises(SettlementError, match="paid, not failed"):
        reissue_instruction("RUN-000002", [InstructionRecord(two, S.PAID)], "X-1")
    with pytest.raises(SettlementError, match="issued, not failed"):
        reissue_instruction("RUN-000002", [InstructionRecord(two, S.ISSUED)], "X-1")
    with pytest.raises(SettlementError, match="unknown"):
        reissue_instruction("NOPE", [InstructionRecord(two, S.FAILED)], "X-1")

    # Re-issued once (new one still issued): a second re-issue of the same lines is refused.
    ledger = [InstructionRecord(one, S.FAILED)]
    again = reissue_instruction("RUN-000001", ledger, "RUN2-000001")
    ledger = [InstructionRecord(one, S.FAILED), InstructionRecord(again, S.ISSUED)]
    with pytest.raises(SettlementError, match="already covered"):
        reissue_instruction("RUN-000001", ledger, "RUN3-000001")
    # ... and once the re-issue is paid, too.
    ledger[1] = InstructionRecord(again, S.PAID)
    with pytest.raises(SettlementError, match="already covered"):
        reissue_instruction("RUN-000001", ledger, "RUN3-000001")
    # A reference already in use is refused.
    with pytest.raises(SettlementError, match="taken"):
        reissue_instruction(
            "RUN-000001",
            [InstructionRecord(one, S.FAILED), InstructionRecord(two, S.PAID)],
            "RUN-000002",
        )


def test_reissue_of_a_failed_reissue_is_allowed() -> None:
    one, _ = issued()
    second = reissue_instruction("RUN-000001", [InstructionRecord(one, S.FAILED)], "R2-1")
    ledger = [InstructionRecord(one, S.REISSUED), InstructionRecord(second, S.FAILED)]
    third = reissue_instruction("R2-1", ledger, "R3-1")
    assert (third.reissue_of, third.lines) == ("R2-1", one.lines)


def test_bank_return_moves_statuses_all_or_nothing() -> None:
    one, two = issued()
    ledger = [InstructionRecord(one, S.ISSUED), InstructionRecord(two, S.ISSUED)]
    after = apply_bank_return(ledger, [("RUN-000001", S.PAID), ("RUN-000002", S.FAILED)])
    assert [r.status for r in after] == [S.PAID, S.FAILED]
    assert apply_bank_return(after, [("RUN-000001", S.PAID)]) == after  # same file twice
    with pytest.raises(SettlementError, match="paid to failed"):
        apply_bank_return(after, [("RUN-000001", S.FAILED)])
    with pytest.raises(SettlementError, match="unknown"):
        apply_bank_return(after, [("NOPE", S.PAID)])
    with pytest.raises(SettlementError, match="paid or failed"):
        apply_bank_return(ledger, [("RUN-000001", S.REISSUED)])
