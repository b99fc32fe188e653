"""Cell value normalisation: forgiving where the intent is clear, an error where it is not.

Accepted and normalised: surrounding spaces (incl. full-width and non-breaking), full-width
digits and letters (``１２３`` → ``123``), thousands separators in the usual 3-digit groups
(``1,200`` / ``1，200``), numbers stored as text, whole floats (``1200.0`` → ``1200``).
Numbers are read as Excel shows them: to 15 significant digits (:func:`excel_number`), so the
floating-point residue of a formula (``=2700*1.1`` is stored as ``2970.0000000000005``) is the
2970 the user sees, before any whole-number or decimal check.
Refused with a reason: decimals where whole units are required, negatives, dates or times
where a number is expected (Excel shows a date when a number cell is formatted as a date),
TRUE/FALSE, Excel error values, text that is not a number.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import StrEnum

_SPACES = "\u3000\u00a0\u200b\ufeff\u2002\u2003\u2009 \t\r\n"
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
MAX_COUNT = 10**12
MAX_TEXT = 1000
"""Longest text a text or code cell may hold (Excel allows 32,767): longer is an error, so rows
and error messages stay small whatever a sheet holds."""
_BRIEF = 60


class CellKind(StrEnum):
    """How a column's cells are read."""

    TEXT = "text"
    CODE = "code"
    COUNT = "count"
    DECIMAL = "decimal"


class CellValueError(ValueError):
    """A cell value that cannot be normalised; carries the reason in Chinese and English."""

    def __init__(self, zh: str, en: str, code: str = "invalid") -> None:
        """Keep both messages and a short machine code."""
        super().__init__(f"{zh} / {en}")
        self.zh, self.en, self.code = zh, en, code


def excel_number(value: float) -> Decimal:
    """A finite float as Excel shows it: rounded to 15 significant digits (Excel's precision)."""
    return Decimal(format(value, ".15g"))


def is_blank(value: object) -> bool:
    """True for empty cells and cells holding only spaces."""
    return value is None or value == "" or (type(value) is str and not value.strip(_SPACES))


def brief(value: object) -> str:
    """The value as text for a message, cut to a few dozen characters."""
    text = as_text(value)
    return text if len(text) <= _BRIEF else text[:_BRIEF] + "…"


def as_text(value: object) -> str:
    """The value as the user would read it, for error messages and summaries."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float) and math.isfinite(value):
        shown = excel_number(value)
        return str(int(shown)) if shown == shown.to_integral_value() and abs(shown) < 10**15 else format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != dt.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def clean_text(value: object) -> str | None:
    """Free text: surrounding spaces removed, compatibility characters folded; blank → None."""
    if type(value) is str and value.isascii():
        return value.strip() or None  # fast path: nothing to fold
    if is_blank(value):
        return None
    text = unicodedata.normalize("NFKC", as_text(value)).strip(_SPACES)
    return text or None


def clean_code(value: object) -> str | None:
    """A code (hospital, item, brand): like text, upper-cased, inner spaces refused."""
    text = clean_text(value)
    if text is None:
        return None
    if len(text.split(maxsplit=1)) > 1:
        raise CellValueError(f"编码「{text}」中含有空格", f"code '{text}' contains spaces", "bad_code")
    return text.upper()


def _date_error(value: object) -> CellValueError:
    """The error for a date or time where a number is expected (naming the Excel serial too)."""
    shown = serial_zh = serial_en = as_text(value)
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        serial = (day - dt.date(1899, 12, 30)).days
        serial_zh, serial_en = f"{shown}（序列值 {serial}）", f"{shown} (serial {serial})"
    return CellValueError(
        f"应填数字，但单元格是日期/时间「{serial_zh}」（可能设成了日期格式）",
        f"expected a number but the cell holds the date/time '{serial_en}' (formatted as a date?)",
        "date_not_number",
    )


def parse_decimal(value: object) -> Decimal | None:
    """A number from a cell (float, int or text); blank → None; anything else → CellValueError."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellValueError(f"应填数字，不能是「{as_text(value)}」", f"expected a number, not '{as_text(value)}'", "not_number")
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise _date_error(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellValueError(f"数值无效「{value}」", f"invalid number '{value}'", "not_number")
        return excel_number(value)
    if isinstance(value, str) and len(value) > 100:
        raise CellValueError(f"「{brief(value)}」不是数字", f"'{brief(value)}' is not a number", "not_number")
    text = unicodedata.normalize("NFKC", str(value)).strip(_SPACES)
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    raise CellValueError(f"「{brief(value)}」不是数字", f"'{brief(value)}' is not a number", "not_number")


def parse_count(value: object) -> int | None:
    """A whole, non-negative count of minimal units; blank → None."""
    if type(value) is float and value.is_integer() and 0 <= value <= MAX_COUNT:
        return int(value)  # fast path: calamine returns numbers as floats
    number = parse_decimal(value)
    if number is None:
        return None
    shown = brief(as_text(value).strip(_SPACES))
    if number < 0:
        raise CellValueError(f"数量不能为负数：「{shown}」", f"volume cannot be negative: '{shown}'", "negative")
    if number != number.to_integral_value():
        raise CellValueError(
            f"数量须为整数（最小单位，如片/支/个），不能是「{shown}」",
            f"volume must be a whole number of minimal units (tablets, vials, pieces), not '{shown}'",
            "not_whole",
        )
    if number > MAX_COUNT:
        raise CellValueError(f"数量过大：「{shown}」", f"volume too large: '{shown}'", "too_large")
    try:
        return int(number)
    except (InvalidOperation, OverflowError, ValueError) as exc:  # pragma: no cover - guarded above
        raise CellValueError(f"「{shown}」不是数字", f"'{shown}' is not a number", "not_number") from exc


def normalise_cell(value: object, kind: CellKind) -> object:
    """Normalise one cell for its column kind; blank → None; bad → CellValueError."""
    if value is None or value == "":
        return None
    if kind is CellKind.COUNT:
        return parse_count(value)
    if kind is CellKind.DECIMAL:
        number = parse_decimal(value)
        if number is not None and number < 0:
            raise CellValueError(f"不能为负数：「{brief(value)}」", f"cannot be negative: '{brief(value)}'", "negative")
        return number
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta) and kind is CellKind.CODE:
        raise CellValueError(f"编码不能是日期「{as_text(value)}」", f"a code cannot be the date '{as_text(value)}'", "date_not_code")
    if type(value) is str and len(value) > MAX_TEXT:
        raise CellValueError(f"文本过长（{len(value)} 个字符，最多 {MAX_TEXT} 个）", f"text too long ({len(value)} characters, at most {MAX_TEXT})", "too_long")
    if kind is CellKind.CODE:
        return clean_code(value)
    return clean_text(value)
