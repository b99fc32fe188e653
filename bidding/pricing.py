"""Unit comparable price (单位可比价) with differential pricing (差比价), and bid validation.

``ucp = pack_price / units_per_pack / factor ** log2(strength / rep_strength)`` (NDRC
发改价格〔2011〕2452号; ``factor`` is the batch setting ``strength_factor``, default 1.7).
The pack size is divided out linearly. Prices are ``price_e4`` integers (1/10000 yuan).

Exactness: when the strength ratio is a power of two (the usual 2×, ½, 4× specifications)
the multiplier ``factor ** k`` is computed exactly as a fraction; otherwise
``exp(ln(ratio) / ln 2 · ln factor)`` (= ``ratio ** log2(factor)``) to 60 significant digits
with ``decimal``'s correctly rounded ``ln``/``exp``. The quotient is then rounded **half up**
to an integer price_e4, once. Nothing passes through a float.

Tiers ("if awarded at least V units, the unit price is p") are entered like the base price,
as a **pack price of the offered specification**, and converted with the same formula; all
comparisons (maximum valid price, tier against base, tier against tier) use the rounded UCP.
Volumes (capacity, tier thresholds) are whole minimal units as the batch item counts demand.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum
from fractions import Fraction

from core.money import MoneyError, parse_price_e4, round_half_up_div

DEFAULT_STRENGTH_FACTOR = Decimal("1.7")
DEFAULT_MAX_TIERS = 5
_CTX = Context(prec=60, rounding=ROUND_HALF_EVEN)
_MAX_MAGNITUDE, _MAX_DIGITS = 12, 30  # strengths and factors: 1e-12 … 1e12, ≤ 30 digits
_UNIT_ALIASES = {"ug": "μg", "mcg": "μg"}


class Eligibility(StrEnum):
    """The quality declaration a bidder makes for the product it offers."""

    REFERENCE_DRUG = "reference_drug"  # 参比制剂
    CONSISTENCY_GENERIC = "consistency_generic"  # 通过一致性评价仿制药

    @property
    def label_zh(self) -> str:
        """Chinese label for forms and the opening record."""
        return {"reference_drug": "参比制剂", "consistency_generic": "通过一致性评价仿制药"}[self]

    @property
    def label_en(self) -> str:
        """English label."""
        return {"reference_drug": "Reference drug",
                "consistency_generic": "Consistency-evaluated generic"}[self]


class RefusalCode(StrEnum):
    """Why a bid is refused; each code has a Chinese and an English message."""

    WINDOW_NOT_OPEN = "window_not_open"
    WINDOW_CLOSED = "window_closed"
    INVALID_NUMBER = "invalid_number"
    PRICE_NOT_POSITIVE = "price_not_positive"
    UNITS_PER_PACK_NOT_POSITIVE = "units_per_pack_not_positive"
    STRENGTH_NOT_POSITIVE = "strength_not_positive"
    STRENGTH_UNIT_MISMATCH = "strength_unit_mismatch"
    UCP_ROUNDS_TO_ZERO = "ucp_rounds_to_zero"
    ABOVE_MAX_PRICE = "above_max_price"
    CAPACITY_NOT_POSITIVE = "capacity_not_positive"
    ELIGIBILITY_MISSING = "eligibility_missing"
    TOO_MANY_TIERS = "too_many_tiers"
    TIER_VOLUME_NOT_POSITIVE = "tier_volume_not_positive"
    TIER_VOLUME_NOT_INCREASING = "tier_volume_not_increasing"
    TIER_VOLUME_ABOVE_CAPACITY = "tier_volume_above_capacity"
    TIER_PRICE_NOT_POSITIVE = "tier_price_not_positive"
    TIER_PRICE_ABOVE_BASE = "tier_price_above_base"
    TIER_PRICE_RISES = "tier_price_rises"
    SUPPLIER_BARRED = "supplier_barred"


_MESSAGES: dict[RefusalCode, tuple[str, str]] = {
    RefusalCode.WINDOW_NOT_OPEN: ("申报尚未开始（开始时间 {opens_at}）",
                                  "Bidding has not opened yet (opens {opens_at})"),
    RefusalCode.WINDOW_CLOSED: ("申报已截止（截止时间 {deadline}）",
                                "The bidding deadline has passed ({deadline})"),
    RefusalCode.INVALID_NUMBER: ("{field} 不是有效数值：{value}", "{field} is not a valid number: {value}"),
    RefusalCode.PRICE_NOT_POSITIVE: ("包装价格必须大于 0", "The pack price must be greater than zero"),
    RefusalCode.UNITS_PER_PACK_NOT_POSITIVE: ("包装数量必须为正整数",
                                              "Units per pack must be a positive whole number"),
    RefusalCode.STRENGTH_NOT_POSITIVE: ("{field} 必须大于 0", "{field} must be greater than zero"),
    RefusalCode.STRENGTH_UNIT_MISMATCH: (
        "规格单位 {unit} 与代表规格单位 {rep_unit} 不一致",
        "Strength unit {unit} differs from the representative specification's unit {rep_unit}"),
    RefusalCode.UCP_ROUNDS_TO_ZERO: ("单位可比价不足 ¥0.0001", "The unit comparable price is below ¥0.0001"),
    RefusalCode.ABOVE_MAX_PRICE: (
        "单位可比价 {ucp} 高于最高有效申报价 {max}",
        "The unit comparable price {ucp} is above the maximum valid bid price {max}"),
    RefusalCode.CAPACITY_NOT_POSITIVE: ("供应能力必须为正整数（最小单位）",
                                        "Supply capacity must be a positive whole number of units"),
    RefusalCode.ELIGIBILITY_MISSING: ("请声明参比制剂或通过一致性评价仿制药",
                                      "Declare a reference drug or a consistency-evaluated generic"),
    RefusalCode.TOO_MANY_TIERS: ("价格阶梯最多 {max} 档", "At most {max} price tiers"),
    RefusalCode.TIER_VOLUME_NOT_POSITIVE: ("第 {n} 档：起始量必须为正整数",
                                           "Tier {n}: the volume must be a positive whole number"),
    RefusalCode.TIER_VOLUME_NOT_INCREASING: (
        "第 {n} 档：起始量必须大于上一档", "Tier {n}: the volume must exceed the previous tier's"),
    RefusalCode.TIER_VOLUME_ABOVE_CAPACITY: ("第 {n} 档：起始量超过供应能力",
                                             "Tier {n}: the volume exceeds the supply capacity"),
    RefusalCode.TIER_PRICE_NOT_POSITIVE: ("第 {n} 档：价格必须大于 0",
                                          "Tier {n}: the price must be greater than zero"),
    RefusalCode.TIER_PRICE_ABOVE_BASE: (
        "第 {n} 档：单位可比价 {ucp} 高于基础报价 {base}",
        "Tier {n}: the unit comparable price {ucp} is above the base price {base}"),
    RefusalCode.TIER_PRICE_RISES: ("第 {n} 档：价格高于上一档（量大价不得升）",
                                   "Tier {n}: the price is higher than the previous tier's"),
    RefusalCode.SUPPLIER_BARRED: (
        "贵公司医药价格和招采信用评价为“{grade_zh}”（评价编号 {reference}，有效期至 {until}），{effect_zh}，不能申报",
        "Your company's price and procurement credit rating is {grade_en} (rating {reference}, valid until "
        "{until}): {effect_en}; the bid is refused"),
}


@dataclass(frozen=True)
class Refusal:
    """One reason a bid is refused: a stable code, messages, and the field it concerns."""

    code: RefusalCode
    message_zh: str
    message_en: str
    field: str | None = None
    tier: int | None = None  # 1-based tier number, for tier reasons


def refusal(code: RefusalCode, field: str | None = None, tier: int | None = None,
            **params: object) -> Refusal:
    """Build a refusal, filling the message templates with ``params`` (and ``n`` = tier)."""
    zh, en = _MESSAGES[code]
    values = {"n": tier, "field": field, **params}
    return Refusal(code, zh.format(**values), en.format(**values), field, tier)


class PricingError(ValueError):
    """An input the UCP formula cannot take; carries the refusal that explains it."""

    def __init__(self, reason: Refusal) -> None:
        """Keep the refusal (code, zh, en) for forms and the opening record."""
        super().__init__(reason.message_en)
        self.reason = reason


@dataclass(frozen=True)
class Strength:
    """Content per minimal unit, e.g. ``Strength(Decimal("20"), "mg")``."""

    amount: Decimal
    unit: str


def normalise_unit(unit: str | None) -> str:
    """Canonical spelling of a strength unit: NFKC, trimmed, case-folded, μg aliases joined."""
    if not isinstance(unit, str):
        return ""
    text = unicodedata.normalize("NFKC", unit).strip().casefold()
    return _UNIT_ALIASES.get(text, text)


def _positive_decimal(value: object, field: str) -> Decimal:
    """A finite Decimal (or int) > 0; floats, booleans and text are refused."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise PricingError(refusal(RefusalCode.INVALID_NUMBER, field, value=repr(value)))
    dec = Decimal(value)
    if not dec.is_finite() or dec and (abs(dec.adjusted()) > _MAX_MAGNITUDE
                                       or len(dec.as_tuple().digits) > _MAX_DIGITS):
        raise PricingError(refusal(RefusalCode.INVALID_NUMBER, field, value=repr(value)))
    if dec <= 0:
        raise PricingError(refusal(RefusalCode.STRENGTH_NOT_POSITIVE, field))
    return dec


