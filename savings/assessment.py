"""A hospital's assessment for one batch cycle (pure, exact): the score from its figures and the
officer's points, and the retained savings by tier through the one calculator
(``settlement.monitoring.savings.retained_savings``).

Components (each a ratio in [0, 1] × its weight, the points rounded half up to 0.01):

* ``completion`` — Σ min(purchased, agreed) / Σ agreed over the hospital's items;
* ``selected_use`` — items bought from the winners at all / items contracted;
* ``non_selected`` — 1 − the share of non-selected products in the hospital's accepted orders of
  the cycle (non-selected ÷ selected + non-selected amounts, ``orders.shares``); a hospital with
  no such orders has no share: the component is *not available*;
* ``on_time`` — lines reconciled by the reconcile day / lines due to be reconciled (no line due:
  not available).

A component that is not available gives no points and its weight is left out: the score is
Σ points × 100 / Σ available weights, so no figure is made up. The officer's points (within ± the
setting, with a reason) are added and the score is held to [0, 100].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from savings.settings import COMPONENTS, SavingsSettings
from settlement.monitoring.savings import SavingsInput, SavingsRow, retained_savings, tier_rate

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class HospitalFigures:
    """What the platform knows of one hospital's cycle: its lines per item and its reconciliation."""

    hospital_code: str
    lines: tuple[SavingsInput, ...]
    reconciled_on_time: int
    reconcile_due: int
    order_selected_fen: int = 0  # accepted order amounts of VBP-selected products in the cycle
    order_non_selected_fen: int = 0  # … of non-selected products of VBP generics
    non_selected_spend: Mapping[str, int] = field(default_factory=dict)  # item → of its spend, such orders

    @property
    def order_fen(self) -> int:
        """The denominator of the non-selected share."""
        return self.order_selected_fen + self.order_non_selected_fen

    @property
    def non_selected_share(self) -> Decimal | None:
        """Non-selected ÷ selected + non-selected order amounts, 4 places half up (None: no such orders)."""
        return _ratio(self.order_non_selected_fen, self.order_fen)


@dataclass(frozen=True)
class Component:
    """One score component: its measured ratio (None: not available), weight and points."""

    key: str
    numerator: int
    denominator: int
    ratio: Decimal | None
    weight: int
    points: Decimal


@dataclass(frozen=True)
class Assessment:
    """The score with its breakdown and the savings rows behind the kept amount."""

    hospital_code: str
    components: tuple[Component, ...]
    measured: Decimal  # Σ points scaled to the available weights
    officer_points: int
    score: Decimal
    rate: Decimal  # the tier rate of the score
    rows: tuple[SavingsRow, ...]
    figures: HospitalFigures | None = None  # what it was computed from

    @property
    def base_fen(self) -> int:
        """Σ savings base of the hospital's items (may be negative)."""
        return sum(r.savings_base_fen for r in self.rows)

    @property
    def benchmark_fen(self) -> int:
        """Σ benchmark (agreed × pre-VBP price × fund ratio) of the items."""
        return sum(r.benchmark_fen for r in self.rows)

    @property
    def spend_fen(self) -> int:
        """Σ actual fund spend on the items."""
        return sum(r.source.actual_fund_spend_fen for r in self.rows)

    @property
    def retained_fen(self) -> int:
        """What the hospital keeps: Σ of its rows, each rounded half up once."""
        return sum(r.retained_fen for r in self.rows)


def _ratio(num: int, den: int) -> Decimal | None:
    """num / den to 4 places, half up (None when nothing is due)."""
    if den <= 0:
        return None
    return (Decimal(num) / Decimal(den)).quantize(RATIO, ROUND_HALF_UP)


def components(figures: HospitalFigures, settings: SavingsSettings) -> tuple[Component, ...]:
    """The four components of ``figures`` with the weights of ``settings``."""
    lines = figures.lines
    agreed = sum(s.agreed_volume for s in lines)
    done = sum(min(s.purchased_volume, s.agreed_volume) for s in lines)
    bought = sum(1 for s in lines if s.purchased_volume > 0)
    share = figures.non_selected_share
    ordered = figures.order_fen
    measured = {
        "completion": (done, agreed, _ratio(done, agreed)),
        "selected_use": (bought, len(lines), _ratio(bought, len(lines))),
        "non_selected": (ordered - figures.order_non_selected_fen, ordered,
                         None if share is None else (1 - share).quantize(RATIO, ROUND_HALF_UP)),
        "on_time": (figures.reconciled_on_time, figures.reconcile_due,
                    _ratio(figures.reconciled_on_time, figures.reconcile_due)),
    }
    out = []
    for key in COMPONENTS:
        num, den, ratio = measured[key]
        weight = getattr(settings.weights, key)
        points = Decimal(0) if ratio is None else (ratio * weight).quantize(CENT, ROUND_HALF_UP)
        out.append(Component(key, num, den, ratio, weight, points))
    return tuple(out)


def assess(figures: HospitalFigures, settings: SavingsSettings, officer_points: int = 0) -> Assessment:
    """Score ``figures`` and compute the kept savings by the settings' tiers."""
    if abs(officer_points) > settings.max_officer_points:
        raise ValueError(f"officer points {officer_points} outside ±{settings.max_officer_points}")
    parts = components(figures, settings)
    available = sum(c.weight for c in parts if c.ratio is not None)
    total = sum((c.points for c in parts), Decimal(0))
    measured = (total * 100 / available).quantize(CENT, ROUND_HALF_UP) if available else Decimal(0)
    score = min(Decimal(100), max(Decimal(0), measured + officer_points)).quantize(CENT)
    rows = retained_savings(figures.lines, {figures.hospital_code: score}, settings.score_tiers())
    rate = tier_rate(score, settings.score_tiers())
    return Assessment(figures.hospital_code, parts, measured, officer_points, score, rate, rows, figures)
