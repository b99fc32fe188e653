"""Exact money: never a float.

Conventions used across the platform:

* **Amounts** (what is paid, deducted, advanced) are integers of **fen** (1/100 yuan).
* **Unit prices** (bid prices, unit comparable prices, contract prices) are integers of
  **1/10000 yuan**, called ``price_e4`` in code and columns (``12345`` = ¥1.2345).
* At the edges (forms, JSON, Excel) money travels as decimal strings; conversion in and out
  happens here, with explicit half-up rounding where rounding is allowed at all.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core.i18n import N_

FEN = Decimal("0.01")
E4 = Decimal("0.0001")
MAX_YUAN_DIGITS = 14  # below 10^14 yuan: 1/10000-yuan integers stay inside 64 bits (and 1e309 is refused)


class MoneyError(ValueError):
    """A value that cannot be read as money (not a number, too many decimals, a float); its
    message is a ``core.i18n`` msgid, shown in the reader's language."""


def _shown(value: object) -> str:
    """The refused value as quoted in a message (at most 30 characters)."""
    return repr(str(value)[:30])


def _as_decimal(value: Decimal | str | int) -> Decimal:
    """Read a Decimal, str or int as a finite Decimal; floats are refused outright."""
    if isinstance(value, float):
        raise MoneyError(N_("money must not be a float"))
    if isinstance(value, bool):
        raise MoneyError(N_("money must not be a boolean"))
    try:
        dec = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(N_("not a number: %(value)s", value=_shown(value))) from exc
    if not dec.is_finite():
        raise MoneyError(N_("not a finite number: %(value)s", value=_shown(value)))
    if dec.adjusted() >= MAX_YUAN_DIGITS:
        raise MoneyError(N_("amount too large: %(value)s", value=_shown(value)))
    return dec


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half up (away from zero on ties), for non-zero denominators."""
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return sign * quotient


def parse_price_e4(value: Decimal | str | int, *, exact: bool = True) -> int:
    """Read a yuan unit price into 1/10000 yuan.

    With ``exact`` (the default for user input) more than four decimals is an error;
    otherwise the value is rounded half up to four decimals.
    """
    dec = _as_decimal(value)
    quantised = dec.quantize(E4, rounding=ROUND_HALF_UP)
    if exact and quantised != dec:
        raise MoneyError(N_("more than 4 decimal places: %(value)s", value=_shown(value)))
    return int(quantised / E4)


def parse_amount_fen(value: Decimal | str | int, *, exact: bool = True) -> int:
    """Read a yuan amount into fen; more than two decimals is an error unless ``exact=False``."""
    dec = _as_decimal(value)
    quantised = dec.quantize(FEN, rounding=ROUND_HALF_UP)
    if exact and quantised != dec:
        raise MoneyError(N_("more than 2 decimal places: %(value)s", value=_shown(value)))
    return int(quantised / FEN)


def price_e4_to_decimal(price_e4: int) -> Decimal:
    """1/10000-yuan integer to a Decimal yuan with exactly four places."""
    return (Decimal(price_e4) * E4).quantize(E4)


def fen_to_decimal(fen: int) -> Decimal:
    """Fen integer to a Decimal yuan with exactly two places."""
    return (Decimal(fen) * FEN).quantize(FEN)


def line_amount_fen(quantity: int, price_e4: int) -> int:
    """Amount in fen of ``quantity`` units at ``price_e4``, rounded half up to the fen."""
    return round_half_up_div(quantity * price_e4, 100)


def format_yuan(fen: int) -> str:
    """Chinese money convention: ``¥1,234.56`` (negative as ``-¥1,234.56``)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def format_price_e4(price_e4: int) -> str:
    """A unit price with its four decimals: ``¥0.1234``."""
    sign = "-" if price_e4 < 0 else ""
    whole, frac = divmod(abs(price_e4), 10000)
    return f"{sign}¥{whole:,}.{frac:04d}"
