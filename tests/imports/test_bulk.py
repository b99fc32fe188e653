"""The bureau-side bulk file: many hospitals' rows, hospital codes checked against a set."""

from __future__ import annotations

from imports.demand import read_demand_workbook_bulk
from tests.imports.conftest import HEADER, make_xlsx, row


def read(rows, context):
    """Parse a bulk workbook made of rows."""
    return read_demand_workbook_bulk(make_xlsx(rows), filename="全市报量.xlsx", context=context)


def test_rows_of_several_hospitals_parse(bulk_context):
    parse = read([HEADER, row("I001", hospital="H001"), row("I001", hospital="H002"), row("I002", hospital="h003")], bulk_context)
    assert parse.ok
    assert [(r.hospital_code, r.item_code) for r in parse.rows] == [("H001", "I001"), ("H002", "I001"), ("H003", "I002")]


def test_unknown_hospital_code_is_an_error_per_row(bulk_context):
    parse = read([HEADER, row(hospital="H001"), row(hospital="H404")], bulk_context)
    assert [(e.cell, e.code) for e in parse.errors] == [("A3", "unknown_hospital")]


def test_hospital_code_column_is_required(bulk_context):
    parse = read([HEADER[1:], row()[1:]], bulk_context)
    assert [e.code for e in parse.errors] == ["missing_column"]
    assert "医院编码" in parse.errors[0].reason_zh


def test_blank_hospital_code_is_required(bulk_context):
    parse = read([HEADER, row(hospital=None)], bulk_context)
    assert [(e.cell, e.code) for e in parse.errors] == [("A2", "required")]


def test_duplicates_are_per_hospital_and_item(bulk_context):
    parse = read([HEADER, row("I001", hospital="H001"), row("I001", hospital="H002"), row("I001", hospital="H001")], bulk_context)
    assert [(e.row, e.code) for e in parse.errors] == [(2, "duplicate"), (4, "duplicate")]
    assert [r.hospital_code for r in parse.rows] == ["H002"]
