"""A published result as one checked document, read from its workbook or its JSON form.

Both forms become the same rows (``imports.result``); this module checks them as a whole with
the rules that need no database, each error naming its sheet (or JSON section), row and column:
every field present and well formed, prices per pack and per unit with at most four decimals,
each winner of an item once, each sub-region with one primary (a second is an error on both
rows), the backup a different winner, every supplier of a region one of the item's winners.
The service adds the checks that need the database (catalog, registered suppliers, regions,
live contracts). Pure: bytes in, a document or errors out.

The JSON form::

    {"source": "national", "document_no": "GY-YD2023-2", "document_date": "2023-11-06",
     "cycle_start": "2024-03-01", "cycle_years": 3, "agreed_ratio": "by_winners", "contract_end": null,
     "items": [{"item_code": "YP901", "rep_spec": "2ml:0.2g", "previous_price": "480.00"}],
     "winners": [{"item_code": "YP901", "supplier_code": "S0008", "strength": "200",
                  "units_per_pack": 1, "pack_price": "59.80", "ucp": "59.8000"}],
     "supply": [{"item_code": "YP901", "region_code": "370000", "primary": "S0008", "backup": "S0001"}]}

Prices are JSON strings or integers (a JSON number with a fraction is read from its exact text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from core.inputs import json_depth
from core.money import MoneyError, parse_price_e4
from cycles.period import add_years
from imports.errors import CellError, ErrorSink, WorkbookError
from imports.normalise import CellKind, CellValueError, normalise_cell
from imports.result import (
    COLUMNS,
    INFO_FIELDS,
    SECTIONS,
    Cell,
    RawRow,
    ResultTables,
    read_result_workbook,
)

SOURCES = {"national": ("国家组织集采", "national", "国家", "国家组织", "国家集采"),
           "alliance": ("省际联盟集采", "alliance", "联盟", "省际联盟", "联盟集采"),
           "province": ("本省集采", "province", "省级", "本省", "省级集采")}
BY_WINNERS = ("按中选企业数", "by_winners", "by winners", "按中选企业数量", "")
MAX_PRICE_E4 = 10**10  # ¥1,000,000 per unit or pack: beyond any real drug or consumable
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
JSON_SHEET = "JSON"


class ResultFileError(WorkbookError):
    """A result file that cannot be read at all (not JSON, not a workbook)."""

    code = "result_file"


@dataclass(frozen=True)
class ItemLine:
    """One item of the result."""

    item_code: str
    rep_spec: str
    agreed_ratio: Decimal | None
    previous_price_e4: int | None
    row: RawRow


@dataclass(frozen=True)
class WinnerLine:
    """One winner's product of one item, with its prices (1/10000 yuan)."""

    item_code: str
    supplier_code: str
    supplier_name: str
    strength: Decimal | None
    units_per_pack: int
    pack_price_e4: int
    ucp_e4: int
    row: RawRow


@dataclass(frozen=True)
class SupplyLine:
    """The primary (and backup) supplier of one item in one region."""

    item_code: str
    region_code: str
    primary: str
    backup: str | None
    row: RawRow


@dataclass(frozen=True)
class ResultDocument:
    """A published result, checked."""

    source: str
    document_no: str
    document_date: date
    cycle_start: date
    cycle_years: int
    agreed_ratio: Decimal | None  # None: by number of winners (the batch's table)
    contract_end: date | None
    items: tuple[ItemLine, ...]
    winners: tuple[WinnerLine, ...]
    supply: tuple[SupplyLine, ...]
    cells: Mapping[str, Cell] = field(default_factory=dict)  # where each header field stands

    @property
    def cycle_end(self) -> date:
        """The last day of the cycle: ``cycle_years`` after its start, less a day."""
        return add_years(self.cycle_start, self.cycle_years) - timedelta(days=1)

    def winners_of(self, item_code: str) -> list[WinnerLine]:
        """The item's winners, in file order."""
        return [w for w in self.winners if w.item_code == item_code]

    def canonical(self) -> dict:
        """The document's content without where each value stood (the workbook and the JSON
        form of one result are equal in this form): what a correction is compared by."""
        return {
            "source": self.source, "document_no": self.document_no, "document_date": self.document_date.isoformat(),
            "cycle_start": self.cycle_start.isoformat(), "cycle_years": self.cycle_years,
            "agreed_ratio": None if self.agreed_ratio is None else str(self.agreed_ratio),
            "contract_end": self.contract_end.isoformat() if self.contract_end else None,
            "items": [[i.item_code, i.rep_spec, None if i.agreed_ratio is None else str(i.agreed_ratio),
                       i.previous_price_e4] for i in self.items],
            "winners": [[w.item_code, w.supplier_code, None if w.strength is None else str(w.strength.normalize()),
                         w.units_per_pack, w.pack_price_e4, w.ucp_e4] for w in self.winners],
            "supply": [[s.item_code, s.region_code, s.primary, s.backup] for s in self.supply],
        }


