"""Payable amounts, prepayment advances and prepayment offsets.

Rounding policy
---------------
* **Payables are rounded per line**, half up to the fen: ``accepted_qty × price_e4 / 100``.
  A run's total is the plain sum of its lines, so every fen traces to one delivery line.
* **Advances** (预付): each contract's annual agreed amount is rounded per contract like a
  line; the hospital's annual agreed amount is their sum, and the advance is
  ``ratio × that sum`` rounded half up once.
* **Offsets**: one rounding per hospital and run (``ratio × gross``, half up), then the
  integer offset is spread over the hospital's lines by largest remainder, so the lines'
  offsets add up to the hospital's offset exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import line_amount_fen, round_half_up_div
from settlement.money.data import (
    AcceptedLine,
    OffsetRule,
    PayableLine,
    SettlementError,
    SettlementSettings,
    check_int,
    check_ratio,
)


def ratio_of_fen(ratio: Decimal, amount_fen: int) -> int:
    """``ratio × amount_fen`` rounded half up to the fen, computed exactly in integers."""
    num, den = ratio.as_integer_ratio()
    return round_half_up_div(num * amount_fen, den)


def payable_lines(lines: Iterable[AcceptedLine]) -> tuple[PayableLine, ...]:
    """Payable amount of each accepted line: ``qty × price_e4`` in fen, rounded half up per line."""
    return tuple(PayableLine(x, line_amount_fen(x.accepted_qty, x.price_e4)) for x in lines)


@dataclass(frozen=True)
class AgreedContract:
    """A contract's annual agreed volume at its price (input to the advance)."""

    contract_id: str
    hospital_code: str
    agreed_volume: int
    price_e4: int

    def __post_init__(self) -> None:
        """Refuse negative volumes and prices."""
        check_int("agreed_volume", self.agreed_volume)
        check_int("price_e4", self.price_e4)


@dataclass(frozen=True)
class Advance:
    """A hospital's prepayment: annual agreed amount, ratio and the advance in fen."""

    hospital_code: str
    annual_agreed_fen: int
    ratio: Decimal
    advance_fen: int
    contract_ids: tuple[str, ...]


def prepayment_advances(
    contracts: Iterable[AgreedContract], ratio: Decimal = Decimal("0.30")
) -> tuple[Advance, ...]:
    """Advance per hospital = ratio × Σ per-contract agreed amount (fen), rounded half up.

    Each contract's amount ``agreed_volume × price_e4`` is rounded to the fen like a delivery
    line; the advance rounds once more, half up. Hospitals are returned sorted by code.
    """
    check_ratio("prepayment ratio", ratio)
    totals: dict[str, int] = {}
    ids: dict[str, list[str]] = {}
    for c in contracts:
        totals[c.hospital_code] = totals.get(c.hospital_code, 0) + line_amount_fen(
            c.agreed_volume, c.price_e4
        )
        ids.setdefault(c.hospital_code, []).append(c.contract_id)
    return tuple(
        Advance(h, totals[h], ratio, ratio_of_fen(ratio, totals[h]), tuple(sorted(ids[h])))
        for h in sorted(totals)
    )


def allocate_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` fen over ``weights`` proportionally; shares add up to ``total`` exactly.

    Each share is ``floor(total × w / W)``; the fen left over go one each to the largest
    remainders, ties to the earlier position. With ``total ≤ W`` no share exceeds its weight.
    """
    check_int("total", total)
    if not all(type(w) is int and w >= 0 for w in weights):  # the plain case on one pass
        for w in weights:
            check_int("weight", w)
    whole = sum(weights)
    if whole == 0 or total == 0:
        if total:
            raise SettlementError("cannot allocate a non-zero amount over zero weights")
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    left = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def hospital_offset(gross_fen: int, advance_fen: int, settings: SettlementSettings) -> int:
    """How much of a hospital's payable this run is covered by its outstanding advance.

    * ``none``: 0.
    * ``first``: ``min(advance, gross)`` — the advance is used up by the first settlements.
    * ``proportional``: ``min(advance, offset_ratio × gross rounded half up)``.
    """
    check_int("gross_fen", gross_fen)
    check_int("advance_fen", advance_fen)
    rule = OffsetRule(settings.offset_rule)
    if rule is OffsetRule.NONE:
        return 0
    if rule is OffsetRule.FIRST:
        return min(advance_fen, gross_fen)
    return min(advance_fen, ratio_of_fen(settings.offset_ratio, gross_fen))
