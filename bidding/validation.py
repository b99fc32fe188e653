"""Validate one bid against its batch item: every refusal named with a code and zh/en message.

Checks, in order: bidding window (when a deadline is given), eligibility declaration, supply
capacity, the offered specification and pack price (→ UCP ≤ maximum valid price), then the
price tiers (count, volumes strictly increasing and within capacity, prices > 0, each UCP ≤
the base UCP and never above the previous tier's). All reasons are collected, not just the
first, so a form can mark every bad field at once. Used at submission and again at opening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from bidding.pricing import (
    DEFAULT_MAX_TIERS,
    DEFAULT_STRENGTH_FACTOR,
    Eligibility,
    PricingError,
    Refusal,
    RefusalCode,
    Strength,
    check_units_per_pack,
    refusal,
    strength_multiplier,
    ucp_from_multiplier,
)
from core.clock import local_stamp
from core.money import format_price_e4


@dataclass(frozen=True)
class TierOffer:
    """"If awarded at least ``min_volume`` units, the pack price is ``pack_price_e4``"."""

    min_volume: int
    pack_price_e4: int


@dataclass(frozen=True)
class BidOffer:
    """What a supplier offers for one batch item (values are checked, not trusted)."""

    pack_price_e4: int
    units_per_pack: int
    strength: Strength
    capacity: int  # annual minimal units the supplier guarantees
    eligibility: Eligibility | None
    tiers: tuple[TierOffer, ...] = ()


@dataclass(frozen=True)
class ItemTerms:
    """The batch item's side: representative strength, price ceiling, batch settings."""

    rep_strength: Strength
    max_valid_price_e4: int  # per minimal unit of the representative specification
    strength_factor: Decimal = DEFAULT_STRENGTH_FACTOR
    max_tiers: int = DEFAULT_MAX_TIERS


@dataclass(frozen=True)
class PricedTier:
    """A tier with its unit comparable price."""

    min_volume: int
    pack_price_e4: int
    ucp_e4: int


@dataclass(frozen=True)
class BidCheck:
    """The result shown back before the supplier confirms: UCPs and refusal reasons."""

    ucp_e4: int | None
    tiers: tuple[PricedTier, ...]
    refusals: tuple[Refusal, ...]

    @property
    def ok(self) -> bool:
        """True when nothing refuses the bid."""
        return not self.refusals


