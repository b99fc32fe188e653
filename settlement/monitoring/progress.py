"""Progress monitoring (序时进度): purchased vs agreed volume vs the time-proportional target.

Definitions (all exact, whole days, inclusive of both ends):

* cycle days = ``cycle_end − cycle_start + 1``; elapsed days at ``as_of`` =
  ``as_of − cycle_start + 1``, clamped to ``[0, cycle days]``;
* target = agreed × elapsed / cycle days, shown rounded half up to a whole unit;
  ``behind`` compares exactly: purchased × cycle days < agreed × elapsed;
* cycle month: 1 during the first calendar month after ``cycle_start`` (same day of month),
  2 during the second, …; from month ``flag_from_month`` (default 3) a row whose hospital has
  bought none of the selected product is flagged ``not_started``;
* non-selected share = non-selected qty / (selected + non-selected qty), 4 places half up,
  None when nothing was bought.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import round_half_up_div
from settlement.money.data import SettlementError, check_int

RATIO_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class AgreedVolume:
    """A hospital's agreed volume for an item over the cycle."""

    hospital_code: str
    item_code: str
    agreed_volume: int

    def __post_init__(self) -> None:
        """Refuse a negative agreed volume."""
        check_int("agreed_volume", self.agreed_volume)


@dataclass(frozen=True)
class Purchase:
    """Units bought of an item: of the selected (winning) product or of a non-selected one."""

    hospital_code: str
    item_code: str
    qty: int
    purchased_on: date
    selected: bool = True

    def __post_init__(self) -> None:
        """Refuse a negative quantity (returns are netted before)."""
        check_int("qty", self.qty)


@dataclass(frozen=True)
class ProgressRow:
    """One hospital × item at ``as_of``."""

    hospital_code: str
    item_code: str
    agreed_volume: int
    purchased_selected: int
    purchased_non_selected: int
    target_volume: int
    time_ratio: Decimal
    completion_ratio: Decimal | None
    behind: bool
    not_started: bool
    non_selected_share: Decimal | None


@dataclass(frozen=True)
class ProgressReport:
    """All rows, and the hospitals with at least one item not started from the flag month."""

    as_of: date
    cycle_month: int
    rows: tuple[ProgressRow, ...]
    not_started_hospitals: tuple[str, ...]


def cycle_month(cycle_start: date, as_of: date) -> int:
    """1-based month of the cycle containing ``as_of`` (0 before the cycle starts)."""
    if as_of < cycle_start:
        return 0
    months = (as_of.year - cycle_start.year) * 12 + as_of.month - cycle_start.month
    if as_of.day < cycle_start.day:
        months -= 1
    return months + 1


def _ratio(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` with 4 decimals, half up (exact integer maths first)."""
    return Decimal(round_half_up_div(numerator * 10000, denominator)) * RATIO_PLACES


def progress(
    agreed: Iterable[AgreedVolume],
    purchases: Iterable[Purchase],
    cycle_start: date,
    cycle_end: date,
    as_of: date,
    flag_from_month: int = 3,
) -> ProgressReport:
    """Progress per hospital × item with agreed volume; purchases outside the cycle are ignored."""
    if cycle_end < cycle_start:
        raise SettlementError("cycle ends before it starts")
    check_int("flag_from_month", flag_from_month, minimum=1)
    cycle_days = (cycle_end - cycle_start).days + 1
    elapsed = min(max((as_of - cycle_start).days + 1, 0), cycle_days)
    month = cycle_month(cycle_start, as_of)
    bought: dict[tuple[str, str, bool], int] = {}
    for p in purchases:
        if cycle_start <= p.purchased_on <= min(as_of, cycle_end):
            key = (p.hospital_code, p.item_code, p.selected)
            bought[key] = bought.get(key, 0) + p.qty
    rows = []
    seen: set[tuple[str, str]] = set()
    for a in sorted(agreed, key=lambda x: (x.hospital_code, x.item_code)):
        if (a.hospital_code, a.item_code) in seen:
            raise SettlementError(f"agreed volume twice for {a.hospital_code} × {a.item_code}")
        seen.add((a.hospital_code, a.item_code))
        sel = bought.get((a.hospital_code, a.item_code, True), 0)
        non = bought.get((a.hospital_code, a.item_code, False), 0)
        rows.append(
            ProgressRow(
                hospital_code=a.hospital_code,
                item_code=a.item_code,
                agreed_volume=a.agreed_volume,
                purchased_selected=sel,
                purchased_non_selected=non,
                target_volume=round_half_up_div(a.agreed_volume * elapsed, cycle_days),
                time_ratio=_ratio(elapsed, cycle_days),
                completion_ratio=_ratio(sel, a.agreed_volume) if a.agreed_volume else None,
                behind=sel * cycle_days < a.agreed_volume * elapsed,
                not_started=month >= flag_from_month and sel == 0 and a.agreed_volume > 0,
                non_selected_share=_ratio(non, sel + non) if sel + non else None,
            )
        )
    flagged = sorted({r.hospital_code for r in rows if r.not_started})
    return ProgressReport(as_of, month, tuple(rows), tuple(flagged))
