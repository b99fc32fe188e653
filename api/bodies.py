"""JSON bodies of the demand endpoint: the lines are laid out as the standard demand sheet, so they
go through the very same reader and rules as an uploaded sheet — one validation."""

from __future__ import annotations

from openpyxl import Workbook

from core.export import save

HEADER = ("品种编码", "上年用量", "承诺年采购量", "意向品牌", "原因")
KEYS = ("item", "last_year_use", "committed", "preferred_brand", "reason")
FIRST_ROW = 2  # Excel row of lines[0]


class LinesError(ValueError):
    """The JSON body is not a list of demand lines; ``fields`` names each problem."""

    def __init__(self, fields: dict[str, str]) -> None:
        """Keep the field-level messages."""
        super().__init__("invalid demand lines")
        self.fields = fields


def lines_to_sheet(body: object) -> bytes:
    """``{"lines": [{item, last_year_use, committed, preferred_brand?, reason?}, …]}`` as a sheet."""
    if not isinstance(body, dict) or not isinstance(body.get("lines"), list) or not body["lines"]:
        raise LinesError({"lines": "需要非空的 lines 数组 / a non-empty lines array is required"})
    if len(body["lines"]) > 10_000:
        raise LinesError({"lines": "一次最多 10000 行 / at most 10,000 lines per request"})
    wb = Workbook()
    ws = wb.active
    ws.title = "报量"
    ws.append(HEADER)
    problems: dict[str, str] = {}
    for n, line in enumerate(body["lines"]):
        if not isinstance(line, dict) or set(line) - set(KEYS):
            problems[f"lines[{n}]"] = f"须为含 {', '.join(KEYS)} 的对象 / an object with {', '.join(KEYS)}"
            continue
        values = []
        for key in KEYS:
            value = line.get(key)
            if isinstance(value, bool) or isinstance(value, float) or isinstance(value, (dict, list)):
                problems[f"lines[{n}].{key}"] = "须为整数或文本 / must be an integer or text"
                value = None
            values.append(value)
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # the client's text stays text ("=…" is not a formula)
    if problems:
        raise LinesError(problems)
    return save(wb, verbatim=("报量",))  # the client's own lines, read back by the demand reader


def field_of(row: int, column: str) -> str:
    """The JSON field path of a sheet error (row 2 = lines[0])."""
    key = {"品种编码": "item", "上年用量": "last_year_use", "承诺年采购量": "committed", "意向品牌": "preferred_brand",
           "原因": "reason"}
    name = next((v for k, v in key.items() if column.startswith(k)), "")
    index = row - FIRST_ROW
    return f"lines[{index}].{name}" if name and index >= 0 else "lines"
