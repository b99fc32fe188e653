"""Retained savings (结余留用): savings base, score tiers at their boundaries, display rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from settlement.money.data import SettlementError
from settlement.monitoring.savings import (
    SAVINGS_COLUMNS,
    SavingsInput,
    ScoreTier,
    benchmark_fen,
    retained_savings,
    tier_rate,
    total_retained,
)

D = Decimal


@pytest.mark.parametrize(
    ("score", "rate"),
    [
        ("100", "0.50"),
        ("80.01", "0.50"),
        ("80", "0.40"),  # ">80" is strict: exactly 80 is in the 70–80 tier
        ("70", "0.40"),  # 70–80 includes 70
        ("69.99", "0.30"),
        ("60", "0.30"),  # 60–70 includes 60
        ("59.99", "0"),
        ("0", "0"),
    ],
)
def test_default_tiers_at_their_boundaries(score: str, rate: str) -> None:
    assert tier_rate(D(score)) == D(rate)


def test_tiers_are_a_setting() -> None:
    tiers = (ScoreTier(D(90), D("0.50")), ScoreTier(D(75), D("0.25"), inclusive=False))
    assert tier_rate(D(90), tiers) == D("0.50")
    assert tier_rate(D(75), tiers) == D(0)
    assert tier_rate(D("75.5"), tiers) == D("0.25")
    with pytest.raises(SettlementError):
        tier_rate(85.0)  # type: ignore[arg-type]


def test_benchmark_rounds_once_half_up() -> None:
    assert benchmark_fen(1000, 20000, D("0.70")) == 140000  # 1000 × ¥2 × 70 %
    assert benchmark_fen(3, 12345, D("0.7")) == 259  # 259.245 fen → 259
    assert benchmark_fen(1, 50, D("1")) == 1  # 0.5 fen → 1


def inp(hospital: str, item: str, purchased: int, spend: int, agreed: int = 1000) -> SavingsInput:
    """Agreed volume at ¥2.0000 before VBP, fund pays 70 %."""
    return SavingsInput(hospital, item, agreed, purchased, 20000, D("0.70"), spend)


def test_hand_checked_rows() -> None:
    rows = retained_savings(
        [
            inp("H1", "I1", purchased=1000, spend=50000),  # base 90000 × 50 % = 45000
            inp("H1", "I2", purchased=999, spend=50000),  # not completed → 0
            inp("H2", "I1", purchased=1200, spend=150000),  # base −10000 → 0
            inp("H3", "I1", purchased=1000, spend=140000 - 159),  # base 159 × 40 % = 63.6 → 64
            inp("H4", "I1", purchased=1000, spend=0),  # score 59 → 0
        ],
        {"H1": D(85), "H3": D(75), "H4": D(59)},
    )
    got = [
        (
            r.source.hospital_code,
            r.benchmark_fen,
            r.savings_base_fen,
            r.completed,
            r.rate,
            r.retained_fen,
        )
        for r in rows
    ]
    assert got == [
        ("H1", 140000, 90000, True, D("0.50"), 45000),
        ("H1", 140000, 90000, False, D(0), 0),
        ("H2", 140000, -10000, True, D(0), 0),
        ("H3", 140000, 159, True, D("0.40"), 64),
        ("H4", 140000, 140000, True, D(0), 0),
    ]
    assert (
        "not completed" in rows[1].note and "no savings" in rows[2].note and "tier" in rows[4].note
    )
    assert total_retained(rows) == {"H1": 45000, "H2": 0, "H3": 64, "H4": 0}

    cells = rows[0].cells()
    assert len(cells) == len(SAVINGS_COLUMNS)
    assert (
        cells[4] == "¥2.0000"
        and cells[6] == "¥1,400.00"
        and cells[8] == "¥900.00"
        and cells[12] == "¥450.00"
    )
    exported = rows[0].export_cells()
    assert (exported[6].value, exported[6].number_format) == (D("1400.00"), "¥#,##0.00")


def test_missing_score_is_an_error_only_when_needed() -> None:
    assert retained_savings([inp("H1", "I1", purchased=1, spend=0)], {})[0].retained_fen == 0
    with pytest.raises(SettlementError, match="H1"):
        retained_savings([inp("H1", "I1", purchased=1000, spend=0)], {})


def test_bad_savings_input() -> None:
    with pytest.raises(SettlementError):
        inp("H1", "I1", purchased=-1, spend=0)
    with pytest.raises(SettlementError):
        SavingsInput("H", "I", 1, 1, 1, 0.7, 0)  # type: ignore[arg-type]
    with pytest.raises(SettlementError, match="two"):
        retained_savings([inp("H1", "I1", 1, 0), inp("H1", "I1", 2, 0)], {})