def _exact_log2(ratio: Fraction) -> int | None:
    """``k`` when ``ratio == 2 ** k`` for an integer ``k``, else ``None``."""
    num, den = ratio.numerator, ratio.denominator
    if den == 1 and num & (num - 1) == 0:
        return num.bit_length() - 1
    if num == 1 and den & (den - 1) == 0:
        return 1 - den.bit_length()
    return None


def strength_multiplier(strength: Strength, rep_strength: Strength,
                        factor: Decimal = DEFAULT_STRENGTH_FACTOR) -> Fraction:
    """``factor ** log2(strength / rep_strength)``: exact for power-of-two ratios.

    Raises :class:`PricingError` for non-positive or non-decimal strengths, mismatched units
    and a factor that is not a positive Decimal.
    """
    for name, value in (("strength", strength), ("rep_strength", rep_strength)):
        if not isinstance(value, Strength):
            raise PricingError(refusal(RefusalCode.INVALID_NUMBER, name, value=repr(value)))
    amount = _positive_decimal(strength.amount, "strength")
    rep_amount = _positive_decimal(rep_strength.amount, "rep_strength")
    fac = _positive_decimal(factor, "strength_factor")
    if normalise_unit(strength.unit) != normalise_unit(rep_strength.unit):
        raise PricingError(refusal(RefusalCode.STRENGTH_UNIT_MISMATCH, "strength_unit",
                                   unit=strength.unit, rep_unit=rep_strength.unit))
    ratio = Fraction(amount) / Fraction(rep_amount)
    exponent = _exact_log2(ratio)
    if exponent is not None and abs(exponent) <= 64:
        return Fraction(fac) ** exponent
    ln_ratio = _CTX.ln(_CTX.divide(Decimal(ratio.numerator), Decimal(ratio.denominator)))
    log2_ratio = _CTX.divide(ln_ratio, _CTX.ln(Decimal(2)))
    return Fraction(_CTX.exp(_CTX.multiply(log2_ratio, _CTX.ln(fac))))


