"""Frozen input and output dataclasses of the optimizer.

Money is never a float here: unit comparable prices (UCP) are ``Decimal`` with four decimal
places (yuan per minimal unit), costs are ``Decimal`` yuan rounded half up to the fen.
Volumes are whole minimal units (``int``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

FEN = Decimal("0.01")
E4 = Decimal("0.0001")


def to_fen(amount: Decimal) -> Decimal:
    """Round a yuan amount half up to the fen."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


class Anchor(StrEnum):
    """How the anchor price of the price-spread test is computed."""

    LOWEST = "lowest"
    HALF_MEAN = "half_mean"


class Status(StrEnum):
    """Outcome of one item's evaluation."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_WINNER = "no_winner"
    NO_SOLUTION = "no_solution"


class Reason(StrEnum):
    """The rule that decided a bidder's outcome."""

    WON = "won"
    ABOVE_MAX_PRICE = "above_max_price"
    PRICE_SPREAD = "price_spread"
    WINNER_LIMIT = "winner_limit"


class Qualification(StrEnum):
    """The rule through which a valid bid qualified for winning."""

    ANCHOR_SPREAD = "anchor_spread"
    REDUCTION_SAFE_HARBOUR = "reduction_safe_harbour"
    ABSOLUTE_SAFE_HARBOUR = "absolute_safe_harbour"


@dataclass(frozen=True)
class MaxWinners:
    """Maximum number of winners by number N of valid bidders.

    Either ``minus`` (N − minus) or ``table`` (pairs (N, winners); the largest key ≤ N
    applies), always capped by ``cap`` and never below one.
    """

    minus: int | None = 2
    table: tuple[tuple[int, int], ...] | None = None
    cap: int = 10


@dataclass(frozen=True)
class Rules:
    """The per-batch rule set (defaults follow the 2nd–10th national batches)."""

    fuse_multiple: Decimal = Decimal("1.8")
    anchor: Anchor = Anchor.LOWEST
    half_mean_k: Decimal = Decimal("0.5")
    reduction_safe_harbour: Decimal | None = Decimal("0.5")
    absolute_safe_harbour: Decimal | None = Decimal("0.1")
    max_winners: MaxWinners = field(default_factory=MaxWinners)
    agreed_ratio: tuple[tuple[int, Decimal], ...] = (
        (1, Decimal("0.5")),
        (2, Decimal("0.6")),
        (3, Decimal("0.7")),
        (4, Decimal("0.8")),
    )
    contract_years: tuple[tuple[int, int], ...] = ((1, 1), (2, 2), (4, 3))
    min_regions_per_winner: int = 1
    max_share: Decimal | None = None
    backup: bool = False
    gradient: tuple[tuple[int, tuple[Decimal, ...]], ...] | None = None
    time_limit_seconds: float = 60.0
    gap: float = 1e-4
    solver: str = "highs"


@dataclass(frozen=True)
class Tier:
    """All-units price tier: at ``min_volume`` awarded units or more, ``ucp`` on all of them."""

    min_volume: int
    ucp: Decimal


@dataclass(frozen=True)
class Bid:
    """One supplier's sealed bid on one item, as opened."""

    supplier: str
    ucp: Decimal
    capacity: int
    submitted_at: datetime
    tiers: tuple[Tier, ...] = ()


@dataclass(frozen=True)
class Region:
    """A supply region (or a hospital) with its reported demand in minimal units."""

    code: str
    demand: int
    pinned_supplier: str | None = None


@dataclass(frozen=True)
class Item:
    """A batch item: its maximum valid price, its regions and its bids."""

    code: str
    max_valid_price: Decimal
    regions: tuple[Region, ...]
    bids: tuple[Bid, ...]


@dataclass(frozen=True)
class Instance:
    """A whole evaluation: one rule set, several items."""

    rules: Rules
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Outcome:
    """Why a bidder won or lost, with its rank among valid bids (1 = best)."""

    supplier: str
    won: bool
    reason: Reason
    ucp: Decimal
    rank: int | None = None
    qualified_by: Qualification | None = None


@dataclass(frozen=True)
class WinnerAward:
    """What one winner is awarded: regions, backup regions, volume, price paid and cost."""

    supplier: str
    ucp: Decimal
    bid_ucp: Decimal
    regions: tuple[str, ...]
    backup_regions: tuple[str, ...]
    volume: int
    cost: Decimal
    tier_min_volume: int | None = None


@dataclass(frozen=True)
class Binding:
    """A constraint at its bound in the chosen allocation."""

    name: str
    detail: str


@dataclass(frozen=True)
class ClearingRecord:
    """What an auditor needs to re-run one item: input snapshot, its hash, model and log."""

    snapshot: str
    sha256: str
    lp_text: str
    solver_log: str


@dataclass(frozen=True)
class ItemResult:
    """The evaluation of one item."""

    code: str
    status: Status
    reason: str | None
    objective: Decimal | None
    baseline_objective: Decimal | None
    saving: Decimal | None
    gap: float | None
    solve_seconds: float
    solver: str
    winners: tuple[WinnerAward, ...]
    outcomes: tuple[Outcome, ...]
    binding: tuple[Binding, ...]
    agreed_ratio: Decimal | None
    agreed_volume: int
    contract_years: int | None
    anchor_price: Decimal | None
    clearing: ClearingRecord | None = None


@dataclass(frozen=True)
class InstanceResult:
    """The evaluation of every item of an instance, in input order."""

    items: tuple[ItemResult, ...]
