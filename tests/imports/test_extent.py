"""Issue 13 items 2, 3, 12, 22: extents bounded from the XML, per-kind row limits, error lists
linear and capped, numbers read as Excel shows them."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from bidding.pricing import Strength
from bidding.validation import ItemTerms
from bidding.workbook import read_bid_workbook
from imports.demand import read_demand_workbook, read_demand_workbook_bulk
from imports.errors import UnsafeWorkbookError
from imports.errors_workbook import build_error_workbook
from imports.normalise import CellKind, as_text, normalise_cell, parse_count
from imports.reader import MAX_ERRORS, MORE_ERRORS
from imports.xlsx_guard import GuardLimits, check_xlsx
from settlement.execution.workbook import read_delivery_workbook
from tests.imports.conftest import CONTEXT, HEADER, make_xlsx, rewrite_part, row
from tests.imports.hostile import rows_xml, sheet_xml, table, workbook

SHEET = "xl/worksheets/sheet1.xml"
BID_HEADER = ["品种编码", "申报规格含量", "含量单位", "每包装数量", "包装价（元）", "年供应产能", "资格声明"]
BID_TERMS = {"YP001": ItemTerms(Strength(Decimal(20), "mg"), 5000)}


def _with_cell(ref: str) -> bytes:
    """The demand sheet plus one far-away cell."""
    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    extra = f'<row r="{digits}"><c r="{ref}"><v>1</v></c></row></sheetData>'.encode()
    return rewrite_part(make_xlsx([HEADER, row()]), SHEET, rb"</sheetData>", extra)


@pytest.mark.parametrize("ref", ["XFD1048576", "ZZ100000", "ALM3"])
def test_a_far_away_cell_is_refused_naming_the_sheet_and_extent(ref):
    with pytest.raises(UnsafeWorkbookError) as caught:
        read_demand_workbook_bulk(_with_cell(ref), filename="报量.xlsx", context=_bulk())
    assert "工作表「报量」" in caught.value.zh and ref in caught.value.zh and ref in caught.value.en


def test_a_merged_range_to_the_sheet_end_is_refused():
    data = rewrite_part(make_xlsx([HEADER, row()]), SHEET, rb"</sheetData>",
                        b'</sheetData><mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>')
    with pytest.raises(UnsafeWorkbookError) as caught:
        check_xlsx(data)
    assert "XFD1048576" in caught.value.zh


def test_cells_without_references_are_placed_as_readers_place_them():
    wide = "<row>" + "<c><v>1</v></c>" * 1200 + "</row>"
    data = workbook([("报量", sheet_xml([*rows_xml([HEADER]), wide]))])
    with pytest.raises(UnsafeWorkbookError) as caught:
        check_xlsx(data)
    assert "ALM2" in caught.value.zh  # refused at the first column past the limit


def test_a_lying_dimension_over_small_real_cells_is_read_normally():
    data = rewrite_part(make_xlsx([HEADER, row()]), SHEET, rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>')
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read(SHEET)
    assert check_xlsx(data).cells == 12  # two rows × six columns: the dimension is not trusted
    parse = read_demand_workbook(data, filename="报量.xlsx", context=CONTEXT)
    assert parse.ok and len(parse.rows) == 1


def test_the_cells_of_all_sheets_together_are_bounded():
    rows = [["x"] * 10 for _ in range(60)]
    sheets = [(f"S{n}", sheet_xml(rows_xml(rows))) for n in range(5)]
    assert check_xlsx(workbook(sheets)).cells == 3000
    with pytest.raises(UnsafeWorkbookError):
        check_xlsx(workbook(sheets), limits=GuardLimits(max_cells=2500))


def test_shared_strings_are_bounded_in_count_and_in_item_size():
    sst = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}</sst>'
    sheet = [("报量", sheet_xml(rows_xml([HEADER])))]
    check_xlsx(workbook(sheet, shared_strings=sst.format("<si><t>x</t></si>" * 1000)))
    with pytest.raises(UnsafeWorkbookError, match="共享字符串"):
        check_xlsx(workbook(sheet, shared_strings=sst.format("<si><t>x</t></si>" * 1000)), limits=GuardLimits(max_shared_strings=999))
    huge = sst.format("<si><t>x</t></si><si>" + ("<r><t>" + "长" * 30_000 + "</t></r>") * 4 + "</si>")
    with pytest.raises(UnsafeWorkbookError, match="超长"):
        check_xlsx(workbook(sheet, shared_strings=huge))


def test_each_upload_kind_refuses_past_its_own_row_limit_before_reading():
    bids = table("申报", [BID_HEADER, *[["YP001", 20, "mg", 7, 1.4, 100, "参比制剂"]] * 10_000])
    with pytest.raises(UnsafeWorkbookError) as caught:
        read_bid_workbook(bids, filename="b.xlsx", terms=BID_TERMS)
    assert "10001" in caught.value.zh and "10000" in caught.value.zh
    demand = table("报量", [HEADER, *[row()] * 20_000])
    with pytest.raises(UnsafeWorkbookError):
        read_demand_workbook(demand, filename="d.xlsx", context=CONTEXT)
    assert read_demand_workbook_bulk(demand, filename="d.xlsx", context=_bulk()).error_count > 0  # a bureau file may
    deliveries = table("发货", [["合同编号", "发货数量", "发货日期"], *[["HT-1", 1, "2026-10-05"]] * 100_000])
    with pytest.raises(UnsafeWorkbookError):
        read_delivery_workbook(deliveries, filename="d.xlsx")


def _bulk():
    from imports.demand import BulkDemandContext
    from tests.imports.conftest import BRANDS, ITEMS

    return BulkDemandContext("B2026", ITEMS, frozenset({"H001"}), Decimal("0.8"), BRANDS)


def test_duplicate_rows_name_the_first_row_and_the_list_is_capped():
    copies = 30_000
    data = table("报量", [HEADER, *[row()] * copies])
    parse = read_demand_workbook_bulk(data, filename="d.xlsx", context=_bulk())
    assert parse.error_count == copies  # each repeat once, and the first row once
    assert len(parse.errors) == MAX_ERRORS + 1 and parse.errors[-1].code == MORE_ERRORS
    assert f"{copies - MAX_ERRORS}" in parse.errors[-1].reason_zh
    first, repeat = parse.errors[0], parse.errors[1]
    assert (first.row, repeat.row) == (2, 3)
    assert "第 3 行再次出现" in first.reason_zh and "已在第 2 行" in repeat.reason_zh
    assert max(len(e.reason_zh) + len(e.reason_en) for e in parse.errors) < 300
    annotated = build_error_workbook(data, parse.errors, filename="d.xlsx")
    assert len(annotated) < 4 * len(data) + 2_000_000


def test_bid_duplicates_are_linear_too():
    parsed = read_bid_workbook(table("申报", [BID_HEADER, *[["YP001", 20, "mg", 7, 1.4, 100, "参比制剂"]] * 5]),
                               filename="b.xlsx", terms=BID_TERMS)
    dups = [(e.row, e.reason_en) for e in parsed.errors if e.code == "duplicate"]
    assert dups == [(2, "the item is bid again on row 3")] + [(r, "the item is bid twice: already on row 2") for r in range(3, 7)]


@pytest.mark.parametrize(("stored", "count"), [(2970.0000000000005, 2970), (1319.9999999999998, 1320), (0.30000000000000004 * 10, 3)])
def test_excel_float_residue_reads_as_excel_shows_it(stored, count):
    assert parse_count(stored) == count and as_text(stored) == str(count)
    assert normalise_cell(stored / 1000, CellKind.DECIMAL) == Decimal(count) / 1000


def test_a_formula_result_with_residue_is_the_whole_number_shown():
    data = rewrite_part(make_xlsx([HEADER, row(last=2700, committed="=C2*1.1")]), SHEET,
                        rb"<f>C2\*1.1</f><v\s*/?>(?:</v>)?", b"<f>C2*1.1</f><v>2970.0000000000005</v>")
    parse = read_demand_workbook(data, filename="d.xlsx", context=CONTEXT)
    assert parse.ok, [e.message() for e in parse.errors]
    assert parse.rows[0].committed == 2970
