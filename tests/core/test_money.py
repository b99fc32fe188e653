"""Money conversions are exact and round half up only where allowed."""

from decimal import Decimal

import pytest

from core.money import (
    MoneyError,
    format_price_e4,
    format_yuan,
    line_amount_fen,
    parse_amount_fen,
    parse_price_e4,
    price_e4_to_decimal,
    round_half_up_div,
)


def test_price_round_trip_is_exact():
    assert parse_price_e4("0.1234") == 1234
    assert price_e4_to_decimal(1234) == Decimal("0.1234")


def test_too_many_decimals_is_refused_unless_rounding_allowed():
    with pytest.raises(MoneyError):
        parse_price_e4("0.12345")
    assert parse_price_e4("0.12345", exact=False) == 1235


def test_float_is_refused():
    with pytest.raises(MoneyError):
        parse_amount_fen(1.5)  # type: ignore[arg-type]


def test_half_up_division_on_ties_and_negatives():
    assert round_half_up_div(5, 2) == 3
    assert round_half_up_div(-5, 2) == -3
    assert round_half_up_div(4, 3) == 1


def test_line_amount_rounds_to_the_fen():
    # 3 units at ¥0.1235 = ¥0.3705 -> ¥0.37
    assert line_amount_fen(3, 1235) == 37
    # 1 unit at ¥0.0050 = ¥0.005 -> half up to ¥0.01
    assert line_amount_fen(1, 50) == 1


def test_chinese_formatting():
    assert format_yuan(123456) == "¥1,234.56"
    assert format_yuan(-5) == "-¥0.05"
    assert format_price_e4(1234) == "¥0.1234"
