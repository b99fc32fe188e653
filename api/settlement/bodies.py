"""JSON bodies and query strings of the settlement endpoints, read into domain inputs.

Pure: plain data in, domain inputs out, or a :class:`FieldsError` naming every bad field (the
API answers it with 422 and writes nothing). Quantities and ids are JSON integers — a float
(even ``12.0``), a boolean or text is refused, as the demand lines refuse them; dates are ISO
``YYYY-MM-DD``; text has no control characters. Whether a well-formed request is allowed
(contract signed, quantity still open, dates in range …) is the settlement domain's decision:
:func:`refusal_fields` maps its refusals onto the request's fields.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from core.inputs import MAX_INT
from settlement.execution.deliveries import MAX_QUANTITY, MONTH_RE, DeliveryInput

MAX_LINES = 20_000  # a supplier's day of deliveries in one request
MAX_IDS = 10_000
MAX_ID = MAX_INT  # ids are 32-bit serials: anything larger is unknown without asking
MAX_LIMIT = 1_000
DELIVERY_KEYS = ("contract", "quantity", "shipped_on", "supplier_ref")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Which request field a domain refusal is about, by the words of its Chinese message.
ACCEPT_FIELDS = (("日期", "accepted_on"), ("数量", "quantity"))
RETURN_FIELDS = (("日期", "returned_on"), ("数量", "quantity"), ("原因", "reason"))
APPLY_FIELDS = (("月份", "month"),)
RECONCILE_FIELDS = (("原因", "reason"), ("请选择", "lines"))
LINE_FIELDS = (("日期", "shipped_on"), ("数量", "quantity"), ("单号", "supplier_ref"))


class FieldsError(ValueError):
    """A request refused before any write: ``fields`` maps each field path to its message."""

    def __init__(self, code: str, message: str, fields: dict[str, str]) -> None:
        """Keep the error code, the summary and the field-level messages."""
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields


@dataclass(frozen=True)
class DeliveryFilter:
    """``GET /deliveries`` options."""

    batch: str | None = None
    open_only: bool = False
    limit: int = 100
    before: int | None = None


class _Reader:
    """Reads fields of JSON objects, collecting one message per bad field."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def whole(self, value: object, path: str, high: int = MAX_QUANTITY) -> int | None:
        """A required JSON integer from 1 to ``high``."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fields[path] = "须为整数（不接受小数、文本或布尔值） / must be a JSON integer (no decimals, text or booleans)"
            return None
        if not 0 < value <= high:
            self.fields[path] = f"须在 1 到 {high} 之间 / must be 1 to {high}"
            return None
        return value

    def day(self, obj: dict, key: str, path: str) -> date | None:
        """A required ISO date ``YYYY-MM-DD``."""
        value = obj.get(key)
        if isinstance(value, str) and DATE_RE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fields[path] = "须为有效日期 YYYY-MM-DD / must be a valid date like 2026-10-03"
        return None

    def text(self, obj: dict, key: str, path: str, max_len: int, *, required: bool = False) -> str:
        """Text of at most ``max_len`` characters (trimmed; ``null`` or absent is empty)."""
        value = obj.get(key)
        if value is None and not required:
            return ""
        problem = text_problem(value, max_len)
        if problem is None and required and not value.strip():
            problem = "不能为空 / must not be empty"
        if problem:
            self.fields[path] = problem
            return ""
        return value.strip()

    def done(self, code: str, message: str) -> None:
        """Raise the collected problems, if any."""
        if self.fields:
            raise FieldsError(code, message, self.fields)


def text_problem(value: object, max_len: int) -> str | None:
    """Why ``value`` is not acceptable text, or None."""
    if not isinstance(value, str):
        return "须为文本 / must be a string"
    if len(value) > max_len:
        return f"最长 {max_len} 个字符 / at most {max_len} characters"
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        return "含有控制字符或无效字符 / contains control or invalid characters"
    return None


def _object(body: object, keys: tuple[str, ...]) -> dict:
    """The body as an object with only known keys, else a FieldsError."""
    if not isinstance(body, dict):
        raise FieldsError("invalid_body", "请求体须为 JSON 对象 / the body must be a JSON object",
                          {"body": f"须为含 {', '.join(keys)} 的对象 / an object with {', '.join(keys)}"})
    unknown = sorted(str(k) for k in set(body) - set(keys))
    if unknown:
        raise FieldsError("invalid_body", "请求体含未知字段 / the body has unknown fields",
                          {k[:60]: "未知字段 / unknown field" for k in unknown[:20]})
    return body


def delivery_lines(body: object) -> list[DeliveryInput]:
    """``{"lines": [{contract, quantity, shipped_on, supplier_ref?}, …]}`` as delivery inputs."""
    if not isinstance(body, dict) or not isinstance(body.get("lines"), list) or not body["lines"]:
        raise FieldsError("invalid_lines", "发货数据无效 / invalid delivery lines",
                          {"lines": "需要非空的 lines 数组 / a non-empty lines array is required"})
    if len(body["lines"]) > MAX_LINES:
        raise FieldsError("invalid_lines", "发货数据无效 / invalid delivery lines",
                          {"lines": f"一次最多 {MAX_LINES} 行 / at most {MAX_LINES:,} lines per request"})
    read, out = _Reader(), []
    for n, line in enumerate(body["lines"]):
        at = f"lines[{n}]"
        if not isinstance(line, dict) or set(line) - set(DELIVERY_KEYS):
            read.fields[at] = f"须为含 {', '.join(DELIVERY_KEYS)} 的对象 / an object with {', '.join(DELIVERY_KEYS)}"
            continue
        contract = read.text(line, "contract", f"{at}.contract", 60, required=True)
        quantity = read.whole(line.get("quantity"), f"{at}.quantity")
        shipped_on = read.day(line, "shipped_on", f"{at}.shipped_on")
        ref = read.text(line, "supplier_ref", f"{at}.supplier_ref", 60)
        if contract and quantity is not None and shipped_on is not None:
            out.append(DeliveryInput(contract, quantity, shipped_on, ref))
    read.done("invalid_lines", "发货数据无效，未记录任何发货 / invalid delivery lines; nothing was recorded")
    return out


def line_fields(lines: list[DeliveryInput], known_contracts: set[str],
                problems: list[tuple[int, str]]) -> dict[str, str]:
    """The domain's refusals of delivery lines, by line index and field."""
    fields: dict[str, str] = {}
    for n, why in problems:
        if lines[n].contract_code not in known_contracts:
            name = "contract"
        else:
            name = next((f for word, f in LINE_FIELDS if word in why.split("/")[0]), "")
        fields[f"lines[{n}].{name}" if name else f"lines[{n}]"] = why
    return fields


