"""The one formatter: how money, prices, quantities, percentages, strengths and times look,
on pages (text) and in workbooks (numbers with a number format).

Pages call the text functions through the Jinja filters registered in ``web/setup.py``
(``yuan``, ``price``, ``qty``, ``pct``, ``decimal``, ``strength``, ``spec``, ``dt``, ``d``);
exports wrap values in :class:`Cell` (``yuan_cell``, ``price_cell``, ``qty_cell``, ``pct_cell``,
``date_cell``, ``datetime_cell``), which ``core.export.workbook_bytes`` writes as numbers or dates
with the format given here. Nothing here knows Flask; money never passes through a float.

Conventions (quality.md §6): ``¥1,234.56``; unit prices ``¥0.1234``; quantities ``9,000``;
strengths ``20mg×7`` (a plain decimal: never ``2E+1``, no trailing zeros); dates ``2026-11-22``
and times in the bureau's zone (Asia/Shanghai).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from core.money import fen_to_decimal, format_price_e4, format_yuan, price_e4_to_decimal

DASH = "—"
DEFAULT_ZONE = "Asia/Shanghai"

#: Excel number formats, one per kind of value.
YUAN_FORMAT = "¥#,##0.00"
PRICE_FORMAT = "¥#,##0.0000"
QTY_FORMAT = "#,##0"
PCT_FORMAT = "0.##%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def plain_decimal(value: Decimal | int | str | None) -> str:
    """A decimal as people write it: no exponent, no trailing zeros (``2E+1`` → ``20``,
    ``1.5E+2`` → ``150``, ``0.50`` → ``0.5``, ``1E+3`` → ``1000``, ``-0`` → ``0``)."""
    if value is None or value == "":
        return ""
    dec = value if isinstance(value, Decimal) else Decimal(str(value))
    if not dec.is_finite():
        return str(dec)
    if dec == dec.to_integral_value():
        return str(int(dec))
    text = format(dec, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def strength(value: Decimal | int | str | None, unit: str = "") -> str:
    """A strength with its unit: ``20mg``, ``0.5g`` (empty when there is no strength)."""
    shown = plain_decimal(value)
    return f"{shown}{unit}" if shown else ""


def pack_spec(value: Decimal | int | str | None, unit: str, units_per_pack: int | None) -> str:
    """A pack specification: strength × units per pack, ``20mg×7``."""
    head = strength(value, unit) or unit
    return f"{head}×{units_per_pack}" if units_per_pack is not None else head


_EXPONENT = re.compile(r"\d+(?:\.\d+)?E[+-]?\d+")


def spec_text(stored: str | None) -> str:
    """A stored specification text with any number in scientific notation written plainly
    (contracts published before the fix hold ``2E+1mg×7``; shown as ``20mg×7``)."""
    return _EXPONENT.sub(lambda m: plain_decimal(Decimal(m.group(0))), stored or "")


def qty(value: int | Decimal | None) -> str:
    """A quantity with thousands separators: ``9,000`` (decimals shown plainly: ``1,234.5``)."""
    if value is None or value == "":
        return DASH
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    dec = Decimal(str(value)) if not isinstance(value, Decimal) else value
    whole, _, frac = plain_decimal(dec).partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{grouped}.{frac}" if frac else f"{sign}{grouped}"


def pct(ratio: Decimal | int | str | None) -> str:
    """A ratio as a percentage without trailing zeros: ``0.5`` → ``50%``, ``0.125`` → ``12.5%``."""
    if ratio is None or ratio == "":
        return DASH
    dec = ratio if isinstance(ratio, Decimal) else Decimal(str(ratio))
    return f"{plain_decimal(dec * 100)}%"


def gap(value: object) -> str:
    """A solver's relative optimality gap as a percentage: ``3.2e-07`` → ``<0.0001%``, ``0.0125`` → ``1.25%``."""
    if value is None or value == "":
        return DASH
    dec = Decimal(str(value))
    shown = (dec * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if shown == 0 and dec > 0:
        return "<0.0001%"
    return f"{plain_decimal(shown)}%"


def yuan(fen: int | None) -> str:
    """An amount in fen as ``¥1,234.56`` (— when absent)."""
    return format_yuan(fen) if fen is not None else DASH


def price(price_e4: int | None) -> str:
    """A unit price in 1/10000 yuan as ``¥0.1234`` (— when absent)."""
    return format_price_e4(price_e4) if price_e4 is not None else DASH


def yuan_text(value: Decimal | str | None, places: int = 2) -> str:
    """A yuan amount already written as a decimal (JSON results carry ``"777202.99"``), in the
    one format: ``¥777,202.99``; ``places=4`` for unit prices (``¥0.1300``). Rounds half up."""
    if value is None or value == "":
        return DASH
    dec = value if isinstance(value, Decimal) else Decimal(str(value))
    scaled = int((dec * 10 ** places).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), 10 ** places)
    return f"{sign}¥{whole:,}.{frac:0{places}d}" if places else f"{sign}¥{whole:,}"


def price_text(value: Decimal | str | None) -> str:
    """A unit price written as a decimal string, as ``¥0.1300``."""
    return yuan_text(value, 4)


def local_datetime(value: datetime | None, tz_name: str = DEFAULT_ZONE, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware time in the bureau's zone: ``2026-12-01 17:00``."""
    return value.astimezone(ZoneInfo(tz_name)).strftime(fmt) if value else DASH


def local_date(value: date | None) -> str:
    """A date: ``2026-11-22``."""
    return value.strftime("%Y-%m-%d") if value else DASH


@dataclass(frozen=True)
class Cell:
    """A workbook value with its Excel number format (a number or a date, never text)."""

    value: Decimal | int | date | datetime | None
    number_format: str


def yuan_cell(fen: int | None) -> Cell:
    """An amount in fen as a yuan number formatted ``¥#,##0.00``."""
    return Cell(fen_to_decimal(fen) if fen is not None else None, YUAN_FORMAT)


def price_cell(price_e4: int | None) -> Cell:
    """A unit price as a yuan number formatted ``¥#,##0.0000``."""
    return Cell(price_e4_to_decimal(price_e4) if price_e4 is not None else None, PRICE_FORMAT)


def qty_cell(value: int | None) -> Cell:
    """A whole quantity formatted ``#,##0``."""
    return Cell(value, QTY_FORMAT)


def pct_cell(ratio: Decimal | None) -> Cell:
    """A ratio (0.5) shown as a percentage (50%)."""
    return Cell(ratio, PCT_FORMAT)


def date_cell(value: date | None) -> Cell:
    """A date shown ``yyyy-mm-dd``."""
    return Cell(value, DATE_FORMAT)


def datetime_cell(value: datetime | None, tz_name: str = DEFAULT_ZONE) -> Cell:
    """An aware time as a local (naive: Excel has no zones) time in the bureau's zone."""
    local = value.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None) if value else None
    return Cell(local, DATETIME_FORMAT)
