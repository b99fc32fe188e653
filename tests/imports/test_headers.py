"""Header matching: by name, Chinese or English, any order, extras ignored, missing reported."""

from __future__ import annotations

from imports.demand import demand_columns
from imports.headers import find_header, header_key, match_row

SPECS = demand_columns(hospital_required=False)


def test_header_key_folds_width_case_brackets_and_punctuation():
    assert header_key(" 上年用量（片/支） ") == header_key("上年用量")
    assert header_key("*承诺年采购量") == header_key("承诺年采购量")
    assert header_key("Last Year's Use") == header_key("last year's use")
    assert header_key("ＩＴＥＭ ＣＯＤＥ") == header_key("item code")


def test_english_headers_in_any_order_with_extra_columns():
    match = match_row(["notes", "Committed annual volume", "Item Code", "colour", "Last year's use"], 1, SPECS)
    assert match.complete
    assert match.columns == {"committed": 1, "item_code": 2, "last_year_use": 4}


def test_missing_required_column_is_named():
    match = match_row(["品种编码", "上年用量"], 1, SPECS)
    assert [spec.label_zh for spec in match.missing] == ["承诺年采购量"]


def test_duplicate_column_is_reported():
    match = match_row(["品种编码", "上年用量", "承诺年采购量", "报量"], 1, SPECS)
    assert match.duplicated == {"committed": (2, 3)}
    assert not match.complete


def test_header_found_below_a_title_row():
    rows = [["2026 年集采报量表"], [], ["品种编码", "上年用量", "承诺年采购量"], ["I001", 1, 1]]
    match = find_header(rows, SPECS)
    assert match is not None and match.row == 3
