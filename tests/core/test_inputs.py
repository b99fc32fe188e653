"""core.inputs: the bounded readers the input guard, the forms and the API bodies use."""

from __future__ import annotations

import pytest

from core.inputs import InputError, decimal, json_depth, loads_json, whole

HUGE = "9" * 400


def test_whole_numbers_are_bounded_and_plain():
    assert whole("12", "q") == 12 and whole(" 7 ", "q") == 7 and whole(5, "q") == 5
    for bad in (HUGE, "1e3", "１２", "1_000", True, 1.0, "", None, 0, 2**31):
        with pytest.raises(InputError) as caught:
            whole(bad, "quantity")
        assert caught.value.field == "quantity"


def test_decimals_are_plain_finite_and_short():
    assert str(decimal(" 12.50 ", "p")) == "12.50"
    for bad in ("1e309", "NaN", "Infinity", "   ", "-1", "1.2.3", HUGE, "0." + "1" * 7):
        with pytest.raises(InputError):
            decimal(bad, "price")


def test_json_depth_is_counted_without_recursion():
    assert json_depth('{"a": [1, {"b": "[[[[["}]}') == 3
    assert json_depth("[" * 100_000 + "]" * 100_000) == 100_000
    with pytest.raises(InputError) as caught:
        loads_json("[" * 5000 + "]" * 5000)
    assert caught.value.field == "body"
    with pytest.raises(InputError) as caught:
        loads_json('{"lines": [{"item": "a\\u0000b"}]}')
    assert caught.value.field == "lines[0].item"
    for number in ("1e309", "NaN", HUGE):
        with pytest.raises(InputError):
            loads_json(f'{{"price": {number}}}')
