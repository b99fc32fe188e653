"""The error workbook: the user's own file, bad cells red and commented, a 错误汇总 sheet."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from imports.demand import read_demand_workbook
from imports.errors import WorkbookError
from imports.errors_workbook import SUMMARY_SHEET, build_error_workbook
from imports.template import build_demand_template
from imports.xlsx_patch import RED
from tests.imports.conftest import HEADER, make_xlsx, row

PATHS = pytest.mark.parametrize("fast", [True, False], ids=["in-place", "openpyxl"])


def bad_upload(context):
    """An upload with a negative volume, a blank volume, an unknown item and a formula-free note sheet."""
    data = make_xlsx([HEADER, row("I001", committed=-5), row("I002", committed=None), row("X9"), row("I004")], first="说明")
    return data, read_demand_workbook(data, filename="bad.xlsx", context=context)


@PATHS
def test_bad_cells_are_filled_and_commented(fast, context):
    data, parse = bad_upload(context)
    assert [(e.cell, e.code) for e in parse.errors] == [("D2", "negative"), ("D3", "required"), ("B4", "unknown_item")]
    wb = load_workbook(io.BytesIO(build_error_workbook(data, parse.errors, fast=fast)))
    ws = wb["报量"]
    for error in parse.errors:
        cell = ws[error.cell]
        assert cell.fill.fgColor.rgb == RED
        assert error.reason_zh in cell.comment.text and error.reason_en in cell.comment.text
    assert ws["D2"].value == -5 and ws["B4"].value == "X9" and ws["D3"].value is None
    assert ws["D5"].comment is None and ws["D5"].fill.fgColor.rgb != RED
    assert wb["说明"]["A1"].value == "说明"


@PATHS
def test_summary_sheet_lists_row_column_value_and_both_reasons(fast, context):
    data, parse = bad_upload(context)
    wb = load_workbook(io.BytesIO(build_error_workbook(data, parse.errors, fast=fast)))
    assert wb.sheetnames[-1] == SUMMARY_SHEET
    lines = list(wb[SUMMARY_SHEET].iter_rows(values_only=True))
    assert lines[0][:3] == ("序号", "工作表 Sheet", "行 Row")
    assert lines[1] == (1, "报量", 2, "承诺年采购量", "D2", "-5", parse.errors[0].reason_zh, parse.errors[0].reason_en)
    assert len(lines) == 1 + len(parse.errors)


@PATHS
def test_header_errors_are_listed_without_a_cell(fast, context):
    data = make_xlsx([["品种编码", "上年用量"], ["I001", 1]])
    parse = read_demand_workbook(data, filename="x.xlsx", context=context)
    wb = load_workbook(io.BytesIO(build_error_workbook(data, parse.errors, fast=fast)))
    lines = list(wb[SUMMARY_SHEET].iter_rows(values_only=True))
    assert lines[1][4] is None and "承诺年采购量" in lines[1][6]


@PATHS
def test_annotated_workbook_reads_back_to_the_same_errors(fast, context):
    data, parse = bad_upload(context)
    again = read_demand_workbook(build_error_workbook(data, parse.errors, fast=fast), filename="again.xlsx", context=context)
    assert again.errors == parse.errors


def test_in_place_path_keeps_the_template_formats(context):
    wb = load_workbook(io.BytesIO(build_demand_template(context)))
    wb["报量"]["H2"], wb["报量"]["I2"] = 1000, -1
    out = io.BytesIO()
    wb.save(out)
    parse = read_demand_workbook(out.getvalue(), filename="t.xlsx", context=context)
    annotated = load_workbook(io.BytesIO(build_error_workbook(out.getvalue(), parse.errors, fast=True)))
    ws = annotated["报量"]
    assert ws["I2"].fill.fgColor.rgb == RED and not ws["I2"].protection.locked
    assert ws.protection.sheet and len(ws.data_validations.dataValidation) == 2
    assert annotated["品牌列表"].sheet_state == "hidden"


def test_reuploaded_error_workbook_gets_fresh_marks(context):
    data, parse = bad_upload(context)
    first = build_error_workbook(data, parse.errors)
    wb = load_workbook(io.BytesIO(first))
    wb["报量"]["D2"] = 900  # fixed; the other two errors remain
    out = io.BytesIO()
    wb.save(out)
    again = read_demand_workbook(out.getvalue(), filename="again.xlsx", context=context)
    assert [e.cell for e in again.errors] == ["D3", "B4"]
    wb = load_workbook(io.BytesIO(build_error_workbook(out.getvalue(), again.errors)))
    assert wb["报量"]["D2"].comment is None and wb["报量"]["D2"].fill.fgColor.rgb != RED
    assert wb.sheetnames.count(SUMMARY_SHEET) == 1 and wb[SUMMARY_SHEET].max_row == 3


def test_summary_text_is_never_a_formula(context):
    data = make_xlsx([HEADER, row("=cmd|' /C calc'!A0")])
    parse = read_demand_workbook(data, filename="x.xlsx", context=context)
    wb = load_workbook(io.BytesIO(build_error_workbook(data, parse.errors)))
    assert all(c.data_type != "f" for line in wb[SUMMARY_SHEET].iter_rows() for c in line)


def test_error_workbook_refuses_a_non_workbook(context):
    with pytest.raises(WorkbookError):
        build_error_workbook(b"not a workbook", [])


def test_in_place_output_is_a_consistent_package(context):
    """Every XML part is well formed, every relationship target exists and has a content type."""
    import posixpath

    from defusedxml import ElementTree

    data, parse = bad_upload(context)
    package = zipfile.ZipFile(io.BytesIO(build_error_workbook(data, parse.errors, fast=True)))
    names = set(package.namelist())
    parts = {name: ElementTree.fromstring(package.read(name)) for name in names if name.endswith((".xml", ".rels", ".vml"))}
    types = parts["[Content_Types].xml"]
    overrides = {e.get("PartName").lstrip("/") for e in types if e.tag.endswith("Override")}
    defaults = {e.get("Extension") for e in types if e.tag.endswith("Default")}
    for name in (n for n in names if n.endswith(".rels")):
        folder = posixpath.dirname(posixpath.dirname(name))
        for rel in parts[name]:
            if rel.get("TargetMode") == "External":
                continue
            raw = rel.get("Target")
            target = raw.lstrip("/") if raw.startswith("/") else posixpath.normpath(posixpath.join(folder, raw))
            assert target in names, (name, target)
            assert target in overrides or target.rsplit(".", 1)[-1] in defaults, target
    ids = [rel.get("Id") for rel in parts["xl/_rels/workbook.xml.rels"]]
    assert len(ids) == len(set(ids))


def test_in_place_path_finds_rows_whose_reference_is_not_the_first_attribute(context):
    from tests.imports.conftest import rewrite_part

    data, parse = bad_upload(context)
    data = rewrite_part(data, "xl/worksheets/sheet2.xml", rb'<row r="(\d+)"', rb'<row ht="15" r="\1"')
    assert b'<row ht="15" r="4"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml")
    wb = load_workbook(io.BytesIO(build_error_workbook(data, parse.errors, fast=True)))
    assert wb["报量"]["B4"].fill.fgColor.rgb == RED and wb["报量"]["B4"].comment is not None
