"""The demand sheet: every hostile cell and row of quality.md §2, as a hospital upload."""

from __future__ import annotations

import pytest

from imports.demand import DemandRow, read_demand_workbook
from tests.imports.conftest import HEADER, make_xlsx, rewrite_part, row


def read(rows, context, **kwargs):
    """Parse a workbook made of rows."""
    return read_demand_workbook(make_xlsx(rows, **kwargs), filename="报量.xlsx", context=context)


def only_error(parse):
    """The single error of a parse (fails if there are more or none)."""
    assert parse.error_count == 1, [e.message() for e in parse.errors]
    return parse.errors[0]


def test_clean_sheet_parses(context):
    parse = read([HEADER, row("I001"), row("I002", 500, 400, "甲制药", None)], context)
    assert parse.ok
    assert parse.rows == (
        DemandRow("H001", "I001", 1000, 900, None, None, 2),
        DemandRow("H001", "I002", 500, 400, "B01", None, 3),
    )


def test_wrong_header_row_reports_missing_columns_by_name(context):
    parse = read([["编号", "名称", "数量"], ["I001", "x", 3]], context)
    assert not parse.ok and parse.rows == ()
    names = {e.column for e in parse.errors}
    assert any("品种编码" in name for name in names)
    assert all(e.code in ("missing_column", "no_header") for e in parse.errors)


def test_missing_committed_column_is_named(context):
    parse = read([["品种编码", "上年用量"], ["I001", 5]], context)
    error = only_error(parse)
    assert error.code == "missing_column" and "承诺年采购量" in error.reason_zh and error.row == 1


def test_columns_in_other_order_with_extra_columns_and_title_row(context):
    rows = [["2026 年报量"], ["备注", "Committed annual volume", "Item code", "颜色", "Last year's use"], ["x", 900, "I003", "红", 1000]]
    parse = read(rows, context)
    assert parse.ok
    assert parse.rows[0].item_code == "I003" and parse.rows[0].committed == 900 and parse.rows[0].row == 3


def test_blank_rows_are_skipped_and_row_numbers_stay_excel_numbers(context):
    parse = read([HEADER, row("I001"), [], [None, "  ", None, ""], row("I002", committed=-1)], context)
    error = only_error(parse)
    assert (error.row, error.cell, error.value) == (5, "D5", "-1")
    assert [r.row for r in parse.rows] == [2]


def test_merged_hospital_code_spreads_over_its_rows(context):
    parse = read([HEADER, row("I001"), row("I002", hospital=None), row("I003", hospital=None)], context, merges=["A2:A4"])
    assert parse.ok and len(parse.rows) == 3


def test_merged_volume_cells_are_an_error_on_the_covered_rows(context):
    parse = read([HEADER, row("I001"), row("I002", committed=None)], context, merges=["D2:D3"])
    error = only_error(parse)
    assert (error.cell, error.code, error.value) == ("D3", "merged", "900")


@pytest.mark.parametrize(
    ("last", "committed", "expected"),
    [
        ("1000", "900", (1000, 900)),
        ("１０００", "９００", (1000, 900)),
        ("1,000", "1,000", (1000, 1000)),
        (" 1000 ", "900  ", (1000, 900)),
        (1000.0, 800.0, (1000, 800)),
    ],
    ids=["numbers-as-text", "full-width", "thousands", "trailing-spaces", "whole-floats"],
)
def test_values_normalised_where_unambiguous(last, committed, expected, context):
    parse = read([HEADER, row(last=last, committed=committed)], context)
    assert parse.ok
    assert (parse.rows[0].last_year_use, parse.rows[0].committed) == expected


def test_codes_with_spaces_and_full_width_letters_match(context):
    parse = read([HEADER, row(" ｉ００１ ", hospital="ｈ001 ")], context)
    assert parse.ok and parse.rows[0].item_code == "I001"


@pytest.mark.parametrize(
    ("committed", "code"),
    [(900.5, "not_whole"), ("900.5", "not_whole"), (-900, "negative"), ("九百", "not_number"), (None, "required")],
    ids=["decimal", "decimal-text", "negative", "words", "blank"],
)
def test_bad_volumes_name_row_column_and_value(committed, code, context):
    error = only_error(read([HEADER, row(committed=committed)], context))
    assert (error.sheet, error.row, error.cell, error.column, error.code) == ("报量", 2, "D2", "承诺年采购量", code)
    if committed is not None:
        assert error.value == str(committed)
    assert error.reason_zh and error.reason_en


