"""The one formatter: money, prices, quantities, percentages, strengths, dates, workbook cells."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core import formats


@pytest.mark.parametrize(("given", "shown"), [
    ("2E+1", "20"), ("1.5E+2", "150"), ("0.50", "0.5"), ("1E+3", "1000"), ("0.125", "0.125"),
    ("12.5000", "12.5"), ("0", "0"), ("-0.0", "0"), ("0E-7", "0"), ("-1.50", "-1.5"), ("7", "7")])
def test_plain_decimal_has_no_exponent_and_no_trailing_zeros(given, shown):
    assert formats.plain_decimal(Decimal(given)) == shown


def test_strengths_and_pack_specs_are_written_plainly():
    assert formats.strength(Decimal("2E+1"), "mg") == "20mg"
    assert formats.pack_spec(Decimal("2E+1"), "mg", 7) == "20mg×7"
    assert formats.pack_spec(Decimal("1.5E+2"), "mg", 7) == "150mg×7"
    assert formats.pack_spec(Decimal("0.50"), "g", 10) == "0.5g×10"
    assert formats.pack_spec(None, "片", 30) == "片×30"
    assert formats.strength(None, "mg") == ""


def test_stored_specs_from_before_the_fix_read_plainly():
    assert formats.spec_text("2E+1mg×7") == "20mg×7"
    assert formats.spec_text("1.5E+2mg×7") == "150mg×7"
    assert formats.spec_text("1E+3IU×1") == "1000IU×1"
    assert formats.spec_text("0.5g×10") == "0.5g×10"
    assert formats.spec_text(None) == ""


def test_money_prices_and_quantities_have_separators():
    assert formats.yuan(77720299) == "¥777,202.99"
    assert formats.yuan(-5) == "-¥0.05"
    assert formats.yuan(None) == "—"
    assert formats.price(6244) == "¥0.6244"
    assert formats.price(123456789) == "¥12,345.6789"
    assert formats.qty(9000) == "9,000"
    assert formats.qty(1920000) == "1,920,000"
    assert formats.qty(-12345) == "-12,345"
    assert formats.qty(Decimal("1234.50")) == "1,234.5"
    assert formats.qty(None) == "—"


def test_percentages_from_ratios():
    assert formats.pct(Decimal("0.5")) == "50%"
    assert formats.pct(Decimal("0.125")) == "12.5%"
    assert formats.pct(Decimal("1.8")) == "180%"
    assert formats.pct(Decimal("0E-4")) == "0%"
    assert formats.pct(None) == "—"


def test_dates_and_times_in_the_bureaus_zone():
    noon_utc = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    assert formats.local_datetime(noon_utc) == "2026-11-23 00:30"
    assert formats.local_datetime(noon_utc, "UTC") == "2026-11-22 16:30"
    assert formats.local_datetime(None) == "—"
    assert formats.local_date(date(2026, 1, 5)) == "2026-01-05"


def test_workbook_cells_carry_numbers_and_formats():
    assert formats.yuan_cell(77720299) == formats.Cell(Decimal("777202.99"), "¥#,##0.00")
    assert formats.price_cell(6244) == formats.Cell(Decimal("0.6244"), "¥#,##0.0000")
    assert formats.qty_cell(9000) == formats.Cell(9000, "#,##0")
    local = formats.datetime_cell(datetime(2026, 11, 22, 16, 30, tzinfo=UTC))
    assert local.value == datetime(2026, 11, 23, 0, 30) and local.number_format == "yyyy-mm-dd hh:mm"
    assert formats.yuan_cell(None).value is None


def test_decimal_strings_from_results_take_the_one_money_format():
    assert formats.yuan_text("777202.99") == "¥777,202.99"
    assert formats.yuan_text(Decimal("1920000")) == "¥1,920,000.00"
    assert formats.price_text("0.13") == "¥0.1300"
    assert formats.price_text("1234.56785") == "¥1,234.5679"
    assert formats.yuan_text("-0.005") == "-¥0.01"
    assert formats.yuan_text(None) == "—"


def test_solver_gaps_read_as_percentages():
    assert formats.gap(3.2224176440782143e-07) == "<0.0001%"
    assert formats.gap("0.0125") == "1.25%"
    assert formats.gap(0) == "0%"
    assert formats.gap(None) == "—"
