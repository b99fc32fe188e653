"""The demand template: instructions, pre-filled rows, validation, protection, round trip."""

from __future__ import annotations

import io
from dataclasses import replace

from openpyxl import load_workbook

from imports.demand import BatchItem, read_demand_workbook
from imports.template import build_demand_template


def test_template_layout(context):
    wb = load_workbook(io.BytesIO(build_demand_template(context)))
    assert wb.sheetnames == ["填写说明", "报量", "品牌列表"]
    assert "B2026" in wb["填写说明"]["A1"].value and "80%" in "".join(str(c.value) for c in wb["填写说明"]["A"])
    ws = wb["报量"]
    assert [c.value for c in ws[1]] == ["医院编码", "医院名称", "品种编码", "通用名", "剂型", "代表规格", "最小单位", "上年用量", "承诺年采购量", "意向品牌", "原因"]
    assert [ws.cell(r, 3).value for r in range(2, 7)] == ["I001", "I002", "I003", "I004", "I005"]
    assert {ws.cell(r, 1).value for r in range(2, 7)} == {"H001"}
    assert wb["品牌列表"].sheet_state == "hidden"
    assert [c.value for c in wb["品牌列表"]["A"]] == ["甲制药（B01）", "乙制药（B02）"]


def test_template_protects_header_and_unlocks_inputs(context):
    ws = load_workbook(io.BytesIO(build_demand_template(context)))["报量"]
    assert ws.protection.sheet
    assert ws["A1"].protection.locked and ws["H1"].protection.locked and ws["C2"].protection.locked
    assert not any(ws.cell(2, col).protection.locked for col in range(8, 12))


def test_template_validations(context):
    ws = load_workbook(io.BytesIO(build_demand_template(context)))["报量"]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    whole = rules["H2:I6"]
    assert (whole.type, whole.operator, whole.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert rules["J2:J6"].type == "list" and rules["J2:J6"].formula1 == "'品牌列表'!$A$1:$A$2"


def test_catalog_text_is_never_written_as_a_formula(context):
    evil = replace(context, items=(BatchItem("I001", "=HYPERLINK(\"http://x\")", "+片", "-1", "@u"),))
    ws = load_workbook(io.BytesIO(build_demand_template(evil)))["报量"]
    assert all(ws.cell(2, col).data_type == "s" for col in range(1, 8))


def test_filled_template_round_trips(context):
    wb = load_workbook(io.BytesIO(build_demand_template(context)))
    ws = wb["报量"]
    for r in range(2, 7):
        ws.cell(r, 8).value, ws.cell(r, 9).value = 1000 * r, 900 * r
    ws["J2"], ws["I3"], ws["K3"] = "乙制药（B02）", 0, "停用"
    out = io.BytesIO()
    wb.save(out)
    parse = read_demand_workbook(out.getvalue(), filename="template.xlsx", context=context)
    assert parse.ok, [e.message() for e in parse.errors]
    assert len(parse.rows) == 5
    assert parse.rows[0].preferred_brand == "B02" and parse.rows[1].reason == "停用"


def test_untouched_template_asks_for_every_volume(context):
    parse = read_demand_workbook(build_demand_template(context), filename="t.xlsx", context=context)
    assert parse.error_count == 10 and {e.code for e in parse.errors} == {"required"}
    assert "填 0" in parse.errors[0].reason_zh