def test_zero_volumes_are_valid(context):
    parse = read([HEADER, row(last=0, committed=0)], context)
    assert parse.ok and parse.rows[0].committed == 0


def test_zero_committed_against_last_years_use_needs_a_reason(context):
    error = only_error(read([HEADER, row(last=1000, committed=0)], context))
    assert error.code == "below_floor" and "800" in error.reason_zh
    assert read([HEADER, row(last=1000, committed=0, reason="改用其他药品")], context).ok


def test_floor_is_a_batch_setting(context):
    from dataclasses import replace
    from decimal import Decimal

    strict = replace(context, floor_ratio=Decimal("0.95"))
    assert read([HEADER, row(last=1000, committed=900)], context).ok
    error = only_error(read([HEADER, row(last=1000, committed=900)], strict))
    assert "950" in error.reason_zh and "95%" in error.reason_zh


def test_formula_with_cached_value_counts_by_that_value(context):
    data = make_xlsx([HEADER, row(committed="=C2*0.9")])
    data = rewrite_part(data, "xl/worksheets/sheet1.xml", rb"<f>C2\*0.9</f><v\s*/?>(?:</v>)?", b"<f>C2*0.9</f><v>900</v>")
    parse = read_demand_workbook(data, filename="f.xlsx", context=context)
    assert parse.ok and parse.rows[0].committed == 900


def test_formula_without_cached_value_is_an_error(context):
    error = only_error(read([HEADER, row(committed="=C2*0.9")], context))
    assert (error.cell, error.code) == ("D2", "formula")


def test_date_where_a_number_is_expected_is_an_error(context):
    import datetime as dt

    error = only_error(read([HEADER, row(last=dt.date(2026, 3, 1))], context))
    assert (error.cell, error.code, error.value) == ("C2", "date_not_number", "2026-03-01")


def test_unknown_item_code(context):
    error = only_error(read([HEADER, row("X999")], context))
    assert (error.cell, error.code) == ("B2", "unknown_item") and "X999" in error.reason_zh


def test_duplicate_item_rows_are_both_flagged(context):
    parse = read([HEADER, row("I001"), row("I002"), row("i001 ")], context)
    assert [(e.row, e.code) for e in parse.errors] == [(2, "duplicate"), (4, "duplicate")]
    assert [r.item_code for r in parse.rows] == ["I002"]


def test_row_for_another_hospitals_code(context):
    parse = read([HEADER, row("I001"), row("I002", hospital="H999")], context)
    error = only_error(parse)
    assert (error.cell, error.code) == ("A3", "other_hospital") and "H999" in error.reason_zh


def test_sheet_without_hospital_column_is_the_uploaders(context):
    parse = read([HEADER[1:], row()[1:]], context)
    assert parse.ok and parse.rows[0].hospital_code == "H001"


def test_brand_by_code_name_or_label_and_unknown_brand(context):
    parse = read([HEADER, row("I001", brand="b02"), row("I002", brand="甲制药（B01）"), row("I003", brand="丙制药"), row("I004", brand="乙制药")], context)
    assert [r.preferred_brand for r in parse.rows] == ["B02", "B01"]
    assert [(e.cell, e.code) for e in parse.errors] == [("E4", "unknown_brand"), ("E5", "brand_item")]


def test_data_sheet_found_after_other_sheets(context):
    parse = read([HEADER, row()], context, sheet="Sheet1", first="说明")
    assert parse.ok and parse.sheet == "Sheet1"


def test_messages_carry_chinese_first_then_english(context):
    error = only_error(read([HEADER, row(committed=-1)], context))
    assert error.message().index("负数") < error.message().index("negative")


def test_a_renewal_floor_refuses_less_than_last_cycles_purchase_whatever_the_reason(context):
    from dataclasses import replace

    renewal = replace(context, floors={("H001", "I001"): 950})  # accepted in the last cycle
    error = only_error(read([HEADER, row("I001", last=1000, committed=940, reason="改用其他药品")], renewal))
    assert (error.code, error.row, error.value) == ("below_renewal_floor", 2, "940")
    assert "950" in error.reason_zh and "接续" in error.reason_zh
    assert read([HEADER, row("I001", last=1000, committed=950)], renewal).ok
    assert read([HEADER, row("I002", last=1000, committed=900)], renewal).ok  # no floor for that item