@dataclass(frozen=True)
class ResultParse:
    """The document, or every error found (all or nothing)."""

    document: ResultDocument | None
    errors: tuple[CellError, ...]
    error_count: int
    file_format: str

    @property
    def ok(self) -> bool:
        """True when the result can be loaded."""
        return self.error_count == 0 and self.document is not None


class _Errors:
    """The document's error list (capped, counted)."""

    def __init__(self, tables: ResultTables) -> None:
        """Start from the errors found while reading the rows."""
        self.sink = ErrorSink()
        self.sink.absorb(tables.errors, tables.error_count)

    def at(self, cell: Cell, value: object, zh: str, en: str, code: str = "invalid") -> None:
        """An error on one cell."""
        self.sink.add(CellError(cell.sheet, cell.row, cell.column, cell.ref, "" if value is None else str(value),
                                zh, en, code))


def _date(text: object) -> date | None:
    """A date written as 2024-03-01, 2024/3/1, 2024年3月1日 or an Excel serial (None: unreadable)."""
    value = str(text or "").strip()
    if value.isdigit() and len(value) == 5:
        return date(1899, 12, 30) + timedelta(days=int(value))
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _ratio(text: object) -> Decimal | None:
    """An agreed ratio as ``80%`` or ``0.8``; raise ValueError when unreadable or outside (0, 1]."""
    value = str(text).strip().replace("％", "%")
    try:
        ratio = Decimal(value[:-1]) / 100 if value.endswith("%") else Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not ratio.is_finite() or not Decimal(0) < ratio <= 1:
        raise ValueError(value)
    return ratio


def _price(errors: _Errors, row: RawRow, key: str) -> int | None:
    """A price cell in 1/10000 yuan: positive, at most four decimals."""
    value = row.values.get(key)
    if value is None:
        return None
    try:
        e4 = parse_price_e4(value)
    except (MoneyError, ArithmeticError, ValueError):
        errors.at(row.cells[key], value, "价格最多保留四位小数", "a price has at most four decimal places", "price_places")
        return None
    if not 0 < e4 <= MAX_PRICE_E4:
        errors.at(row.cells[key], value, "价格须大于 0 且不超过 1,000,000 元", "a price must be above 0 and at most ¥1,000,000",
                  "price_range")
        return None
    return e4


def _header(tables: ResultTables, errors: _Errors) -> dict[str, object]:
    """The header fields, checked; a missing required one is an error on the info sheet."""
    out: dict[str, object] = {}
    for name, zh, en, _aliases, required in INFO_FIELDS:
        value, cell = tables.info.get(name, (None, Cell("批次信息", 1, zh, None)))
        if value is None or str(value).strip() == "":
            if required:
                errors.at(cell, "", f"必填项目「{zh}」未填写", f"the field '{en}' is required", "required")
            continue
        out[name] = _header_value(name, value, cell, errors)
    return out


