"""Retained savings (结余留用) at cycle end, per hospital × item, with every step shown.

Calculation for one hospital × item (all exact integers, two roundings, both half up):

1. benchmark (fen) = agreed volume × pre-VBP average price × fund payment ratio,
   rounded half up to the fen **once** (``agreed × price_e4 × ratio / 100``);
2. savings base = benchmark − actual fund spend on the item (may be negative);
3. the hospital keeps ``tier rate × base``, rounded half up to the fen, only if it
   **completed its agreed volume for that item** (purchased ≥ agreed) and the base is
   positive; otherwise 0, with the reason on the row.

Score tiers are a setting, tried from the first: a tier matches when the score is above its
``min_score`` (or equal to it, when ``inclusive``). Defaults, boundaries explicit:
score > 80 → 50%; 70 ≤ score ≤ 80 → 40%; 60 ≤ score < 70 → 30%; score < 60 → 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core import formats, i18n
from core.i18n import N_, Msg
from core.money import round_half_up_div
from settlement.money.data import SettlementError, check_int, check_ratio
from settlement.money.payable import ratio_of_fen


@dataclass(frozen=True)
class ScoreTier:
    """Scores above ``min_score`` (or equal, if ``inclusive``) keep ``rate`` of the base."""

    min_score: Decimal
    rate: Decimal
    inclusive: bool = True

    def __post_init__(self) -> None:
        """Refuse floats and rates outside [0, 1]."""
        if not isinstance(self.min_score, Decimal):
            raise SettlementError("tier min_score must be a Decimal")
        check_ratio("tier rate", self.rate)

    def matches(self, score: Decimal) -> bool:
        """Whether ``score`` falls in this tier (given no higher tier matched)."""
        return score >= self.min_score if self.inclusive else score > self.min_score


DEFAULT_TIERS: tuple[ScoreTier, ...] = (
    ScoreTier(Decimal(80), Decimal("0.50"), inclusive=False),
    ScoreTier(Decimal(70), Decimal("0.40")),
    ScoreTier(Decimal(60), Decimal("0.30")),
)


def tier_rate(score: Decimal, tiers: tuple[ScoreTier, ...] = DEFAULT_TIERS) -> Decimal:
    """Retention rate for an assessment score: the first matching tier, else 0."""
    if not isinstance(score, Decimal) or not score.is_finite():
        raise SettlementError(f"assessment score must be a finite Decimal, got {score!r}")
    for tier in tiers:
        if tier.matches(score):
            return tier.rate
    return Decimal(0)


@dataclass(frozen=True)
class SavingsInput:
    """Cycle-end figures for one hospital × item."""

    hospital_code: str
    item_code: str
    agreed_volume: int
    purchased_volume: int
    pre_vbp_price_e4: int
    fund_payment_ratio: Decimal
    actual_fund_spend_fen: int

    def __post_init__(self) -> None:
        """Refuse negative volumes, prices, spend, and ratios outside [0, 1]."""
        check_int("agreed_volume", self.agreed_volume)
        check_int("purchased_volume", self.purchased_volume)
        check_int("pre_vbp_price_e4", self.pre_vbp_price_e4)
        check_int("actual_fund_spend_fen", self.actual_fund_spend_fen)
        check_ratio("fund_payment_ratio", self.fund_payment_ratio)


#: column headings, shown in the reader's language (``str()`` of each)
SAVINGS_COLUMNS: tuple[Msg, ...] = (
    N_("Hospital"),
    N_("Item"),
    N_("Agreed volume"),
    N_("Purchased volume"),
    N_("Pre-VBP average price (yuan)"),
    N_("Fund payment ratio"),
    N_("Benchmark (yuan)"),
    N_("Actual fund spend (yuan)"),
    N_("Savings base (yuan)"),
    N_("Agreed volume completed"),
    N_("Assessment score"),
    N_("Retention rate"),
    N_("Retained (yuan)"),
    N_("Note"),
)


@dataclass(frozen=True)
class SavingsRow:
    """One line of the retained-savings calculation, every intermediate kept."""

    source: SavingsInput
    benchmark_fen: int
    savings_base_fen: int
    completed: bool
    score: Decimal | None
    rate: Decimal
    retained_fen: int
    note: str

    def cells(self) -> tuple[str, ...]:
        """The row as display strings (the one format: ``¥1,400.00``, ``9,000``, ``50%``), in
        ``SAVINGS_COLUMNS`` order; the note in the reader's language."""
        s = self.source
        return (
            s.hospital_code,
            s.item_code,
            formats.qty(s.agreed_volume),
            formats.qty(s.purchased_volume),
            formats.price(s.pre_vbp_price_e4),
            formats.pct(s.fund_payment_ratio),
            formats.yuan(self.benchmark_fen),
            formats.yuan(s.actual_fund_spend_fen),
            formats.yuan(self.savings_base_fen),
            str(N_("yes") if self.completed else N_("no")),
            "" if self.score is None else formats.plain_decimal(self.score),
            formats.pct(self.rate),
            formats.yuan(self.retained_fen),
            i18n.pick(self.note),
        )

    def export_cells(self) -> tuple[object, ...]:
        """The row for the workbook: amounts, prices and quantities as numbers with their format."""
        s = self.source
        return (
            s.hospital_code, s.item_code, formats.qty_cell(s.agreed_volume), formats.qty_cell(s.purchased_volume),
            formats.price_cell(s.pre_vbp_price_e4), formats.pct_cell(s.fund_payment_ratio),
            formats.yuan_cell(self.benchmark_fen), formats.yuan_cell(s.actual_fund_spend_fen),
            formats.yuan_cell(self.savings_base_fen), str(N_("yes") if self.completed else N_("no")),
            "" if self.score is None else self.score, formats.pct_cell(self.rate), formats.yuan_cell(self.retained_fen),
            i18n.pick(self.note),
        )


