"""Tests of the optimizer package, with small factories shared by the test modules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from optimizer.model import Bid, Item, MaxWinners, Region, Rules, Tier

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
ONE = ((1, Decimal(1)),)


def bid(supplier: str, ucp: str, capacity: int = 10**9, minute: int = 0, tiers=()) -> Bid:
    """A bid submitted ``minute`` minutes after T0."""
    return Bid(
        supplier,
        Decimal(ucp),
        capacity,
        T0 + timedelta(minutes=minute),
        tuple(Tier(v, Decimal(p)) for v, p in tiers),
    )


def item(bids, regions, max_price: str = "1.0000", code: str = "X01") -> Item:
    """An item from bids and (code, demand[, pin]) tuples."""
    regs = tuple(Region(*r) for r in regions)
    return Item(code, Decimal(max_price), regs, tuple(bids))


def rules(**kw) -> Rules:
    """Rules with agreed ratio 1 (volumes = demand) and an exact gap, unless overridden."""
    kw.setdefault("agreed_ratio", ONE)
    kw.setdefault("gap", 0.0)
    kw.setdefault("max_winners", MaxWinners(minus=0, cap=10))
    return Rules(**kw)
