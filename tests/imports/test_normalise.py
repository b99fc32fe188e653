"""Cell normalisation: forgiving where unambiguous, an error naming the value otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from imports.normalise import (
    CellKind,
    CellValueError,
    clean_code,
    clean_text,
    normalise_cell,
    parse_count,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1200.0, 1200),
        (1200, 1200),
        ("1200", 1200),
        ("１２００", 1200),
        ("1,200", 1200),
        ("1，200", 1200),
        ("12,345,678", 12345678),
        ("  1200 ", 1200),
        ("\u30001200\u3000", 1200),
        ("1200.00", 1200),
        ("0", 0),
        (0.0, 0),
        ("", None),
        (None, None),
        ("   ", None),
    ],
    ids=lambda v: repr(v),
)
def test_counts_are_normalised_where_unambiguous(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code", "shown"),
    [
        (12.5, "not_whole", "12.5"),
        ("12.5", "not_whole", "12.5"),
        ("1,200.5", "not_whole", "1,200.5"),
        (-3.0, "negative", "-3"),
        ("-3", "negative", "-3"),
        ("１２a", "not_number", "１２a"),
        ("12,00", "not_number", "12,00"),
        ("1 200", "not_number", "1 200"),
        ("一千", "not_number", "一千"),
        (dt.datetime(2026, 3, 1), "date_not_number", "2026-03-01"),
        (dt.date(2026, 3, 1), "date_not_number", "2026-03-01"),
        (dt.time(12, 0), "date_not_number", "12:00:00"),
        (True, "not_number", "TRUE"),
        (float("nan"), "not_number", "nan"),
        (1e13, "too_large", "10000000000000"),
    ],
    ids=lambda v: repr(v),
)
def test_counts_refused_name_the_value(raw, code, shown):
    with pytest.raises(CellValueError) as caught:
        parse_count(raw)
    assert caught.value.code == code
    assert shown in caught.value.zh and shown in caught.value.en


def test_text_is_trimmed_and_folded():
    assert clean_text("  阿托伐他汀 \u3000") == "阿托伐他汀"
    assert clean_text("ＡＢＣ") == "ABC"
    assert clean_text(None) is None
    assert clean_text(" \t") is None


def test_codes_are_folded_to_upper_half_width():
    assert clean_code(" ｈ００１ ") == "H001"
    assert clean_code(10023.0) == "10023"
    with pytest.raises(CellValueError):
        clean_code("H 001")


def test_code_cell_holding_a_date_is_refused():
    with pytest.raises(CellValueError) as caught:
        normalise_cell(dt.date(2026, 1, 5), CellKind.CODE)
    assert "2026-01-05" in caught.value.zh


def test_decimal_kind_keeps_exact_value():
    assert normalise_cell("1,234.50", CellKind.DECIMAL) == Decimal("1234.50")
    with pytest.raises(CellValueError):
        normalise_cell("-1", CellKind.DECIMAL)


def test_date_error_names_the_excel_serial_too():
    with pytest.raises(CellValueError) as caught:
        parse_count(dt.date(2026, 3, 1))
    assert "46082" in caught.value.zh and "46082" in caught.value.en