def _header_value(name: str, value: object, cell: Cell, errors: _Errors) -> object:
    """One header field read by its kind (None after an error)."""
    text = str(value).strip()
    if name == "source":
        found = next((key for key, names in SOURCES.items() if text.lower() in {n.lower() for n in names}), None)
        if found is None:
            errors.at(cell, text, "来源须为国家组织集采、省际联盟集采或本省集采", "source must be national, alliance or province",
                      "source")
        return found
    if name in ("document_date", "cycle_start", "contract_end"):
        day = _date(text)
        if day is None:
            errors.at(cell, text, "日期格式应为 YYYY-MM-DD", "a date must look like 2024-03-01", "date")
        return day
    if name == "cycle_years":
        if not text.isdigit() or not 1 <= int(text) <= 5:
            errors.at(cell, text, "采购周期须为 1 至 5 年的整数", "the cycle is a whole number of years from 1 to 5", "cycle_years")
            return None
        return int(text)
    if name == "agreed_ratio":
        if text.lower() in BY_WINNERS:
            return None
        try:
            return _ratio(text)
        except ValueError:
            errors.at(cell, text, "约定采购量比例须为「按中选企业数」或 0 至 100% 之间的比例", "the agreed ratio is 'by winners' or a "
                      "share above 0 % and at most 100 %", "ratio")
            return None
    if len(text) > 100:
        errors.at(cell, text[:60], "最多 100 个字符", "at most 100 characters", "too_long")
        return None
    return text


def _items(tables: ResultTables, errors: _Errors) -> dict[str, ItemLine]:
    """The items, each once."""
    items: dict[str, ItemLine] = {}
    for row in tables.sections.get("items", ()):
        code = row.values["item_code"]
        if code is None or row.bad:
            continue
        if code in items:
            first = items[code].row.row
            errors.at(row.cells["item_code"], code, f"品种重复（第 {first} 行已列出）", f"item listed twice (already on row {first})",
                      "duplicate")
            continue
        ratio = None
        if row.values.get("agreed_ratio") is not None and str(row.values["agreed_ratio"]).lower() not in BY_WINNERS:
            try:
                ratio = _ratio(row.values["agreed_ratio"])
            except ValueError:
                errors.at(row.cells["agreed_ratio"], row.values["agreed_ratio"], "约定采购量比例须在 0 至 100% 之间",
                          "the agreed ratio must be above 0 % and at most 100 %", "ratio")
        previous = _price(errors, row, "previous_price")
        items[code] = ItemLine(code, str(row.values.get("rep_spec") or "")[:60], ratio, previous, row)
    return items


def _winners(tables: ResultTables, items: Mapping[str, ItemLine],
             errors: _Errors) -> tuple[list[WinnerLine], set[tuple[str, str]]]:
    """The winners — of a listed item, each supplier once per item, whole packs, exact prices —
    and every (item, supplier) the sheet names, a row with a bad price included (so one bad
    cell is one error, not also an error on every row that refers to the winner)."""
    winners: list[WinnerLine] = []
    seen: dict[tuple[str, str], int] = {}
    for row in tables.sections.get("winners", ()):
        item, supplier = row.values["item_code"], row.values["supplier_code"]
        if item is not None and item not in items:
            errors.at(row.cells["item_code"], item, "品种不在「品种」表中", "the item is not on the items sheet", "unlisted_item")
        if item is not None and supplier is not None:
            if (item, supplier) in seen:
                errors.at(row.cells["supplier_code"], supplier, f"同一品种的中选企业重复（第 {seen[(item, supplier)]} 行）",
                          f"the same winner of the item twice (row {seen[(item, supplier)]})", "duplicate")
                continue
            seen[(item, supplier)] = row.row
        units = row.values["units_per_pack"]
        if units is not None and units < 1:
            errors.at(row.cells["units_per_pack"], units, "包装数量须为正整数", "units per pack must be a positive whole number",
                      "units")
        strength = row.values.get("strength")
        if strength is not None and strength <= 0:
            errors.at(row.cells["strength"], strength, "规格含量须大于 0", "the strength must be above 0", "strength")
        pack, ucp = _price(errors, row, "pack_price"), _price(errors, row, "ucp")
        if None in (item, supplier, units, pack, ucp) or row.bad:
            continue
        winners.append(WinnerLine(item, supplier, str(row.values.get("supplier_name") or ""), strength, units, pack,
                                  ucp, row))
    return winners, set(seen)