def _is_int(value: object) -> bool:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def _aware(value: datetime, name: str) -> datetime:
    """Refuse naive datetimes: a programming error, not a user error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _window_reasons(now: datetime | None, deadline: datetime | None,
                    opens_at: datetime | None) -> list[Refusal]:
    """Bids are accepted from ``opens_at`` (inclusive) until ``deadline`` (exclusive)."""
    if deadline is None and opens_at is None:
        return []
    if now is None:
        raise ValueError("now is required when a window is given")
    _aware(now, "now")
    if opens_at is not None and now < _aware(opens_at, "opens_at"):
        return [refusal(RefusalCode.WINDOW_NOT_OPEN, "window", opens_at=local_stamp(opens_at))]
    if deadline is not None and now >= _aware(deadline, "deadline"):
        return [refusal(RefusalCode.WINDOW_CLOSED, "window", deadline=local_stamp(deadline))]
    return []


def _price_e4(value: object, field: str, reasons: list[Refusal], tier: int | None = None,
              code: RefusalCode = RefusalCode.PRICE_NOT_POSITIVE) -> int | None:
    """An int price_e4 > 0, or ``None`` with a refusal appended."""
    if not _is_int(value):
        reasons.append(refusal(RefusalCode.INVALID_NUMBER, field, tier, value=repr(value)))
        return None
    if value <= 0:
        reasons.append(refusal(code, field, tier))
        return None
    return value


def _base_ucp(offer: BidOffer, item: ItemTerms,
              reasons: list[Refusal]) -> tuple[Fraction | None, int | None]:
    """The spec multiplier (``None`` unless spec and pack size are valid) and the base UCP."""
    multiplier: Fraction | None = None
    try:
        multiplier = strength_multiplier(offer.strength, item.rep_strength, item.strength_factor)
    except PricingError as exc:
        reasons.append(exc.reason)
    try:
        check_units_per_pack(offer.units_per_pack)
    except PricingError as exc:
        reasons.append(exc.reason)
        multiplier = None
    price = _price_e4(offer.pack_price_e4, "pack_price", reasons)
    if multiplier is None or price is None:
        return multiplier, None
    ucp = ucp_from_multiplier(price, offer.units_per_pack, multiplier)
    if ucp <= 0:
        reasons.append(refusal(RefusalCode.UCP_ROUNDS_TO_ZERO, "pack_price"))
        return multiplier, None
    if ucp > item.max_valid_price_e4:
        reasons.append(refusal(RefusalCode.ABOVE_MAX_PRICE, "pack_price", ucp=format_price_e4(ucp),
                               max=format_price_e4(item.max_valid_price_e4)))
    return multiplier, ucp


def _tier_reasons(offer: BidOffer, item: ItemTerms, multiplier: Fraction | None,
                  base_ucp: int | None, capacity_ok: bool,
                  reasons: list[Refusal]) -> tuple[PricedTier, ...]:
    """Check the tiers in the order entered; return those that could be priced."""
    if len(offer.tiers) > item.max_tiers:
        reasons.append(refusal(RefusalCode.TOO_MANY_TIERS, "tiers", max=item.max_tiers))
    priced: list[PricedTier] = []
    prev_volume: int | None = None
    prev_ucp: int | None = None
    for n, tier in enumerate(offer.tiers, start=1):
        field = f"tiers[{n}]"
        if not _is_int(tier.min_volume) or tier.min_volume <= 0:
            reasons.append(refusal(RefusalCode.TIER_VOLUME_NOT_POSITIVE, field, n))
        else:
            if prev_volume is not None and tier.min_volume <= prev_volume:
                reasons.append(refusal(RefusalCode.TIER_VOLUME_NOT_INCREASING, field, n))
            if capacity_ok and tier.min_volume > offer.capacity:
                reasons.append(refusal(RefusalCode.TIER_VOLUME_ABOVE_CAPACITY, field, n))
            prev_volume = tier.min_volume
        price = _price_e4(tier.pack_price_e4, field, reasons, n, RefusalCode.TIER_PRICE_NOT_POSITIVE)
        if price is None or multiplier is None:
            continue
        ucp = ucp_from_multiplier(price, offer.units_per_pack, multiplier)
        if ucp <= 0:
            reasons.append(refusal(RefusalCode.TIER_PRICE_NOT_POSITIVE, field, n))
        if base_ucp is not None and ucp > base_ucp:
            reasons.append(refusal(RefusalCode.TIER_PRICE_ABOVE_BASE, field, n,
                                   ucp=format_price_e4(ucp), base=format_price_e4(base_ucp)))
        if prev_ucp is not None and ucp > prev_ucp:
            reasons.append(refusal(RefusalCode.TIER_PRICE_RISES, field, n))
        prev_ucp = ucp
        priced.append(PricedTier(tier.min_volume, price, ucp))
    return tuple(priced)


def check_bid(offer: BidOffer, item: ItemTerms, *, now: datetime | None = None,
              deadline: datetime | None = None, opens_at: datetime | None = None) -> BidCheck:
    """Price a bid and collect every refusal reason.

    The window is checked only when ``deadline`` or ``opens_at`` is given (then ``now`` is
    required; all timezone-aware): accepted from ``opens_at`` until strictly before
    ``deadline``. At opening, pass the submission time as ``now`` or omit the window.
    """
    reasons = _window_reasons(now, deadline, opens_at)
    if not isinstance(offer.eligibility, Eligibility):
        reasons.append(refusal(RefusalCode.ELIGIBILITY_MISSING, "eligibility"))
    capacity_ok = _is_int(offer.capacity) and offer.capacity > 0
    if not capacity_ok:
        reasons.append(refusal(RefusalCode.CAPACITY_NOT_POSITIVE, "capacity"))
    multiplier, base_ucp = _base_ucp(offer, item, reasons)
    tiers = _tier_reasons(offer, item, multiplier, base_ucp, capacity_ok, reasons)
    return BidCheck(base_ucp, tiers, tuple(reasons))


def validate_bid(offer: BidOffer, item: ItemTerms, *, now: datetime | None = None,
                 deadline: datetime | None = None,
                 opens_at: datetime | None = None) -> list[Refusal]:
    """The refusal reasons of :func:`check_bid` alone (empty when the bid is valid)."""
    return list(check_bid(offer, item, now=now, deadline=deadline, opens_at=opens_at).refusals)
