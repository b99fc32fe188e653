"""A bureau region's credit rules (pure): how breaches become a grade, what each grade costs
the supplier, how long a rating holds, and the waits before a decision or a repair.

These are **platform settings per bureau region**, not batch settings: a rating concerns a
supplier across every batch the bureau runs (and bars it from the next one), so its rules cannot
live on one batch. Each change is a new version (``credit_policy`` rows), the newest applies.

The derivation (:func:`derive_grade`): the confirmed breaches whose date lies within
``lookback_days`` before the rating day count; the grade starts at the most serious base grade
of their kinds and rises one level for every ``repeat_step`` further breaches, at most to
特别严重 (particularly serious).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from procurement.rules import parse_settings

BREACH_KINDS = ("supply_failure", "refusal_to_deliver", "price_manipulation", "kickback")
GRADES = ("general", "medium", "serious", "particularly_serious")  # 一般 / 中等 / 严重 / 特别严重
CONSEQUENCES = ("reminder", "warning", "suspension", "exclusion")
BARRING = ("suspension", "exclusion")  # consequences under which bids are refused

Grade = Literal["general", "medium", "serious", "particularly_serious"]
Consequence = Literal["reminder", "warning", "suspension", "exclusion"]


class CreditRules(BaseModel):
    """The credit rules with their defaults (国家医保局《医药价格和招采信用评价的操作规范》 in outline)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statement_days: int = Field(default=10, ge=1, le=90)
    lookback_days: int = Field(default=730, ge=30, le=3650)
    base_grade: dict[str, Grade] = Field(default_factory=lambda: {
        "supply_failure": "serious", "refusal_to_deliver": "serious", "price_manipulation": "serious",
        "kickback": "medium"})
    repeat_step: int = Field(default=1, ge=1, le=10)
    consequence: dict[str, Consequence] = Field(default_factory=lambda: {
        "general": "reminder", "medium": "warning", "serious": "suspension", "particularly_serious": "exclusion"})
    validity_days: dict[str, int] = Field(default_factory=lambda: {
        "general": 90, "medium": 180, "serious": 365, "particularly_serious": 730})
    exclusion_years: int = Field(default=2, ge=1, le=10)
    repair_wait_days: int = Field(default=90, ge=0, le=3650)
    four_eyes: bool = True

    @field_validator("base_grade")
    @classmethod
    def _every_kind(cls, value: dict[str, str]) -> dict[str, str]:
        """A base grade for exactly the known breach kinds."""
        if set(value) != set(BREACH_KINDS):
            raise ValueError("a base grade for every breach kind")
        return value

    @field_validator("consequence")
    @classmethod
    def _every_grade(cls, value: dict[str, str]) -> dict[str, str]:
        """A consequence for exactly the four grades, never milder for a more serious grade."""
        if set(value) != set(GRADES):
            raise ValueError("a consequence for every grade")
        levels = [CONSEQUENCES.index(value[g]) for g in GRADES]
        if levels != sorted(levels):
            raise ValueError("a more serious grade may not have a milder consequence")
        return value

    @field_validator("validity_days")
    @classmethod
    def _validity(cls, value: dict[str, int]) -> dict[str, int]:
        """A validity of 1 to 3650 days for each of the four grades."""
        if set(value) != set(GRADES) or any(not 1 <= v <= 3650 for v in value.values()):
            raise ValueError("a validity from 1 to 3650 days for every grade")
        return value

    def to_json(self) -> str:
        """Canonical JSON text."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)

    def validity_end(self, grade: str, start: date) -> date:
        """The last day a rating of ``grade`` published on ``start`` holds: ``exclusion_years``
        years for an exclusion, else the grade's validity in days."""
        if self.consequence[grade] == "exclusion":
            try:
                return start.replace(year=start.year + self.exclusion_years) - timedelta(days=1)
            except ValueError:  # 29 February
                return start.replace(year=start.year + self.exclusion_years, day=28)
        return start + timedelta(days=self.validity_days[grade] - 1)


def parse_credit_rules(data: dict | str | None) -> CreditRules:
    """Validate credit rules (dict or JSON text); :class:`RuleError` names the bad field."""
    return parse_settings(CreditRules, data)


@dataclass(frozen=True)
class CountedBreach:
    """A confirmed breach as the derivation sees it."""

    reference: str
    kind: str
    occurred_on: date


@dataclass(frozen=True)
class Derivation:
    """The grade the rules give, and why: the breaches counted, the base grade and its kind,
    and how many levels repetition added."""

    grade: str
    consequence: str
    counted: tuple[CountedBreach, ...]
    base_grade: str
    base_kind: str
    raised: int

    def basis(self) -> dict:
        """The derivation as stored with the rating."""
        return {"breaches": [b.reference for b in self.counted], "base_grade": self.base_grade,
                "base_kind": self.base_kind, "raised": self.raised, "grade": self.grade}


def derive_grade(rules: CreditRules, breaches: list[CountedBreach], on: date) -> Derivation | None:
    """The grade of a supplier on day ``on`` from its confirmed breaches (None: none counts)."""
    since = on - timedelta(days=rules.lookback_days)
    counted = tuple(sorted((b for b in breaches if since < b.occurred_on <= on),
                           key=lambda b: (b.occurred_on, b.reference)))
    if not counted:
        return None
    worst = max(counted, key=lambda b: (GRADES.index(rules.base_grade[b.kind]), -BREACH_KINDS.index(b.kind)))
    base = rules.base_grade[worst.kind]
    raised = (len(counted) - 1) // rules.repeat_step
    grade = GRADES[min(len(GRADES) - 1, GRADES.index(base) + raised)]
    return Derivation(grade, rules.consequence[grade], counted, base, worst.kind, GRADES.index(grade) - GRADES.index(base))