def _supply(tables: ResultTables, won: set[tuple[str, str]], errors: _Errors) -> list[SupplyLine]:
    """Supply rows: one primary per item × region, both suppliers among the item's winners."""
    listed = {item for item, _supplier in won}
    first: dict[tuple[str, str], RawRow] = {}
    lines: list[SupplyLine] = []
    for row in tables.sections.get("supply", ()):
        item, region = row.values["item_code"], row.values["region_code"]
        primary, backup = row.values["primary"], row.values.get("backup")
        if None in (item, region, primary) or row.bad:
            continue
        if (item, region) in first:
            other = first[(item, region)]
            errors.at(row.cells["region_code"], region, f"同一地区有两个主供企业（第 {other.row} 行已指定）",
                      f"two primary suppliers for one region (row {other.row} names one already)", "two_primaries")
            errors.at(other.cells["region_code"], region, f"同一地区有两个主供企业（第 {row.row} 行再次指定）",
                      f"two primary suppliers for one region (row {row.row} names another)", "two_primaries")
            continue
        first[(item, region)] = row
        ok = True
        for key, code in (("primary", primary), ("backup", backup)):
            if code is not None and item in listed and (item, code) not in won:
                ok = False
                errors.at(row.cells[key], code, "该企业不是此品种的中选企业", "this supplier is not a winner of the item",
                          "not_a_winner")
        if backup is not None and backup == primary:
            ok = False
            errors.at(row.cells["backup"], backup, "备供企业须与主供企业不同", "the backup must be another winner than the primary",
                      "backup_is_primary")
        if item not in listed:
            ok = False
            errors.at(row.cells["item_code"], item, "此品种没有中选企业", "the item has no winner", "no_winner")
        if ok:
            lines.append(SupplyLine(item, region, primary, backup, row))
    return lines


def check_tables(tables: ResultTables, file_format: str) -> ResultParse:
    """The document the rows make, or every error (nothing is partly accepted)."""
    errors = _Errors(tables)
    head = _header(tables, errors)
    items = _items(tables, errors)
    winners, won = _winners(tables, items, errors)
    supply = _supply(tables, won, errors)
    named = {row.values["item_code"] for row in tables.sections.get("supply", ())}
    for code, item in items.items():
        if not any(item_code == code for item_code, _s in won):
            errors.at(item.row.cells["item_code"], code, "此品种没有中选企业", "the item has no winner", "no_winner")
        elif code not in named:
            errors.at(item.row.cells["item_code"], code, "此品种没有供应地区", "the item has no supply region", "no_supply")
    if not items and not errors.sink.count:
        errors.at(Cell(SECTIONS["items"], 1, "品种编码", None), "", "没有品种", "no items", "empty")
    start, end = head.get("cycle_start"), head.get("contract_end")
    if start and end and head.get("cycle_years"):
        last = add_years(start, head["cycle_years"]) - timedelta(days=1)
        if not start < end <= last:
            errors.at(tables.info["contract_end"][1], end, f"合同截止日期须在采购周期内（{start} 至 {last}）",
                      f"the contract end must lie within the cycle ({start} to {last})", "contract_end")
    if errors.sink.count:
        return ResultParse(None, errors.sink.listed(), errors.sink.count, file_format)
    document = ResultDocument(head["source"], head["document_no"], head["document_date"], head["cycle_start"],
                              head["cycle_years"], head.get("agreed_ratio"), head.get("contract_end"),
                              tuple(items.values()), tuple(winners), tuple(supply),
                              {name: cell for name, (_v, cell) in tables.info.items()})
    return ResultParse(document, (), 0, file_format)