def acceptance(body: object) -> tuple[int, date]:
    """``{quantity, accepted_on}``."""
    obj = _object(body, ("quantity", "accepted_on"))
    read = _Reader()
    quantity, on = read.whole(obj.get("quantity"), "quantity"), read.day(obj, "accepted_on", "accepted_on")
    read.done("invalid_body", "验收数据无效 / invalid acceptance")
    return quantity, on


def goods_return(body: object) -> tuple[int, date, str]:
    """``{quantity, returned_on, reason}``."""
    obj = _object(body, ("quantity", "returned_on", "reason"))
    read = _Reader()
    quantity, on = read.whole(obj.get("quantity"), "quantity"), read.day(obj, "returned_on", "returned_on")
    reason = read.text(obj, "reason", "reason", 200, required=True)
    read.done("invalid_body", "退货数据无效 / invalid return")
    return quantity, on, reason


def application(body: object) -> str:
    """``{month: "YYYY-MM"}``."""
    obj = _object(body, ("month",))
    if not isinstance(obj.get("month"), str) or not MONTH_RE.match(obj["month"]):
        raise FieldsError("invalid_body", "结算申请无效 / invalid settlement application",
                          {"month": "须为 YYYY-MM 格式的月份 / must be a month like 2026-10"})
    return obj["month"]


def reconciliation(body: object) -> tuple[list[int], bool, str]:
    """``{lines: [acceptance ids], confirm: bool, reason?}``."""
    obj = _object(body, ("lines", "confirm", "reason"))
    read = _Reader()
    ids = obj.get("lines")
    if not isinstance(ids, list) or not 0 < len(ids) <= MAX_IDS:
        read.fields["lines"] = f"须为 1 到 {MAX_IDS} 个验收明细编号的数组 / an array of 1 to {MAX_IDS:,} acceptance ids"
        ids = []
    for n, pk in enumerate(ids):
        read.whole(pk, f"lines[{n}]", MAX_ID)
    if not isinstance(obj.get("confirm"), bool):
        read.fields["confirm"] = "须为 true（确认）或 false（异议） / must be true (confirm) or false (dispute)"
    reason = read.text(obj, "reason", "reason", 200)
    read.done("invalid_body", "对账数据无效 / invalid reconciliation")
    return ids, obj["confirm"], reason


def delivery_filter(args: Mapping[str, str]) -> DeliveryFilter:
    """``batch`` (a code), ``open`` (true/false), ``limit`` (1–1000, default 100) and ``before``
    (an id: the next page of the newest-first list)."""
    fields: dict[str, str] = {}
    flag = args.get("open", "false").lower()
    if flag not in ("true", "false", "1", "0"):
        fields["open"] = "须为 true 或 false / must be true or false"
    numbers = {}
    for key, default, high in (("limit", "100", MAX_LIMIT), ("before", None, MAX_ID)):
        raw = args.get(key, default)
        if raw is None:
            continue
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= high):
            fields[key] = f"须为 1 到 {high} 的整数 / must be a whole number from 1 to {high}"
        else:
            numbers[key] = int(raw)
    if fields:
        raise FieldsError("invalid_query", "查询参数无效 / invalid query parameters", fields)
    return DeliveryFilter(args.get("batch") or None, flag in ("true", "1"), numbers["limit"], numbers.get("before"))


def refusal_fields(message: str, table: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The request field a domain refusal names (``{field: message}``), or ``{}`` when it is
    about the state of things rather than a value the client sent."""
    chinese = message.split("/")[0]
    name = next((f for word, f in table if word in chinese), None)
    return {name: message} if name else {}
