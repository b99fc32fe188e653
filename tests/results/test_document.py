"""The published-result file on its own (no database): the workbook and the JSON form say the
same, and every rule the file can break is named by sheet (or JSON section), row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from imports.errors import NotXlsxError
from imports.result import ITEMS, SUPPLY, WINNERS, result_workbook
from results.document import ResultFileError, parse_result
from tests.results.fixtures import NATIONAL_JSON, NATIONAL_XLSX, as_json, national_document


def _errors(document: dict, as_workbook: bool = False):
    data = result_workbook(document) if as_workbook else as_json(document)
    parsed = parse_result(data, "r.xlsx" if as_workbook else "r.json")
    assert not parsed.ok
    return parsed.errors


def test_the_workbook_and_the_json_of_the_national_result_say_the_same():
    from_json = parse_result(NATIONAL_JSON.read_bytes(), "national.json")
    from_xlsx = parse_result(NATIONAL_XLSX.read_bytes(), "national.xlsx")
    assert from_json.ok and from_xlsx.ok
    assert from_json.document.canonical() == from_xlsx.document.canonical()
    assert parse_result(result_workbook(national_document()), "x.xlsx").document.canonical() == \
        from_json.document.canonical()  # the committed workbook is the JSON written as a workbook
    doc = from_json.document
    assert (doc.source, doc.document_no, doc.cycle_years, str(doc.cycle_end)) == ("national", "GY-YD2023-2", 3,
                                                                                 "2027-02-28")
    assert [w.ucp_e4 for w in doc.winners_of("YP902")] == [48500, 52000, 59588]


def test_the_template_has_the_four_sheets_and_asks_for_every_header_field():
    wb = load_workbook(io.BytesIO(result_workbook()))
    assert wb.sheetnames == ["批次信息", ITEMS, WINNERS, SUPPLY]
    assert [c.value for c in wb[WINNERS][1]] == ["品种编码", "企业编码", "企业名称", "规格含量", "包装数量", "包装价格", "单位可比价"]
    parsed = parse_result(result_workbook(), "template.xlsx")
    assert {e.code for e in parsed.errors} == {"required"}
    assert {e.cell for e in parsed.errors} == {"B2", "B3", "B4", "B5", "B6"}


def test_two_primaries_for_one_region_name_both_rows():
    doc = national_document()
    doc["supply"].append({"item_code": "YP902", "region_code": "370000", "primary": "S0004", "backup": None})
    errors = [e for e in _errors(doc, as_workbook=True) if e.code == "two_primaries"]
    assert [(e.sheet, e.row, e.cell) for e in errors] == [(SUPPLY, 4, "B4"), (SUPPLY, 6, "B6")]


def test_a_price_with_more_than_four_decimals_is_named_by_row_and_column():
    doc = national_document()
    doc["winners"][1]["pack_price"] = "63.50001"
    (error,) = _errors(doc, as_workbook=True)
    assert (error.sheet, error.row, error.column, error.cell, error.code) == (WINNERS, 3, "包装价格", "F3", "price_places")
    (error,) = _errors(doc)
    assert (error.sheet, error.row, error.column) == ("JSON", 2, "winners[1].pack_price")


@pytest.mark.parametrize(("change", "code"), [
    (lambda d: d["supply"][0].update(backup="S0008"), "backup_is_primary"),
    (lambda d: d["supply"][2].update(primary="S0008"), "not_a_winner"),
    (lambda d: d["winners"].append(dict(d["winners"][0])), "duplicate"),
    (lambda d: d["winners"][0].update(units_per_pack=0), "units"),
    (lambda d: d["winners"][0].update(ucp="0"), "price_range"),
    (lambda d: d["winners"][0].update(item_code="YP999"), "unlisted_item"),
    (lambda d: d.update(cycle_years=7), "cycle_years"),
    (lambda d: d.update(cycle_start="2024-13-01"), "date"),
    (lambda d: d.update(source="somewhere"), "source"),
    (lambda d: d.update(agreed_ratio="120%"), "ratio"),
    (lambda d: d.update(contract_end="2030-01-01"), "contract_end"),
    (lambda d: d["items"].append({"item_code": "YP904"}), "no_winner"),
])
def test_each_rule_of_the_file_is_an_error(change, code):
    doc = national_document()
    change(doc)
    assert code in {e.code for e in _errors(doc)}
    assert code in {e.code for e in _errors(doc, as_workbook=True)}


def test_json_refuses_unknown_fields_wrong_types_and_floats_stay_exact():
    doc = national_document()
    doc["colour"] = "blue"
    doc["winners"][0]["discount"] = "1"
    doc["items"][0]["item_code"] = ["YP901"]
    codes = {(e.column, e.code) for e in _errors(doc)}
    assert {("colour", "unknown_field"), ("winners[0].discount", "unknown_field"),
            ("items[0].item_code", "type")} <= codes
    text = as_json(national_document()).replace(b'"pack_price": "59.80"', b'"pack_price": 59.80')
    assert parse_result(text, "r.json").document.winners[0].pack_price_e4 == 598000


@pytest.mark.parametrize(("data", "name", "error"), [
    (b"", "r.json", ResultFileError), (b"{not json", "r.json", ResultFileError), (b"[1, 2]", "r.json", ResultFileError),
    (b"[" * 50 + b"]" * 50, "r.json", ResultFileError), (b"plain text", "r.xlsx", NotXlsxError),
    (b"\xff\xfe{", "r.json", ResultFileError)])
def test_an_unreadable_file_is_refused_as_a_whole(data, name, error):
    with pytest.raises(error):
        parse_result(data, name)


def test_a_province_row_is_the_rule_and_ratios_read_as_percent_or_share():
    doc = national_document()
    doc["agreed_ratio"] = "80%"
    doc["items"][0]["agreed_ratio"] = "0.6"
    parsed = parse_result(as_json(doc), "r.json")
    assert str(parsed.document.agreed_ratio) == "0.8" and str(parsed.document.items[0].agreed_ratio) == "0.6"
    doc["agreed_ratio"] = "按中选企业数"
    assert parse_result(as_json(doc), "r.json").document.agreed_ratio is None
