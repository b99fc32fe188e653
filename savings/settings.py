"""The retained-savings settings of a batch (pure): score components and their weights, the
score tiers, the officer's points range, the objection period and the payment mode.

Stored per batch as versions (``savings.models.SavingsPolicy``), validated like the batch rules
(``procurement.rules.parse_settings``); the defaults apply until an officer stores a version. The
fund payment ratio is the batch rule ``fund_payment_ratio`` (one copy, read from the batch).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from procurement.rules import parse_settings
from settlement.monitoring.savings import DEFAULT_TIERS, ScoreTier

#: the score components, in the order pages show them
COMPONENTS = ("completion", "selected_use", "non_selected", "on_time")


class Weights(BaseModel):
    """Points of each component (whole points, summing to 100)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    completion: int = Field(default=40, ge=0, le=100)  # agreed-volume completion
    selected_use: int = Field(default=20, ge=0, le=100)  # items of the batch bought from the winners
    non_selected: int = Field(default=20, ge=0, le=100)  # 1 − share of non-selected products
    on_time: int = Field(default=20, ge=0, le=100)  # reconciliation by the reconcile day

    @model_validator(mode="after")
    def _hundred(self) -> Weights:
        """The weights add up to 100 points."""
        if sum(getattr(self, c) for c in COMPONENTS) != 100:
            raise ValueError("the weights must add up to 100 points")
        return self


class Tier(BaseModel):
    """Scores above ``min_score`` (or equal, when ``inclusive``) keep ``rate`` of the base."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_score: Decimal = Field(ge=0, le=100)
    rate: Decimal = Field(ge=0, le=1)
    inclusive: bool = True


class SavingsSettings(BaseModel):
    """A batch's retained-savings settings with their defaults (domain.md §6)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: Weights = Weights()
    tiers: tuple[Tier, ...] = tuple(Tier(min_score=t.min_score, rate=t.rate, inclusive=t.inclusive)
                                    for t in DEFAULT_TIERS)
    max_officer_points: int = Field(default=10, ge=0, le=100)
    objection_days: int = Field(default=10, ge=1, le=90)
    payment_mode: Literal["credited", "instruction"] = "credited"

    @field_validator("tiers")
    @classmethod
    def _tiers_descend(cls, tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
        """Tiers are tried from the first: thresholds strictly falling, rates not rising."""
        pairs = list(zip(tiers, tiers[1:], strict=False))
        if any(b.min_score >= a.min_score or b.rate > a.rate for a, b in pairs):
            raise ValueError("tiers must go from the highest score down, with rates not rising")
        return tiers

    def score_tiers(self) -> tuple[ScoreTier, ...]:
        """The tiers for the calculator."""
        return tuple(ScoreTier(t.min_score, t.rate, t.inclusive) for t in self.tiers)

    def to_json(self) -> str:
        """Canonical JSON (decimals as strings)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def parse_savings_settings(data: dict | str | None) -> SavingsSettings:
    """Validate settings (None: the defaults); a bad one raises ``RuleError`` naming the field."""
    return parse_settings(SavingsSettings, data)
