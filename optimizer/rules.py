"""The rules engine: pure functions over the batch rule set (domain.md §4).

Winners are decided here, before any allocation model is built: validity, anchor price,
price-spread test with its safe harbours, maximum number of winners, tie-breaks. Exact
arithmetic throughout (``Decimal`` and ``Fraction``); no solver involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from optimizer.model import (
    E4,
    Anchor,
    Bid,
    Item,
    MaxWinners,
    Outcome,
    Qualification,
    Reason,
    Rules,
)


@dataclass(frozen=True)
class Determination:
    """Result of winner determination for one item."""

    winners: tuple[Bid, ...]
    outcomes: tuple[Outcome, ...]
    anchor: Fraction | None
    valid_count: int


def is_valid(bid: Bid, max_valid_price: Decimal) -> bool:
    """A bid is valid when its UCP does not exceed the maximum valid price."""
    return bid.ucp <= max_valid_price


def anchor_price(valid_ucps: Sequence[Decimal], rules: Rules) -> Fraction:
    """Anchor of the spread test: the lowest valid UCP, or max(lowest, k × mean) (11th batch)."""
    if not valid_ucps:
        raise ValueError("anchor price needs at least one valid bid")
    lowest = Fraction(min(valid_ucps))
    if rules.anchor is Anchor.LOWEST:
        return lowest
    mean = sum((Fraction(u) for u in valid_ucps), Fraction(0)) / len(valid_ucps)
    return max(lowest, Fraction(rules.half_mean_k) * mean)


def qualification(
    ucp: Decimal, anchor: Fraction, max_valid_price: Decimal, rules: Rules
) -> Qualification | None:
    """Which rule lets a valid UCP qualify (spread test first, then the safe harbours)."""
    if Fraction(ucp) <= Fraction(rules.fuse_multiple) * anchor:
        return Qualification.ANCHOR_SPREAD
    harbour = rules.reduction_safe_harbour
    if harbour is not None and ucp <= harbour * max_valid_price:
        return Qualification.REDUCTION_SAFE_HARBOUR
    if rules.absolute_safe_harbour is not None and ucp <= rules.absolute_safe_harbour:
        return Qualification.ABSOLUTE_SAFE_HARBOUR
    return None


def max_winners(valid_count: int, spec: MaxWinners) -> int:
    """Maximum winners for N valid bidders: N − m or the table entry, capped, at least one."""
    if valid_count <= 0:
        return 0
    if spec.table is not None:
        keys = [n for n, _ in spec.table if n <= valid_count]
        limit = dict(spec.table)[max(keys)] if keys else 1
    else:
        limit = valid_count - (spec.minus or 0)
    return max(1, min(limit, spec.cap))


def _by_count(table: Sequence[tuple[int, object]], count: int) -> object:
    """Entry of a table keyed by winner count: the largest key ≤ count (else the smallest)."""
    ordered = sorted(table, key=lambda kv: kv[0])
    chosen = ordered[0][1]
    for key, value in ordered:
        if key <= count:
            chosen = value
    return chosen


def agreed_ratio(winner_count: int, rules: Rules) -> Decimal:
    """Agreed-volume ratio for a number of winners (largest key applies to larger counts)."""
    value = _by_count(rules.agreed_ratio, winner_count)
    assert isinstance(value, Decimal)
    return value


def contract_years(winner_count: int, rules: Rules) -> int:
    """Contract period in years for a number of winners."""
    value = _by_count(rules.contract_years, winner_count)
    assert isinstance(value, int)
    return value


def agreed_volume(demand: int, ratio: Decimal) -> int:
    """Agreed volume = ratio × reported demand, rounded half up to whole units."""
    return int((ratio * demand).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def gradient_floors(winner_count: int, rules: Rules) -> tuple[Decimal, ...]:
    """Share floors by rank for consumables volume gradients (empty when not set)."""
    if not rules.gradient:
        return ()
    value = _by_count(rules.gradient, winner_count)
    assert isinstance(value, tuple)
    return value[: max(0, winner_count - 1)]


def rank_key(bid: Bid) -> tuple[Decimal, object, str]:
    """Tie-break order: lower UCP, then earlier submission, then supplier code."""
    return (bid.ucp, bid.submitted_at, bid.supplier)


def quantize_e4(value: Fraction) -> Decimal:
    """A Fraction as Decimal yuan with four decimals (half up), for reporting."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        E4, rounding=ROUND_HALF_UP
    )


def determine_winners(item: Item, rules: Rules) -> Determination:
    """Apply validity, anchor, spread test, safe harbours, winner limit and tie-breaks."""
    suppliers = [b.supplier for b in item.bids]
    if len(set(suppliers)) != len(suppliers):
        raise ValueError(f"item {item.code}: one bid per supplier")
    valid = sorted((b for b in item.bids if is_valid(b, item.max_valid_price)), key=rank_key)
    invalid = sorted(
        (b for b in item.bids if not is_valid(b, item.max_valid_price)),
        key=lambda b: (b.ucp, b.supplier),
    )
    outcomes: list[Outcome] = []
    winners: list[Bid] = []
    anchor = anchor_price([b.ucp for b in valid], rules) if valid else None
    limit = max_winners(len(valid), rules.max_winners)
    for rank, bid in enumerate(valid, start=1):
        assert anchor is not None
        qual = qualification(bid.ucp, anchor, item.max_valid_price, rules)
        if qual is None:
            reason = Reason.PRICE_SPREAD
        elif len(winners) >= limit:
            reason = Reason.WINNER_LIMIT
        else:
            reason = Reason.WON
            winners.append(bid)
        outcomes.append(Outcome(bid.supplier, reason is Reason.WON, reason, bid.ucp, rank, qual))
    outcomes.extend(Outcome(b.supplier, False, Reason.ABOVE_MAX_PRICE, b.ucp) for b in invalid)
    return Determination(tuple(winners), tuple(outcomes), anchor, len(valid))
