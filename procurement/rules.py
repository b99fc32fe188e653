"""A batch's rule set: every number of domain.md §4–§6 as a setting with its default.

Rules are validated on save; a bad setting is refused with its name. The rule set is stored
on the batch as canonical JSON (decimals as strings, never floats).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class RuleError(ValueError):
    """A rule setting was refused; ``field`` names it."""

    def __init__(self, field: str, message: str, kind: str = "", limits: dict | None = None) -> None:
        """Keep the field name apart so forms can mark it; ``kind`` and ``limits`` are the
        validator's error type and bounds (e.g. ``greater_than_equal``, ``{"ge": 1}``), from
        which a page words the refusal in its language."""
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.kind = kind
        self.limits = limits or {}


class MaxWinners(BaseModel):
    """Maximum winners by number of valid bidders N: ``N − minus`` or a table, capped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minus: int | None = Field(default=2, ge=0, le=10)
    table: dict[int, int] | None = None
    cap: int = Field(default=10, ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _table_replaces_minus(cls, data: object) -> object:
        """A table given without ``minus`` means the formula is off."""
        if isinstance(data, dict) and data.get("table") is not None and "minus" not in data:
            return {**data, "minus": None}
        return data

    @model_validator(mode="after")
    def _one_form(self) -> MaxWinners:
        """Exactly one of ``minus`` and ``table``; table values positive and non-decreasing."""
        if (self.minus is None) == (self.table is None):
            raise ValueError("give either minus or table")
        if self.table is not None:
            keys = sorted(self.table)
            if any(k < 1 or self.table[k] < 0 for k in keys):
                raise ValueError("table keys must be ≥ 1 and values ≥ 0")
            values = [self.table[k] for k in keys]
            if values != sorted(values):
                raise ValueError("table values must not decrease as bidders increase")
        return self


class RetentionTier(BaseModel):
    """Retained-savings share for an assessment score strictly above ``above_score``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    above_score: Decimal = Field(ge=0, le=100)
    ratio: Decimal = Field(ge=0, le=1)


def _ratio_map(values: dict[int, Decimal], name: str) -> dict[int, Decimal]:
    """Check a by-number-of-winners ratio map: keys ≥ 1, ratios in (0, 1]."""
    if not values or 1 not in values:
        raise ValueError(f"{name} needs an entry for 1 winner")
    for key, ratio in values.items():
        if key < 1 or not (Decimal(0) < ratio <= Decimal(1)):
            raise ValueError(f"{name}: keys ≥ 1 and ratios in (0, 1]")
    return values


class BatchRules(BaseModel):
    """Per-batch settings with the defaults of the 2nd–10th national batches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Winner determination (domain.md §4)
    fuse_multiple: Decimal = Field(default=Decimal("1.8"), gt=1, le=10)
    anchor: Literal["lowest", "half_mean"] = "lowest"
    half_mean_k: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    reduction_safe_harbour: Decimal | None = Field(default=Decimal("0.5"), gt=0, lt=1)
    absolute_safe_harbour: Decimal | None = Field(default=Decimal("0.1"), gt=0, le=100)
    max_winners: MaxWinners = MaxWinners()
    tie_break: Literal["earlier_submission", "larger_past_sales"] = "earlier_submission"
    agreed_ratio: dict[int, Decimal] = Field(
        default_factory=lambda: {1: Decimal("0.5"), 2: Decimal("0.6"), 3: Decimal("0.7"), 4: Decimal("0.8")}
    )
    contract_years: dict[int, int] = Field(default_factory=lambda: {1: 1, 2: 2, 3: 2, 4: 3})
    contract_end: date | None = None  # a fixed end date for every contract instead of years by winners
    # Allocation (optimizer)
    allocation_unit: Literal["region", "hospital"] = "region"
    min_regions_per_winner: int = Field(default=1, ge=0, le=50)
    max_share: Decimal | None = Field(default=None, gt=0, le=1)
    backup: bool = False
    # consumables volume gradients: share floors by rank per number of winners, e.g.
    # {2: ["0.6"], 3: ["0.6", "0.24"], 4: ["0.5", "0.25", "0.125"]} (None: no gradient)
    gradient: dict[int, tuple[Decimal, ...]] | None = None
    solver: Literal["highs", "cbc"] = "highs"
    time_limit_seconds: int = Field(default=60, ge=1, le=3600)
    gap: Decimal = Field(default=Decimal("0.0001"), ge=0, le=Decimal("0.1"))
    # Bidding (domain.md §3)
    strength_factor: Decimal = Field(default=Decimal("1.7"), gt=1, le=4)
    # Demand (domain.md §2)
    demand_floor_ratio: Decimal = Field(default=Decimal("0.8"), ge=0, le=1)
    allow_early_demand_close: bool = False
    # Review and publicity (domain.md §5)
    four_eyes: bool = True
    publicity_days: int = Field(default=3, ge=1, le=60)
    # Contract years and renewal (domain.md §7)
    next_year_actual_share: Decimal = Field(default=Decimal("0.8"), ge=0, le=1)
    next_year_not_below_agreed: bool = True
    reconfirm_days_before: int = Field(default=60, ge=1, le=365)
    renewal_window_months: int = Field(default=6, ge=1, le=24)
    renewal_max_price: Literal["previous", "lower_of_other_provinces"] = "previous"
    # Settlement (domain.md §6)
    prepayment_ratio: Decimal = Field(default=Decimal("0.3"), ge=0, le=1)
    prepayment_offset: Literal["proportional", "first", "none"] = "proportional"
    payment_days: int = Field(default=30, ge=1, le=180)
    apply_by_day: int = Field(default=3, ge=1, le=28)
    reconcile_by_day: int = Field(default=5, ge=1, le=28)
    pay_from_day: int = Field(default=7, ge=1, le=28)
    fund_payment_ratio: Decimal = Field(default=Decimal("1"), gt=0, le=1)
    retention_tiers: tuple[RetentionTier, ...] = (
        RetentionTier(above_score=Decimal(80), ratio=Decimal("0.5")),
        RetentionTier(above_score=Decimal(70), ratio=Decimal("0.4")),
        RetentionTier(above_score=Decimal(60), ratio=Decimal("0.3")),
    )
    # Supply guarantee (domain.md §7, 保供): the supplier's answer time to a reported supply
    # problem, who takes over a failed winner's volume and at which price
    supply_answer_hours: int = Field(default=48, ge=1, le=720)
    takeover_supplier: Literal["backup", "next_ranked"] = "backup"
    takeover_price: Literal["backup_price", "failed_price"] = "backup_price"

    @field_validator("agreed_ratio")
    @classmethod
    def _check_agreed(cls, value: dict[int, Decimal]) -> dict[int, Decimal]:
        """Agreed-volume ratios by number of winners."""
        return _ratio_map(value, "agreed_ratio")

    @field_validator("gradient")
    @classmethod
    def _check_gradient(cls, value: dict[int, tuple[Decimal, ...]] | None) -> dict | None:
        """Gradient floors: shares in (0, 1) summing to less than 1, at most winners − 1 of them."""
        for winners, floors in (value or {}).items():
            if winners < 2 or len(floors) >= winners + 1 or any(not Decimal(0) < f < Decimal(1) for f in floors) \
                    or sum(floors) >= 1:
                raise ValueError("gradient: for n ≥ 2 winners, up to n − 1 share floors in (0, 1) summing below 1")
        return value

    @field_validator("contract_years")
    @classmethod
    def _check_years(cls, value: dict[int, int]) -> dict[int, int]:
        """Contract years by number of winners: 1–5 years."""
        if not value or 1 not in value or any(k < 1 or not 1 <= v <= 5 for k, v in value.items()):
            raise ValueError("contract_years: an entry for 1 winner, years from 1 to 5")
        return value

    @model_validator(mode="after")
    def _check_calendar(self) -> BatchRules:
        """Settlement calendar days must come in order: apply ≤ reconcile ≤ pay."""
        if not self.apply_by_day <= self.reconcile_by_day <= self.pay_from_day:
            raise ValueError("apply_by_day ≤ reconcile_by_day ≤ pay_from_day")
        return self

    def to_json(self) -> str:
        """Canonical JSON text (decimals as strings)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


_Settings = TypeVar("_Settings", bound=BaseModel)


def parse_rules(data: dict | str | None) -> BatchRules:
    """Validate a rule set (dict or JSON text); raise :class:`RuleError` naming the bad field."""
    return parse_settings(BatchRules, data)


def parse_settings(model: type[_Settings], data: dict | str | None) -> _Settings:
    """Validate settings of a pydantic ``model`` (dict or JSON text; None: its defaults); raise
    :class:`RuleError` naming the first bad field (batch rules here, credit rules in ``credit.policy``)."""
    if data is None:
        return model()
    try:
        if isinstance(data, str):
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "rules"
        raise RuleError(field, first["msg"], first["type"],
                        {k: v for k, v in (first.get("ctx") or {}).items() if k in ("ge", "gt", "le", "lt")}) from None


def merged_rules(current: BatchRules, changes: dict) -> BatchRules:
    """Apply a partial change to a rule set and validate the result."""
    base = current.model_dump(mode="json")
    base.update(changes)
    return parse_rules(base)