def _json_tables(data: bytes) -> ResultTables:
    """A result's JSON form as the same rows the workbook gives (values normalised per column)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResultFileError("JSON 文件须为 UTF-8 编码", "the JSON file must be UTF-8") from None
    if json_depth(text) > 8:
        raise ResultFileError("JSON 嵌套过深", "the JSON nests too deeply")
    try:
        body = json.loads(text, parse_float=Decimal, parse_int=_bounded_int, parse_constant=_refuse)
    except (ValueError, ArithmeticError) as exc:
        raise ResultFileError("不是有效的 JSON 文件", f"not a valid JSON file ({type(exc).__name__})") from None
    if not isinstance(body, dict):
        raise ResultFileError("JSON 文件须为一个对象", "the JSON file must hold one object")
    sink = ErrorSink()
    known = {name for name, *_rest in INFO_FIELDS} | set(SECTIONS)
    for key in body:
        if key not in known:
            sink.add(CellError(JSON_SHEET, 1, str(key)[:60], None, "", "未知的字段", "unknown field", "unknown_field"))
    info = {}
    for name, *_rest in INFO_FIELDS:
        if body.get(name) is not None:
            value = body[name]
            if isinstance(value, dict | list | bool):
                sink.add(CellError(JSON_SHEET, 1, name, None, "", "须为文字或数字", "must be text or a number", "type"))
                continue
            info[name] = (str(value), Cell(JSON_SHEET, 1, name, None))
    sections = {key: _json_rows(key, body.get(key), sink) for key in SECTIONS}
    return ResultTables(info, sections, sink.listed(), sink.count)


def _bounded_int(text: str) -> int:
    """A JSON integer of at most 18 digits."""
    if len(text.lstrip("-")) > 18:
        raise ValueError("integer too long")
    return int(text)


def _refuse(name: str):
    """NaN and Infinity are not JSON numbers."""
    raise ValueError(name)


def _json_rows(key: str, entries: object, sink: ErrorSink) -> tuple[RawRow, ...]:
    """One JSON section (a list of objects) as rows; a value that cannot be read is an error
    naming ``section[i].field``."""
    if entries is None:
        sink.add(CellError(JSON_SHEET, 1, key, None, "", "缺少此部分", "this section is missing", "missing_sheet"))
        return ()
    if not isinstance(entries, list):
        sink.add(CellError(JSON_SHEET, 1, key, None, "", "须为列表", "must be a list", "type"))
        return ()
    specs = COLUMNS[key]
    rows = []
    for n, entry in enumerate(entries[:50_000]):
        path = f"{key}[{n}]"
        if not isinstance(entry, dict):
            sink.add(CellError(JSON_SHEET, n + 1, path, None, "", "须为对象", "must be an object", "type"))
            continue
        for extra in set(entry) - {s.key for s in specs}:
            sink.add(CellError(JSON_SHEET, n + 1, f"{path}.{str(extra)[:40]}", None, "", "未知的字段", "unknown field",
                               "unknown_field"))
        values, cells, bad = {}, {}, False
        for spec in specs:
            cell = Cell(JSON_SHEET, n + 1, f"{path}.{spec.key}", None)
            cells[spec.key] = cell
            raw = entry.get(spec.key)
            try:
                if isinstance(raw, dict | list | bool):
                    raise CellValueError("须为文字或数字", "must be text or a number", "type")
                value = None if raw is None else normalise_cell(_exact(raw, spec.kind), spec.kind)
                if value is None and spec.required:
                    raise CellValueError("必填，不能为空", "required, cannot be blank", "required")
            except CellValueError as exc:
                bad = True
                value = None
                sink.add(CellError(JSON_SHEET, n + 1, cell.column, None, "" if raw is None else str(raw)[:60],
                                   exc.zh, exc.en, exc.code))
            values[spec.key] = value
        rows.append(RawRow(n + 1, values, cells, bad))
    return tuple(rows)


def _exact(raw: object, kind: CellKind) -> object:
    """A JSON value as a cell value: a decimal stays exact text (never a float)."""
    if isinstance(raw, Decimal):
        return format(raw, "f") if raw.is_finite() and abs(raw.adjusted()) < 20 else str(raw)
    return raw


def is_json(data: bytes, filename: str) -> bool:
    """Whether an upload is the JSON form (by name, or by its first character)."""
    return filename.lower().endswith(".json") or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_result(data: bytes, filename: str) -> ResultParse:
    """Read and check a result file (workbook or JSON); raise only ``WorkbookError`` for a file
    that cannot be read at all."""
    if not data:
        raise ResultFileError("文件为空", "the file is empty")
    if is_json(data, filename):
        return check_tables(_json_tables(data), "json")
    return check_tables(read_result_workbook(data, filename=filename), "xlsx")
