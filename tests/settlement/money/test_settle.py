"""A settlement run, checked by hand on tiny numbers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from settlement.money.data import (
    AccountDirectory,
    OffsetRule,
    PayableKey,
    SettlementError,
    SettlementSettings,
)
from settlement.money.settle import compute_settlement
from tests.settlement.factories import FUND, FUND_B, directory, line, supplier_account

PROPORTIONAL = SettlementSettings()  # 30 % of each month's payable, until the advance is used


def month_lines():
    """H1: a 1000 + b 200 + c 10 fen (e disputed); H2: d 500 fen (f fully returned)."""
    return [
        line("a", "H1", "S1", qty=10, price_e4=10000),
        line("b", "H1", "S2", qty=5, price_e4=4000),
        line("c", "H1", "S1", qty=1, price_e4=1000),
        line("d", "H2", "S1", qty=2, price_e4=25000),
        line("e", "H1", "S2", qty=1, price_e4=10000, disputed=True),
        line("f", "H2", "S2", qty=0, price_e4=10000),
    ]


def run(lines, balances=None, settled=frozenset(), settings=PROPORTIONAL, accounts=None):
    """compute_settlement with the test directory and run reference RUN."""
    return compute_settlement(
        lines,
        balances or {},
        settings,
        settled,
        accounts=accounts or directory("S1", "S2"),
        run_ref="RUN",
    )


def test_hand_checked_run() -> None:
    result = run(month_lines(), {"H1": 100})
    # H1 gross 1210, offset min(100, 0.3 × 1210 = 363) = 100, spread over its shares by largest
    # remainder: S1 (a + c = 1010) 83.47, S2 (b = 200) 16.53 → floors 83 / 16, the fen left goes
    # to S2. S1's 83 over its lines: a 82.18, c 0.82 → 82 / 0, the fen left goes to c.
    h1, h2 = result.statements
    assert (h1.hospital_code, h1.gross_fen, h1.offset_fen, h1.net_deducted_fen) == (
        "H1",
        1210,
        100,
        1110,
    )
    assert (h1.advance_before_fen, h1.advance_after_fen) == (100, 0)
    assert [(s.line.delivery_line_id, s.gross_fen, s.offset_fen, s.paid_fen) for s in h1.lines] == [
        ("a", 1000, 82, 918),
        ("b", 200, 17, 183),
        ("c", 10, 1, 9),
    ]
    assert (h2.gross_fen, h2.offset_fen, h2.net_deducted_fen) == (500, 0, 500)

    s1, s2 = result.instructions
    assert (s1.reference, s1.supplier_code, s1.amount_fen, s1.line_ids) == (
        "RUN-000001",
        "S1",
        1427,
        ("a", "c", "d"),
    )
    assert (s2.reference, s2.supplier_code, s2.amount_fen, s2.line_ids) == (
        "RUN-000002",
        "S2",
        183,
        ("b",),
    )
    assert s1.payer == FUND and s1.payee == supplier_account("S1")
    assert [x.amount_fen for x in s1.lines] == [918, 9, 500]
    assert h1.lines[0].instruction_ref == "RUN-000001"

    # Σ instructions = Σ gross − offsets, to the fen.
    assert result.paid_fen == 1610 == result.gross_fen - result.offset_fen == 1710 - 100
    assert result.carried_over == ("e",)
    assert result.skipped_zero == ("f",)
    assert result.settled_keys == {PayableKey(x) for x in "abcd"}
    assert dict(result.advances_after) == {"H1": 0, "H2": 0}


def test_second_run_with_settled_keys_pays_nothing_twice() -> None:
    first = run(month_lines(), {"H1": 100})
    again = run(month_lines(), dict(first.advances_after), first.settled_keys)
    assert again.instructions == () and again.statements == ()
    assert again.skipped_settled == ("a", "b", "c", "d")
    assert again.carried_over == ("e",)


def test_disputed_line_is_paid_in_the_next_run_once_resolved() -> None:
    first = run(month_lines(), {"H1": 100})
    resolved = [replace(x, disputed=False) for x in month_lines()]
    second = run(resolved, dict(first.advances_after), first.settled_keys)
    (instr,) = second.instructions
    assert (instr.supplier_code, instr.amount_fen, instr.line_ids) == ("S2", 100, ("e",))
    assert second.settled_keys == {PayableKey("e")}


def test_advance_covering_everything_settles_lines_without_instructions() -> None:
    result = run(
        [line("a", qty=1, price_e4=10000)],
        {"H1": 5000},
        settings=SettlementSettings(offset_rule=OffsetRule.FIRST),
    )
    assert result.instructions == ()
    (st,) = result.statements
    assert (st.gross_fen, st.offset_fen, st.net_deducted_fen, st.advance_after_fen) == (
        100,
        100,
        0,
        4900,
    )
    assert st.lines[0].instruction_ref is None
    assert result.settled_keys == {PayableKey("a")}


def test_no_offset_rule_pays_the_full_payable() -> None:
    result = run(
        month_lines(), {"H1": 100}, settings=SettlementSettings(offset_rule=OffsetRule.NONE)
    )
    assert result.paid_fen == result.gross_fen == 1710
    assert result.advances_after["H1"] == 100


def test_one_instruction_per_supplier_account_and_fund_account() -> None:
    other = supplier_account("S1", n=7)
    accounts = directory("S1", **{"K2": other})
    accounts = AccountDirectory(
        FUND, accounts.supplier_accounts, accounts.contract_accounts, {"H9": FUND_B}
    )
    lines = [
        line("a", "H1", "S1", qty=1),
        line("b", "H1", "S1", qty=2, contract="K2"),
        line("c", "H9", "S1", qty=3),
    ]
    result = run(lines, accounts=accounts)
    got = sorted(
        (i.payee.account_no, i.payer.account_no, i.line_ids, i.amount_fen)
        for i in result.instructions
    )
    assert got == sorted(
        [
            (supplier_account("S1").account_no, FUND.account_no, ("a",), 100),
            (other.account_no, FUND.account_no, ("b",), 200),
            (supplier_account("S1").account_no, FUND_B.account_no, ("c",), 300),
        ]
    )


def test_run_refuses_bad_input_and_settles_nothing() -> None:
    with pytest.raises(SettlementError, match="twice"):
        run([line("a"), line("a")])
    with pytest.raises(SettlementError, match="S3"):
        run([line("a", supplier="S3")])
    with pytest.raises(SettlementError, match="advance"):
        run([line("a")], {"H1": -1})
    with pytest.raises(SettlementError, match="run reference"):
        compute_settlement(
            [], {}, PROPORTIONAL, frozenset(), accounts=directory(), run_ref="x" * 29
        )


def test_result_does_not_depend_on_input_order() -> None:
    forward = run(month_lines(), {"H1": 100})
    backward = run(list(reversed(month_lines())), {"H1": 100})
    assert forward == backward


def test_empty_identifiers_are_refused() -> None:
    with pytest.raises(SettlementError, match="hospital_code"):
        line("a", hospital=" ")


def test_a_share_may_carry_a_credit_never_more_than_its_gross() -> None:
    """A failed winner given back a price difference for returned units (issue 19): its share's
    gross is its lines + the credit, its clawback the credit negated; a credit beyond the gross
    the share pays is refused."""
    from settlement.money.data import ShareTotal
    from settlement.money.settle import settle_shares

    share = ShareTotal("H1", "S1", supplier_account("S1"), FUND, gross_fen=2000 + 600, line_count=1, clawback_fen=-600)
    result = settle_shares([share], {}, PROPORTIONAL, run_ref="RUN")
    (statement,) = result.statements
    assert (result.gross_fen, result.paid_fen, result.clawback_fen, statement.clawback_fen) == (2600, 2600, -600, -600)
    with pytest.raises(SettlementError, match="clawback_fen"):
        ShareTotal("H1", "S1", supplier_account("S1"), FUND, gross_fen=500, line_count=1, clawback_fen=-501)
