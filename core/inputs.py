"""Bounded reading of untrusted values: text, whole numbers, decimals and JSON.

Pure (no Flask): the web layer's input guard (:mod:`web.guard`), the forms and the API bodies
read request values through these helpers instead of bare ``int()``, ``Decimal()`` or
``json.loads()``, so no value reaches the database that it cannot store (a NUL byte, a number
past its column, an exponent of 309) and no parse can exhaust the stack. A refused value raises
:class:`InputError` naming the field; the web layer answers it with 400 (pages) or 422 (API).
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

MAX_INT = 2**31 - 1  # ids and counts are 32-bit integer columns
MAX_JSON_DEPTH = 32
MAX_DIGITS = 18  # digits of a decimal, before and after the point together
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_DECIMAL_RE = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET_RE = re.compile(r"[\[\]{}]")


class InputError(Exception):
    """A request value refused before any handler reads it; ``field`` names it.

    Deliberately not a ``ValueError``: code that catches ``ValueError`` (JSON decoding, form
    coercion) must not swallow it into a vaguer message.
    """

    def __init__(self, field: str, zh: str, en: str) -> None:
        """Keep the field and both language versions of the reason."""
        self.field, self.zh, self.en = field, zh, en
        super().__init__(f"{field}: {zh} / {en}")

    @property
    def fields(self) -> dict[str, str]:
        """``{field: "中文 / English"}``, the API's ``fields`` member."""
        return {self.field: f"{self.zh} / {self.en}"}


def text_problem(value: str, max_len: int) -> tuple[str, str] | None:
    """Why ``value`` cannot be stored as text (zh, en), or None: too long, a NUL or other
    control character (tab and line breaks are text), or an unpaired surrogate."""
    if len(value) > max_len:
        return f"最长 {max_len} 个字符", f"at most {max_len:,} characters"
    for char in value:
        if char in _ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return "含有控制字符（如 NUL）", "contains a control character (such as NUL)"
        if category == "Cs":
            return "含有无效字符", "contains an invalid character"
    return None


def check_text(value: str, field: str, max_len: int) -> str:
    """``value`` unchanged if it is storable text of at most ``max_len`` characters."""
    problem = text_problem(value, max_len)
    if problem:
        raise InputError(field, *problem)
    return value


def whole(raw: object, field: str, low: int = 1, high: int = MAX_INT) -> int:
    """A whole number from ``low`` to ``high``: a JSON integer (not a boolean), or text of ASCII
    digits (surrounding spaces allowed)."""
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and re.fullmatch(r"\s*-?[0-9]{1,12}\s*", raw):
        value = int(raw)
    else:
        value = None
    if value is None:
        raise InputError(field, "须为整数", "must be a whole number")
    if not low <= value <= high:
        raise InputError(field, f"须在 {low} 到 {high} 之间", f"must be from {low} to {high:,}")
    return value


def decimal(raw: object, field: str, *, places: int = 6, max_digits: int = MAX_DIGITS) -> Decimal:
    """A non-negative decimal written plainly (``12``, ``0.5``; no exponent, sign, NaN or
    infinity), with at most ``places`` decimals and ``max_digits`` digits in all."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not _DECIMAL_RE.match(text):
        raise InputError(field, "须为数字，如 12.5", "must be a number such as 12.5")
    whole_part, _dot, fraction = text.partition(".")
    if len(fraction) > places:
        raise InputError(field, f"最多 {places} 位小数", f"at most {places} decimal places")
    if len(whole_part.lstrip("0")) + len(fraction) > max_digits:
        raise InputError(field, f"最多 {max_digits} 位数字", f"at most {max_digits} digits")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # unreachable for text matching the pattern
        raise InputError(field, "须为数字", "must be a number") from exc


def day(raw: date | str | None) -> date | None:
    """A calendar day given as a date or as ISO text (``YYYY-MM-DD``, anything after the tenth
    character ignored, so a datetime's text reads as its day); ``None`` for empty or unreadable
    input — the caller names the field."""
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw or "").strip()[:10]) if raw else None
    except ValueError:
        return None


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON ``text``, counted without parsing it (so
    without recursion); brackets inside strings do not count."""
    depth = deepest = 0
    for bracket in _BRACKET_RE.findall(_STRING_RE.sub('""', text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _bad_string(value: object, path: str, max_len: int) -> InputError | None:
    """The first key or string of a parsed JSON value that is not storable text, iteratively."""
    stack = [(value, path)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item, max_len)
            if problem:
                return InputError(at, *problem)
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = text_problem(key, 200)
                if problem:
                    return InputError(f"{at}.{key[:40]!r}", *problem)
                stack.append((child, f"{at}.{key}" if at != "body" else key))
        elif isinstance(item, list):
            stack.extend((child, f"{at}[{n}]") for n, child in enumerate(item))
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > 2**63 - 1:
            return InputError(at, "数值超出范围", "number out of range")
    return None


def loads_json(data: str | bytes, *, max_depth: int = MAX_JSON_DEPTH, max_text: int = 100_000) -> object:
    """Parse a JSON request body: refused (``field="body"`` or the path of the value) when it
    nests deeper than ``max_depth``, holds a number too large to be finite or stored, or
    a string with a NUL byte. Malformed JSON raises ``ValueError`` as :func:`json.loads` does."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if json_depth(text) > max_depth:
        raise InputError("body", f"嵌套超过 {max_depth} 层", f"nested deeper than {max_depth} levels")
    value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_decimal)
    problem = _bad_string(value, "body", max_text)
    if problem:
        raise problem
    return value


def _no_constant(name: str):
    """``NaN`` and ``Infinity`` are not JSON numbers."""
    raise InputError("body", f"不接受 {name}", f"{name} is not accepted")


def _finite_decimal(text: str) -> float:
    """A JSON number with a fraction or exponent: refused when it has no finite float value
    (``1e309``); handlers see a float, which money fields refuse by type."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise InputError("body", f"数值超出范围：{text[:20]}", f"number out of range: {text[:20]}")
    return value
