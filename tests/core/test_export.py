"""Formula injection: every workbook the platform writes goes through ``core.export.save``.

Two halves. The source walk finds every place that serialises a workbook (an openpyxl
``.save``, a zip written by hand) and every function that builds one through the safe writer:
only ``core.export`` may serialise, and each builder must be in :data:`BUILDERS` below, so a new
export cannot skip the walk. The walk then runs each builder with names, specs and values
starting ``= + - @``, tab and CR, and reads every cell of every sheet back.
"""

from __future__ import annotations

import ast
import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook

from api.bodies import lines_to_sheet
from bidding.workbook import build_bid_template, read_bid_workbook
from core.export import DANGEROUS, safe_cell, save, workbook_bytes
from imports.demand import BatchItem, BrandOption, DemandContext, read_demand_workbook
from imports.errors_workbook import SUMMARY_SHEET, build_error_workbook
from imports.result import result_workbook
from imports.template import build_demand_template
from settlement.execution.workbook import build_delivery_template
from settlement.payments.remittance import build_remittance_advice

ROOT = Path(__file__).resolve().parents[2]
NOT_PLATFORM = {"tests", "bench", "loadtest", "demo", "tools", "migrations", ".venv", "docs", "translations"}
HOSTILE = ('=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1")
#: the platform's workbook builders (module:function) → the walk that checks what they produce
BUILDERS: dict[str, Callable[[], list[tuple[str, bytes]]]] = {}


def _platform_modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in NOT_PLATFORM:
            yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _calls(tree) -> list[tuple[str, ast.Call]]:
    """(called name, call) for every call in a module."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            out.append((f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""), node))
    return out


def test_only_core_export_serialises_workbooks():
    offenders = []
    for rel, tree in _platform_modules():
        if rel.as_posix() == "core/export.py":
            continue
        source = ast.unparse(tree)
        for name, call in _calls(tree):
            if name == "save" and "openpyxl" in source and not isinstance(call.func, ast.Name):
                offenders.append(f"{rel}: {ast.unparse(call)}")  # wb.save(...): openpyxl's own writer
            if name == "ZipFile" and any(isinstance(a, ast.Constant) and a.value in ("w", "a", "x")
                                         for a in call.args[1:2]) and rel.as_posix() != "imports/xlsx_patch.py":
                offenders.append(f"{rel}: {ast.unparse(call)}")  # a workbook written by hand
    assert offenders == []


def _builders_in_source() -> set[str]:
    """Every platform function that lays out its own workbook and hands it to the safe writer
    (callers of ``workbook_bytes`` are covered by its walk: it neutralises whatever it is given)."""
    found = {"core.export:workbook_bytes"}
    producers = {"save", "patch_workbook"}
    for rel, tree in _platform_modules():
        if rel.as_posix() == "core/export.py":
            continue
        imported = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                    and n.module in ("core.export", "imports.xlsx_patch") for a in n.names}
        module = rel.with_suffix("").as_posix().replace("/", ".")
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            if any(name in producers & imported and isinstance(c.func, ast.Name) for name, c in _calls(fn)):
                found.add(f"{module}:{fn.name}")
    return found


def test_every_builder_is_walked():
    missing = _builders_in_source() - set(BUILDERS)
    assert missing == set(), f"add a walk for {missing} to BUILDERS"


# -- checking a produced workbook ------------------------------------------------------------------


def unsafe_cells(data: bytes, skip_sheets: set[str] = frozenset()) -> list[str]:
    """Every cell that is a formula or text starting like one, as ``sheet!A1 value``."""
    wb = load_workbook(io.BytesIO(data))
    bad = []
    for ws in wb.worksheets:
        if ws.title in skip_sheets:
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(DANGEROUS)
                                             and safe_cell(cell.value) != cell.value):
                    bad.append(f"{ws.title}!{cell.coordinate} {cell.value!r}")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # also at the XML level: no <f> element anywhere
        formulas = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and re.search(rb"<f[ >]", zf.read(n))]
    if not skip_sheets and formulas:
        bad.append(f"formula elements in {formulas}")
    return bad


def _walks(name: str):
    def register(fn):
        BUILDERS[name] = fn
        return fn
    return register


@_walks("core.export:workbook_bytes")
def _generic():
    rows = [[v, -5, Decimal("-1.50"), "-12.50", 3] for v in HOSTILE]
    return [("exports", workbook_bytes([("开标记录", list(HOSTILE), rows), ("+汇总", ["a"], [[HOSTILE[1]]])]))]


@_walks("core.charts:Chart.workbook")
def _chart():
    from core.charts import Chart, Series

    chart = Chart("k", HOSTILE[1], HOSTILE[0], HOSTILE, (Series(HOSTILE[2], HOSTILE[3], "qty", tuple(range(6))),))
    return [("chart", chart.workbook())]


@_walks("bidding.workbook:build_bid_template")
def _bid_template():
    items = [(f"YP{n:03d}", name, spec) for n, (name, spec) in enumerate(zip(HOSTILE, reversed(HOSTILE), strict=True))]
    return [("bid template", build_bid_template(HOSTILE[0], HOSTILE[3], items))]


@_walks("settlement.execution.workbook:build_delivery_template")
def _delivery_template():
    return [("delivery template", build_delivery_template([(f"HT{n}", v, v) for n, v in enumerate(HOSTILE)]))]


@_walks("listing.workbook:build_listing_template")
def _listing_template():
    from listing.workbook import build_listing_template

    return [("listing template", build_listing_template([(f"B{n}", v) for n, v in enumerate(HOSTILE)]))]


@_walks("pricewatch.workbook:build_province_template")
def _province_template():
    from pricewatch.workbook import build_province_template

    return [(FIXED_TEXT, build_province_template())]


#: a template of the platform's own fixed text (no user value to carry): checked for unsafe cells only
FIXED_TEXT = "other provinces' prices template"


@_walks("settlement.payments.remittance:build_remittance_advice")
def _remittance_advice():
    from datetime import date

    from settlement.payments.queries import CoveredLine, CoveredShare
    from settlement.payments.remittance import AdviceHeader

    head = AdviceHeader(*HOSTILE[:2], *HOSTILE, 12345, HOSTILE[1], HOSTILE[2], HOSTILE[3])
    shares = [CoveredShare(v, 1, 1000, 10, 20, 970) for v in HOSTILE]
    lines = [CoveredLine(n, v, v, v, date(2026, 10, 1), 5, 1234, 617) for n, v in enumerate(HOSTILE)]
    return [("remittance advice", build_remittance_advice(head, shares, lines))]


def _context() -> DemandContext:
    items = tuple(BatchItem(f"I{n:03d}", v, v, v, v) for n, v in enumerate(HOSTILE))
    return DemandContext("H001", HOSTILE[0], HOSTILE[1], items, brands=(BrandOption("S1", HOSTILE[0]),))


@_walks("imports.template:build_demand_template")
def _demand_template():
    return [("demand template", build_demand_template(_context()))]


def _upload() -> bytes:
    """A user's own bid sheet with hostile text in every column and one formula of their own."""
    wb = Workbook()
    ws = wb.active
    ws.title = "申报"
    ws.append(["品种编码", "申报规格含量", "含量单位", "每包装数量", "包装价（元）", "年供应产能", "资格声明"])
    for v in HOSTILE:
        ws.append([v, v, v, v, v, v, v])
        for cell in ws[ws.max_row]:
            cell.data_type = "s"
    ws.append(["YP001", 20, "mg", 7, 1.5, 100, "=G2"])  # the user's own formula is theirs to keep
    return save(wb, verbatim=("申报",))


@_walks("imports.errors_workbook:build_error_workbook")
def _annotated():
    data = _upload()
    parse = read_bid_workbook(data, filename="b.xlsx", terms={})
    assert parse.errors and any(e.value.startswith(DANGEROUS) for e in parse.errors)
    return [(f"annotated ({'in place' if fast else 'openpyxl'})", build_error_workbook(data, parse.errors, fast=fast))
            for fast in (True, False)]


@_walks("imports.errors_workbook:_with_openpyxl")
def _annotated_openpyxl():
    return []  # walked by build_error_workbook(fast=False)


@_walks("imports.errors_workbook:_summary_only")
def _annotated_summary_only():
    """The summary-only workbook of a file too large to annotate (its errors quote user values)."""
    from imports import errors_workbook
    data = _upload()
    parse = read_bid_workbook(data, filename="b.xlsx", terms={})
    old = errors_workbook.OPENPYXL_MAX_CELLS
    errors_workbook.OPENPYXL_MAX_CELLS = 0  # every file counts as too large
    try:
        return [("annotated (summary only)", build_error_workbook(data, parse.errors, fast=False))]
    finally:
        errors_workbook.OPENPYXL_MAX_CELLS = old


@_walks("evaluation.export:build_evaluation_workbook")
def _evaluation_workbook():
    """Supplier and region names, item titles and units from the database reach every sheet."""
    from evaluation.export import ExportItem, build_evaluation_workbook
    from evaluation.reading import Names, read_item
    from optimizer import Bid, Item, MaxWinners, Region, Rules, solve_item
    from optimizer.clearing import canonical_snapshot
    from optimizer.encode import item_result_to_json

    at = datetime(2099, 1, 1, tzinfo=UTC)
    rules = Rules(max_winners=MaxWinners(minus=0))
    item = Item("YP001", Decimal("2.0000"), (Region("R1", 10), Region("R2", 10)),
                (Bid("S1", Decimal("0.5000"), 100, at), Bid("S2", Decimal("0.6000"), 100, at),
                 Bid("S3", Decimal("3.0000"), 100, at)))
    names = Names({"S1": HOSTILE[0], "S2": HOSTILE[1], "S3": HOSTILE[2]}, {"R1": HOSTILE[3], "R2": HOSTILE[4]})
    reading = read_item(item_result_to_json(solve_item(item, rules)), canonical_snapshot(rules, item), HOSTILE[5], names)
    items = [ExportItem("YP001", HOSTILE[2], HOSTILE[5], reading, 20, Decimal("10.00"), Decimal("-1.00"))]
    return [("evaluation workbook", build_evaluation_workbook(HOSTILE[0], items, lambda s: s, lambda r: HOSTILE[3]))]


@_walks("imports.result:result_workbook")
def _result_workbook():
    document = {"source": HOSTILE[0], "document_no": HOSTILE[1], "document_date": HOSTILE[2],
                "items": [{"item_code": v, "rep_spec": v, "previous_price": "1.5"} for v in HOSTILE],
                "winners": [{"item_code": v, "supplier_code": v, "supplier_name": v, "units_per_pack": 1,
                             "pack_price": v, "ucp": "-1.5"} for v in HOSTILE],
                "supply": [{"item_code": v, "region_code": v, "primary": v, "backup": v} for v in HOSTILE]}
    return [("result workbook", result_workbook(document))]


@_walks("api.bodies:lines_to_sheet")
def _api_lines():
    return []  # never leaves the process: the client's own lines, read back as text (tested below)


def test_every_produced_workbook_is_neutralised():
    produced = [out for walk in BUILDERS.values() for out in walk()]
    assert len(produced) >= 6
    for label, data in produced:
        own = {"申报"} if label.startswith("annotated") else set()
        assert unsafe_cells(data, own) == [], label
        wb = load_workbook(io.BytesIO(data))
        texts = [c.value for ws in wb.worksheets if ws.title not in own for r in ws.iter_rows() for c in r]
        assert label == FIXED_TEXT or any(isinstance(t, str) and t.startswith("'") for t in texts), f"{label}: nothing hostile reached it"


def test_numbers_stay_numbers():
    wb = load_workbook(io.BytesIO(workbook_bytes([("s", ["n"], [[-5], [Decimal("-1.25")], ["-12.50"], ["-1+2"]])])))
    assert [c.value for c in wb["s"]["A"]][1:] == [-5, -1.25, "-12.50", "'-1+2"]


def test_the_annotated_workbook_keeps_the_users_own_cells():
    data = _upload()
    parse = read_bid_workbook(data, filename="b.xlsx", terms={})
    for fast in (True, False):
        wb = load_workbook(io.BytesIO(build_error_workbook(data, parse.errors, fast=fast)))
        assert wb["申报"]["G8"].value == "=G2" and wb["申报"]["A2"].value == HOSTILE[0]
        summary = [c.value for r in wb[SUMMARY_SHEET].iter_rows() for c in r]
        assert "'" + HOSTILE[0] in summary


def test_templates_still_read_back():
    """Neutralised names do not break the round trip: the brand picked from the dropdown is found."""
    wb = load_workbook(io.BytesIO(build_demand_template(_context())))
    ws = wb["报量"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=8, value=10)
        ws.cell(row=row, column=9, value=10)
    ws["J2"] = wb["品牌列表"]["A1"].value
    parse = read_demand_workbook(save(wb, verbatim=wb.sheetnames), filename="d.xlsx", context=_context())
    assert parse.errors == () and parse.rows[0].preferred_brand == "S1"


def test_api_lines_keep_the_clients_text_as_text():
    data = lines_to_sheet({"lines": [{"item": "I000", "last_year_use": 1, "committed": 1, "reason": "=不采购"}]})
    wb = load_workbook(io.BytesIO(data))
    assert wb["报量"]["E2"].value == "=不采购" and wb["报量"]["E2"].data_type == "s"
