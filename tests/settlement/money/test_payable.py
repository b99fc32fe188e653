"""Payable line amounts, advances, largest-remainder allocation and offset rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from settlement.money.data import OffsetRule, SettlementError, SettlementSettings
from settlement.money.payable import (
    AgreedContract,
    allocate_largest_remainder,
    hospital_offset,
    payable_lines,
    prepayment_advances,
)
from tests.settlement.factories import line


def test_each_line_is_rounded_half_up_to_the_fen() -> None:
    lines = [
        line("a", qty=3, price_e4=1235),  # 3705 e4 = 37.05 fen → 37
        line("b", qty=1, price_e4=50),  # 0.5 fen → 1 (half up)
        line("c", qty=1, price_e4=49),  # 0.49 fen → 0
        line("d", qty=0, price_e4=99999),  # fully returned → 0
    ]
    assert [p.gross_fen for p in payable_lines(lines)] == [37, 1, 0, 0]


def test_per_line_rounding_differs_from_rounding_the_sum() -> None:
    # Two lines of 0.5 fen each: per line 1 + 1 = 2 fen, although the exact sum is 1 fen.
    assert (
        sum(p.gross_fen for p in payable_lines([line("a", price_e4=50), line("b", price_e4=50)]))
        == 2
    )


def test_negative_or_float_quantities_are_refused() -> None:
    with pytest.raises(SettlementError):
        line("a", qty=-1)
    with pytest.raises(SettlementError):
        line("a", price_e4=1.5)  # type: ignore[arg-type]


def test_advance_is_ratio_of_the_annual_agreed_amount() -> None:
    contracts = [
        AgreedContract("C1", "H1", agreed_volume=1000, price_e4=12345),  # 1234.50 yuan
        AgreedContract("C2", "H1", agreed_volume=3, price_e4=1235),  # 0.3705 → 37 fen
        AgreedContract("C3", "H2", agreed_volume=1, price_e4=10000),  # 1.00 yuan
    ]
    h1, h2 = prepayment_advances(contracts)
    assert (h1.hospital_code, h1.annual_agreed_fen, h1.advance_fen) == ("H1", 123487, 37046)
    # 0.30 × 123487 = 37046.1 → 37046;  0.30 × 100 = 30
    assert h1.contract_ids == ("C1", "C2")
    assert (h2.annual_agreed_fen, h2.advance_fen) == (100, 30)


def test_advance_rounds_half_up_and_ratio_is_a_setting() -> None:
    (adv,) = prepayment_advances([AgreedContract("C", "H", 1, 50000)], Decimal("0.5"))
    assert adv.annual_agreed_fen == 500
    (adv,) = prepayment_advances([AgreedContract("C", "H", 1, 10000)], Decimal("0.305"))
    assert adv.advance_fen == 31  # 30.5 → 31
    with pytest.raises(SettlementError):
        prepayment_advances([], 0.3)  # type: ignore[arg-type]
    with pytest.raises(SettlementError):
        prepayment_advances([], Decimal("1.5"))


def test_largest_remainder_is_exact_and_deterministic() -> None:
    assert allocate_largest_remainder(10, [1, 1, 1]) == [4, 3, 3]  # tie → earlier
    assert allocate_largest_remainder(5, [2, 3, 5]) == [1, 2, 2]  # 1.0, 1.5, 2.5 → .5 ties
    assert allocate_largest_remainder(7, [100, 1, 1]) == [7, 0, 0]
    assert allocate_largest_remainder(0, [0, 0]) == [0, 0]
    assert allocate_largest_remainder(3, [0, 2, 1]) == [0, 2, 1]
    with pytest.raises(SettlementError):
        allocate_largest_remainder(1, [0, 0])


def test_largest_remainder_never_exceeds_weight_when_total_fits() -> None:
    weights = [1, 1, 1, 7]
    shares = allocate_largest_remainder(10, weights)
    assert shares == weights


@pytest.mark.parametrize(
    ("rule", "gross", "advance", "expected"),
    [
        (OffsetRule.NONE, 1000, 500, 0),
        (OffsetRule.FIRST, 1000, 500, 500),
        (OffsetRule.FIRST, 300, 500, 300),
        (OffsetRule.PROPORTIONAL, 1000, 500, 300),  # 0.30 × 1000
        (OffsetRule.PROPORTIONAL, 1000, 200, 200),  # capped at what is left
        (OffsetRule.PROPORTIONAL, 5, 500, 2),  # 1.5 → 2, half up
        (OffsetRule.PROPORTIONAL, 1000, 0, 0),
    ],
)
def test_offset_rules(rule: OffsetRule, gross: int, advance: int, expected: int) -> None:
    assert hospital_offset(gross, advance, SettlementSettings(offset_rule=rule)) == expected


def test_settings_refuse_floats_and_bad_rules() -> None:
    with pytest.raises(SettlementError):
        SettlementSettings(offset_ratio=0.3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sideways"):
        SettlementSettings(offset_rule="sideways")  # type: ignore[arg-type]
