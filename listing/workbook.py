"""The listing workbook: template and reader, held to the demand-upload standard.

Pure: bytes in, one :class:`listing.services.ProductInput`-shaped row per line and cell errors
out (``imports.reader`` guards the file, matches headers in any order, normalises cells). The
checks that need the database (batch codes, codes already listed) are the listing service's,
mapped back to cells by :mod:`listing.uploads`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from core.export import save
from imports.errors import CellError, ErrorSink
from imports.headers import ColumnSpec
from imports.normalise import CellKind
from imports.reader import SheetRead, read_sheet
from imports.xlsx_guard import GuardLimits

DATA_SHEET = "挂网产品"
LISTING_LIMITS = GuardLimits(max_rows=20_000)

#: VBP status as suppliers write it in the workbook (Chinese or the stored code)
VBP_WORDS = {"中选": "selected", "非中选": "non_selected", "未集采": "not_vbp", "未纳入集采": "not_vbp",
             "selected": "selected", "non_selected": "non_selected", "not_vbp": "not_vbp"}


def columns() -> tuple[ColumnSpec, ...]:
    """The listing sheet's columns (Chinese names first, English aliases accepted)."""
    return (
        ColumnSpec("code", "医保编码", "national code", ("国家医保编码", "code"), True, CellKind.CODE),
        ColumnSpec("generic_name", "通用名", "generic name", ("通用名称", "名称"), True),
        ColumnSpec("dosage_form", "剂型", "dosage form", ("剂型/材质", "form"), True),
        ColumnSpec("spec", "规格", "specification", ("规格型号", "spec"), True),
        ColumnSpec("pack", "包装", "pack", ("包装规格", "pack"), True),
        ColumnSpec("mah", "上市许可持有人", "marketing-authorisation holder", ("持有人", "注册人", "MAH"), True),
        ColumnSpec("price", "挂网价格（元）", "listed price (yuan)", ("挂网价格", "价格", "price"), True,
                   CellKind.DECIMAL),
        ColumnSpec("vbp_status", "集采状态", "VBP status", ("VBP", "集采"), True),
        ColumnSpec("vbp_batch_code", "集采批次", "VBP batch", ("批次", "批次编号", "batch"), False, CellKind.CODE),
    )


@dataclass(frozen=True)
class ListingRow:
    """One product line read from the workbook (text as written, the price as a decimal text)."""

    row: int
    values: dict[str, str]


@dataclass(frozen=True)
class ListingParse:
    """Rows and cell errors; apply only when there is no error at all."""

    read: SheetRead
    rows: tuple[ListingRow, ...]
    errors: tuple[CellError, ...]
    error_count: int = 0


def cell_error(read: SheetRead, row: int, key: str, value: object, zh: str, en: str, code: str) -> CellError:
    """An error at the cell of column ``key`` on ``row``."""
    return CellError(read.sheet, row, read.column_name(key), read.cell(key, row),
                     "" if value is None else str(value), zh, en, code)


def read_listing_workbook(data: bytes, *, filename: str, limits: GuardLimits = LISTING_LIMITS) -> ListingParse:
    """Read a listing workbook; raises only ``WorkbookError`` (not a workbook, bombs, headers)."""
    read = read_sheet(data, columns(), filename=filename, preferred_sheets=(DATA_SHEET,), limits=limits)
    col = {spec.key: read.index(spec.key) for spec in read.specs}
    errors, rows = ErrorSink(), []
    errors.absorb(read.errors, read.error_count)
    for r in read.rows:
        if r.bad:
            continue
        v = {k: "" if r.values[i] is None else str(r.values[i]).strip() for k, i in col.items()}
        word = VBP_WORDS.get(v["vbp_status"])
        if word is None:
            errors.add(cell_error(read, r.row, "vbp_status", v["vbp_status"], "集采状态应为 中选、非中选 或 未集采",
                                  "the VBP status must be 中选, 非中选 or 未集采", "bad_status"))
            continue
        rows.append(ListingRow(r.row, {**v, "vbp_status": word}))
    if not read.rows and not errors.count:
        errors.add(CellError(read.sheet, 1, "—", None, "", "没有产品数据行", "no product rows", "empty"))
    return ListingParse(read, tuple(rows), errors.listed(), errors.count)


def build_listing_template(batches: Sequence[tuple[str, str]] = ()) -> bytes:
    """An empty listing workbook with its header row, an explanatory sheet and the batches
    (code, name) a product's VBP status may name."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append([s.label_zh for s in columns()])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    notes = wb.create_sheet("说明")
    notes.append(["列", "说明"])
    notes.append(["医保编码", "药品 23 位（X/Z 开头），耗材 27 位（C 开头）"])
    notes.append(["挂网价格（元）", "每包装价格，最多 4 位小数"])
    notes.append(["集采状态", "中选 / 非中选 / 未集采；中选与非中选须填集采批次"])
    ref = wb.create_sheet("集采批次")
    ref.append(["批次编号", "批次名称"])
    for row in batches:
        ref.append(list(row))
    return save(wb)