def pack_price_e4(pack_price: int | Decimal | str, field: str = "pack_price") -> int:
    """A pack price as price_e4: an ``int`` is already price_e4, Decimal/str are yuan (≤ 4 dp)."""
    if isinstance(pack_price, bool) or not isinstance(pack_price, int | Decimal | str):
        raise PricingError(refusal(RefusalCode.INVALID_NUMBER, field, value=repr(pack_price)))
    if isinstance(pack_price, int):
        return pack_price
    try:
        return parse_price_e4(pack_price)
    except MoneyError as exc:
        raise PricingError(refusal(RefusalCode.INVALID_NUMBER, field, value=repr(pack_price))) from exc


def ucp_from_multiplier(price_e4: int, units_per_pack: int, multiplier: Fraction) -> int:
    """``price_e4 / units_per_pack / multiplier`` rounded half up to an integer price_e4."""
    quotient = Fraction(price_e4) / (units_per_pack * multiplier)
    return round_half_up_div(quotient.numerator, quotient.denominator)


def check_units_per_pack(units_per_pack: object) -> int:
    """Units per pack as given, when it is an int > 0; else :class:`PricingError`."""
    if isinstance(units_per_pack, bool) or not isinstance(units_per_pack, int) or units_per_pack <= 0:
        raise PricingError(refusal(RefusalCode.UNITS_PER_PACK_NOT_POSITIVE, "units_per_pack"))
    return units_per_pack


def unit_comparable_price_e4(pack_price: int | Decimal | str, units_per_pack: int,
                             strength: Strength, rep_strength: Strength,
                             factor: Decimal = DEFAULT_STRENGTH_FACTOR) -> int:
    """The unit comparable price in price_e4 of one pack price (see the module docstring).

    ``pack_price``: int price_e4, or yuan as Decimal/str. Raises :class:`PricingError`.
    """
    price = pack_price_e4(pack_price)
    if price <= 0:
        raise PricingError(refusal(RefusalCode.PRICE_NOT_POSITIVE, "pack_price"))
    units = check_units_per_pack(units_per_pack)
    return ucp_from_multiplier(price, units, strength_multiplier(strength, rep_strength, factor))
