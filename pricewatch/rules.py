"""The monitoring rules of a bureau region (pure): each rule a setting with a severity
(``off`` switches it off), the periods a run covers, and the fingerprint that makes an alert
raised once per evidence.

| rule | raises when | setting |
|---|---|---|
| ``listed_raise`` | a listed price rose in the period by more than X % over the price in force before it | ``raise_pct`` |
| ``peer_median`` | a hospital paid for a product, on average over the period, more than Y % above the median of the hospitals buying it (at least ``peer_min`` of them) | ``peer_pct`` |
| ``non_selected`` | a non-selected product's unit comparable price is above k × the highest selected price of its generic | ``non_selected_multiple`` |
| ``provinces`` | a product's listed price is higher here than the latest price of at least N other provinces | ``provinces_n`` |
| ``paystd_cap`` | a listed price changed in the period to above the payment standard's cap of the day | — |
"""

from __future__ import annotations

import hashlib
import json
from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

SEVERITIES = ("off", "low", "medium", "high")
RULES = ("listed_raise", "peer_median", "non_selected", "provinces", "paystd_cap")


class WatchRules(BaseModel):
    """A region's monitoring settings with their defaults."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    raise_pct: Decimal = Field(default=Decimal("0.10"), gt=0, le=10)
    raise_severity: str = "medium"
    peer_pct: Decimal = Field(default=Decimal("0.30"), gt=0, le=10)
    peer_min: int = Field(default=3, ge=2, le=1000)
    peer_severity: str = "medium"
    non_selected_multiple: Decimal = Field(default=Decimal("2"), ge=1, le=100)
    non_selected_severity: str = "low"
    provinces_n: int = Field(default=3, ge=1, le=40)
    provinces_severity: str = "medium"
    paystd_severity: str = "high"

    def severity(self, rule: str) -> str:
        """The severity of ``rule`` (``off``: not run)."""
        return {"listed_raise": self.raise_severity, "peer_median": self.peer_severity,
                "non_selected": self.non_selected_severity, "provinces": self.provinces_severity,
                "paystd_cap": self.paystd_severity}[rule]

    def model_post_init(self, _context) -> None:
        for rule in RULES:
            if self.severity(rule) not in SEVERITIES:
                raise ValueError(f"severity of {rule} must be one of {', '.join(SEVERITIES)}")

    def to_json(self) -> str:
        """The settings as stored."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


def parse_watch_rules(text: str | None) -> WatchRules:
    """Stored settings read back (None: the defaults)."""
    return WatchRules.model_validate_json(text) if text else WatchRules()


def month_period(month: str) -> tuple[date, date]:
    """``2026-11`` → (2026-11-01, 2026-11-30); ValueError for anything else."""
    if len(month) != 7 or month[4] != "-":
        raise ValueError(month)
    year, mon = int(month[:4]), int(month[5:])
    if not 2000 <= year <= 2100 or not 1 <= mon <= 12:
        raise ValueError(month)
    return date(year, mon, 1), date(year, mon, monthrange(year, mon)[1])


def week_period(day: date) -> tuple[str, date, date]:
    """The ISO week before ``day``'s week (what a weekly deep-monitoring run on ``day`` covers)."""
    start = day - timedelta(days=day.weekday() + 7)
    iso = start.isocalendar()
    return f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=6)


def fingerprint(rule: str, period: str, subject: dict, evidence: dict) -> str:
    """SHA-256 of the rule, the period, the subject and the prices compared: the same evidence
    gives the same fingerprint, so a second run raises nothing new."""
    text = json.dumps([rule, period, subject, evidence], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def rose_beyond(before_e4: int, after_e4: int, pct: Decimal) -> bool:
    """Whether ``after`` exceeds ``before`` by more than ``pct`` (exact)."""
    return Decimal(after_e4) > Decimal(before_e4) * (1 + pct)