def benchmark_fen(agreed_volume: int, price_e4: int, fund_ratio: Decimal) -> int:
    """``agreed × price_e4 × ratio`` in fen, rounded half up once (exact integer maths)."""
    num, den = fund_ratio.as_integer_ratio()
    return round_half_up_div(agreed_volume * price_e4 * num, 100 * den)


def retained_savings(
    inputs: Iterable[SavingsInput],
    scores: Mapping[str, Decimal],
    tiers: tuple[ScoreTier, ...] = DEFAULT_TIERS,
) -> tuple[SavingsRow, ...]:
    """Calculation rows per hospital × item, sorted; a needed but missing score is an error."""
    rows: list[SavingsRow] = []
    for s in sorted(inputs, key=lambda x: (x.hospital_code, x.item_code)):
        if rows and (rows[-1].source.hospital_code, rows[-1].source.item_code) == (
            s.hospital_code,
            s.item_code,
        ):
            raise SettlementError(f"two savings inputs for {s.hospital_code} × {s.item_code}")
        bench = benchmark_fen(s.agreed_volume, s.pre_vbp_price_e4, s.fund_payment_ratio)
        base = bench - s.actual_fund_spend_fen
        completed = s.purchased_volume >= s.agreed_volume
        score = scores.get(s.hospital_code)
        rate, retained, note = Decimal(0), 0, ""
        if not completed:
            note = "未完成约定采购量 / agreed volume not completed"
        elif base <= 0:
            note = "无结余 / no savings"
        elif score is None:
            raise SettlementError(f"no assessment score for hospital {s.hospital_code}")
        else:
            rate = tier_rate(score, tiers)
            retained = ratio_of_fen(rate, base)
            if rate == 0:
                note = "考核得分未达留用档次 / score below every tier"
        rows.append(SavingsRow(s, bench, base, completed, score, rate, retained, note))
    return tuple(rows)


def total_retained(rows: Iterable[SavingsRow]) -> Mapping[str, int]:
    """Retained amount per hospital (Σ of its rows), in fen."""
    out: dict[str, int] = {}
    for r in rows:
        out[r.source.hospital_code] = out.get(r.source.hospital_code, 0) + r.retained_fen
    return out
