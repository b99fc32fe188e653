"""Reconciliation properties over random deliveries, returns, disputes, re-runs and bank failures.

Every run: Σ instructions = Σ accepted qty × price (rounded per line) − prepayment offsets, to
the fen; a re-run with the settled keys pays nothing; a failed instruction re-issued (maybe
failing again) never pays a line twice; in the end every line is paid exactly once.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import line_amount_fen
from settlement.money.data import (
    AcceptedLine,
    InstructionStatus,
    OffsetRule,
    PayableKey,
    SettlementError,
    SettlementSettings,
)
from settlement.money.instructions import InstructionRecord, reissue_instruction
from settlement.money.settle import compute_settlement
from tests.settlement.factories import directory

HOSPITALS = ("H1", "H2", "H3")
SUPPLIERS = ("S1", "S2", "S3")
RUNS = 6  # lines arrive by run 2 and disputes last ≤ 3 runs: all settle by run 5

LINE = st.tuples(
    st.sampled_from(HOSPITALS),
    st.sampled_from(SUPPLIERS),
    st.integers(0, 2000),  # delivered and accepted
    st.integers(0, 2000),  # returned (capped at accepted)
    st.integers(0, RUNS),  # run from which the return is known
    st.integers(1, 5_000_000),  # price_e4, up to ¥500.0000
    st.integers(0, 2),  # run in which the line first appears
    st.integers(0, 3),  # runs it stays disputed after appearing
)
SCENARIO = st.fixed_dictionaries(
    {
        "lines": st.lists(LINE, max_size=25),
        "balances": st.dictionaries(st.sampled_from(HOSPITALS), st.integers(0, 10_000_000)),
        "rule": st.sampled_from(list(OffsetRule)),
        "ratio": st.integers(0, 100).map(lambda n: Decimal(n) / 100),
    }
)


def lines_at(specs: list[tuple], run: int) -> list[AcceptedLine]:
    """The accepted lines as the platform sees them in ``run`` (net of known returns)."""
    out = []
    for n, (h, s, qty, ret, ret_run, price, arrive, disputed_for) in enumerate(specs):
        if arrive > run:
            continue
        net = qty - min(ret, qty) if run >= ret_run else qty
        out.append(
            AcceptedLine(
                delivery_line_id=f"L{n:03d}",
                contract_id=f"{h}-{s}",
                hospital_code=h,
                supplier_code=s,
                item_code="I1",
                accepted_qty=net,
                price_e4=price,
                accepted_on=date(2026, 1, 1) + timedelta(days=arrive * 30),
                disputed=run < arrive + disputed_for,
            )
        )
    return out


def expected_offset(rule: OffsetRule, ratio: Decimal, gross: int, balance: int) -> int:
    """The offset rule restated independently, with Decimal quantize."""
    if rule is OffsetRule.NONE:
        return 0
    if rule is OffsetRule.FIRST:
        return min(balance, gross)
    return min(balance, int((ratio * gross).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def bank_pays(result, ledger: list[InstructionRecord], data) -> None:
    """The bank fails some instructions; each failure is re-issued until paid."""
    for instr in result.instructions:
        current = instr
        for attempt in range(1, 4):
            failed = attempt < 3 and data.draw(st.booleans(), label=f"{current.reference} fails")
            if not failed:
                ledger.append(InstructionRecord(current, InstructionStatus.PAID))
                break
            ledger.append(InstructionRecord(current, InstructionStatus.FAILED))
            new = reissue_instruction(current.reference, ledger, f"{instr.reference}-R{attempt}")
            ledger.append(InstructionRecord(new, InstructionStatus.ISSUED))
            # While the re-issue is live, the same failure cannot be re-issued again.
            with pytest.raises(SettlementError, match="already covered"):
                reissue_instruction(current.reference, ledger, f"{instr.reference}-X{attempt}")
            ledger.pop()
            ledger[-1] = InstructionRecord(current, InstructionStatus.REISSUED)
            current = new


@settings(max_examples=200, deadline=None)
@given(scenario=SCENARIO, data=st.data())
def test_every_run_reconciles_to_the_fen(scenario: dict, data) -> None:
    specs, rule, ratio = scenario["lines"], scenario["rule"], scenario["ratio"]
    setup = SettlementSettings(offset_rule=rule, offset_ratio=ratio)
    accounts = directory(*SUPPLIERS)
    balances = dict(scenario["balances"])
    settled: set[PayableKey] = set()
    gross_of: dict[str, int] = {}
    offset_of: dict[str, int] = {}
    ledger: list[InstructionRecord] = []
    for run in range(RUNS):
        visible = lines_at(specs, run)
        todo = [x for x in visible if x.key not in settled and not x.disputed]
        expected_gross = sum(line_amount_fen(x.accepted_qty, x.price_e4) for x in todo)
        result = compute_settlement(
            visible, balances, setup, frozenset(settled), accounts=accounts, run_ref=f"RUN{run}"
        )

        # Σ instructions = Σ accepted qty × price (per line) − offsets, to the fen.
        assert result.gross_fen == expected_gross
        assert result.paid_fen == expected_gross - result.offset_fen
        for st_ in result.statements:
            hospital_gross = sum(
                line_amount_fen(x.accepted_qty, x.price_e4)
                for x in todo
                if x.hospital_code == st_.hospital_code
            )
            before = balances.get(st_.hospital_code, 0)
            assert st_.gross_fen == hospital_gross
            assert st_.offset_fen == expected_offset(rule, ratio, hospital_gross, before)
            assert st_.advance_after_fen == before - st_.offset_fen >= 0
            assert st_.net_deducted_fen == st_.gross_fen - st_.offset_fen
            for s in st_.lines:
                assert (
                    s.gross_fen == s.offset_fen + s.paid_fen
                    and s.offset_fen >= 0
                    and s.paid_fen >= 0
                )
                gross_of[s.line.delivery_line_id] = s.gross_fen
                offset_of[s.line.delivery_line_id] = s.offset_fen
        for instr in result.instructions:
            assert instr.amount_fen == sum(x.amount_fen for x in instr.lines) > 0
        assert not (result.settled_keys & settled)
        assert set(result.carried_over) == {
            x.delivery_line_id for x in visible if x.disputed and x.key not in settled
        }

        # Re-running with the settled keys pays nothing twice.
        settled |= result.settled_keys
        again = compute_settlement(
            visible,
            dict(result.advances_after),
            setup,
            frozenset(settled),
            accounts=accounts,
            run_ref=f"RUN{run}B",
        )
        assert again.instructions == () and again.statements == () and again.paid_fen == 0

        balances = dict(result.advances_after)
        bank_pays(result, ledger, data)

    # Every payable line was paid exactly once: fund part by one paid instruction, rest by offset.
    paid = [r for r in ledger if r.status is InstructionStatus.PAID]
    covered = Counter(x.delivery_line_id for r in paid for x in r.instruction.lines)
    assert all(n == 1 for n in covered.values())
    fund_paid = Counter()
    for r in paid:
        for x in r.instruction.lines:
            fund_paid[x.delivery_line_id] += x.amount_fen
    final = lines_at(specs, RUNS)
    assert all(not x.disputed for x in final)
    for line_id, gross in gross_of.items():
        assert fund_paid[line_id] + offset_of[line_id] == gross
    assert sum(offset_of.values()) == sum(scenario["balances"].values()) - sum(balances.values())


@settings(max_examples=100, deadline=None)
@given(scenario=SCENARIO)
def test_input_order_and_disputes_of_other_lines_do_not_change_a_line(scenario: dict) -> None:
    """Shuffling the input gives the same run; lines of other hospitals don't move offsets."""
    setup = SettlementSettings(offset_rule=scenario["rule"], offset_ratio=scenario["ratio"])
    visible = lines_at(scenario["lines"], RUNS)
    args = (scenario["balances"], setup, frozenset())
    forward = compute_settlement(visible, *args, accounts=directory(*SUPPLIERS), run_ref="R")
    backward = compute_settlement(visible[::-1], *args, accounts=directory(*SUPPLIERS), run_ref="R")
    assert forward == backward
    h1_only = [x for x in visible if x.hospital_code == "H1"]
    alone = compute_settlement(h1_only, *args, accounts=directory(*SUPPLIERS), run_ref="R")
    lines_of = {
        s.line.delivery_line_id: (s.offset_fen, s.paid_fen)
        for st_ in forward.statements
        for s in st_.lines
    }
    for st_ in alone.statements:
        for s in st_.lines:
            assert lines_of[s.line.delivery_line_id] == (s.offset_fen, s.paid_fen)
