"""The payment-standard rules (pure): the settings a derivation uses, and what the fund pays for
one pack of a product on a date.

* ``basis``: ``highest`` — one standard per generic × dosage form (catalog item), the highest
  selected unit comparable price among its winners; ``per_product`` — each winner's own
  selected price is the standard of its product.
* The standard is per minimal unit of the item's representative specification; a product of
  another specification gets it through the platform's differential-pricing rule (差比价:
  × ``strength_factor`` per doubling of content, × units per pack).
* Transition for products priced above the standard (non-selected products of the generic):
  in contract year k after the effective date the fund pays at most ``standard × multiples[k-1]``
  (default 2, then 1.5), the standard itself from the year after the last multiple; a product
  priced below its cap is paid at its actual price.
* Patient / fund split: the fund pays ``min(price, cap) × fund_ratio`` (rounded half up to
  1/10000 yuan); the patient pays the rest of the price — the share within the cap not covered
  by the ratio, plus everything above the cap.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bidding.pricing import PricingError, Strength, strength_multiplier
from core.money import round_half_up_div

BASES = ("highest", "per_product")


class StandardRules(BaseModel):
    """Settings of one derivation (stored with the version)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    basis: str = "highest"
    multiples: tuple[Decimal, ...] = (Decimal("2"), Decimal("1.5"))
    fund_ratio: Decimal = Field(default=Decimal("0.7"), ge=0, le=1)
    strength_factor: Decimal = Field(default=Decimal("1.7"), gt=1, le=4)

    @field_validator("basis")
    @classmethod
    def _basis(cls, value: str) -> str:
        if value not in BASES:
            raise ValueError("basis must be highest or per_product")
        return value

    @field_validator("multiples")
    @classmethod
    def _multiples(cls, value: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
        if len(value) > 10 or any(m < 1 or m > 100 for m in value):
            raise ValueError("each multiple lies between 1 and 100, at most 10 years")
        if list(value) != sorted(value, reverse=True):
            raise ValueError("the multiples step down year by year")
        return value

    def to_json(self) -> str:
        """The settings as stored."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


def parse_rules(text: str | None) -> StandardRules:
    """Stored settings read back (None: the defaults)."""
    return StandardRules.model_validate_json(text) if text else StandardRules()


def transition_year(effective_on: date, on: date) -> int:
    """The contract year after the effective date that ``on`` falls in (1 = the first year;
    0 before the effective date)."""
    if on < effective_on:
        return 0
    years = on.year - effective_on.year
    if (on.month, on.day) < (effective_on.month, effective_on.day):
        years -= 1
    return years + 1


def multiple_for(rules: StandardRules, year: int) -> Decimal:
    """The cap's multiple of the standard in transition year ``year`` (1 from the year after the
    last multiple)."""
    return rules.multiples[year - 1] if 1 <= year <= len(rules.multiples) else Decimal(1)


_SPEC = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zμ]+)", re.I)
_PACK = re.compile(r"^\s*(\d+)")


def spec_strength(spec: str) -> Strength | None:
    """The content per minimal unit a product's specification text starts with (e.g. ``200mg``)."""
    found = _SPEC.match(unicodedata.normalize("NFKC", spec or ""))
    return Strength(Decimal(found.group(1)), found.group(2)) if found else None


def pack_units(pack: str) -> int:
    """The number of minimal units a pack text starts with (``10支/盒`` → 10; none → 1)."""
    found = _PACK.match(unicodedata.normalize("NFKC", pack or ""))
    return max(1, int(found.group(1))) if found else 1


def pack_standard_e4(standard_e4: int, units: int, strength: Strength | None, rep: Strength | None,
                     factor: Decimal) -> tuple[int, bool]:
    """The standard for one pack of a product: × units × the differential-pricing multiplier of
    its strength (rounded half up). The flag says whether the strength could be converted (when
    not, the representative strength is assumed)."""
    multiplier, converted = Fraction(1), False
    if strength is not None and rep is not None:
        try:
            multiplier, converted = strength_multiplier(strength, rep, factor), True
        except PricingError:
            pass
    exact = Fraction(standard_e4) * units * multiplier
    return round_half_up_div(exact.numerator, exact.denominator), converted


@dataclass(frozen=True)
class Payment:
    """What the fund and the patient pay for one pack (1/10000 yuan)."""

    price_e4: int
    standard_e4: int  # the standard for this pack
    year: int
    multiple: Decimal
    cap_e4: int  # standard × the year's multiple
    paid_e4: int  # min(price, cap): what the fund recognises
    fund_e4: int  # paid × fund ratio
    patient_e4: int  # price − fund

    @property
    def above_cap(self) -> bool:
        """Whether the product is priced above what the fund recognises."""
        return self.price_e4 > self.cap_e4


def payment(price_e4: int, standard_e4: int, year: int, rules: StandardRules) -> Payment:
    """The payment of one pack priced ``price_e4`` against its standard in transition ``year``."""
    multiple = multiple_for(rules, year)
    cap = Fraction(standard_e4) * Fraction(multiple)
    cap_e4 = round_half_up_div(cap.numerator, cap.denominator)
    paid = min(price_e4, cap_e4)
    fund = Fraction(paid) * Fraction(rules.fund_ratio)
    fund_e4 = round_half_up_div(fund.numerator, fund.denominator)
    return Payment(price_e4, standard_e4, year, multiple, cap_e4, paid, fund_e4, price_e4 - fund_e4)
