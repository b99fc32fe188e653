"""A batch's timeline and the one rule it must keep, checked where it is entered (creating or
editing a draft) and again before demand collection opens.

Problems are named per field with an English msgid (``_l``, translated by the web layer), so a
form marks each field and the service refuses the same timeline with the same reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

FIELDS = ("demand_deadline", "bid_deadline", "opening_at", "cycle_start", "cycle_end")


def _l(text: str) -> str:
    """Mark an English msgid for the catalog (extracted like the web layer's lazy_gettext);
    the web layer translates it when it shows it."""
    return text


@dataclass(frozen=True)
class Timeline:
    """A batch's dates: deadlines and opening are aware datetimes, the cycle is dates."""

    demand_deadline: datetime | None
    bid_deadline: datetime | None
    opening_at: datetime | None
    cycle_start: date | None
    cycle_end: date | None

    @classmethod
    def of(cls, batch) -> Timeline:
        """The timeline stored on a batch."""
        return cls(*(getattr(batch, name) for name in FIELDS))


class TimelineError(ValueError):
    """A refused timeline; ``problems`` maps each field to its msgid."""

    def __init__(self, problems: dict[str, str]) -> None:
        """Keep the problems per field; the text lists them for logs and the API."""
        super().__init__("; ".join(f"{field}: {text}" for field, text in problems.items()))
        self.problems = problems


def timeline_problems(timeline: Timeline, now: datetime) -> dict[str, str]:
    """Each field of the timeline that contradicts another or lies in the past, with why.

    The order: demand deadline < bid deadline ≤ opening, all after ``now``; the cycle starts
    before it ends. Fields left empty are not checked (a draft may be incomplete).
    """
    t = timeline
    problems: dict[str, str] = {}
    for name, text in (("demand_deadline", _l("The demand deadline has already passed.")),
                       ("bid_deadline", _l("The bid deadline has already passed.")),
                       ("opening_at", _l("The opening time has already passed."))):
        value = getattr(t, name)
        if value is not None and value <= now:
            problems[name] = text
    if t.demand_deadline and t.bid_deadline and not t.demand_deadline < t.bid_deadline:
        problems.setdefault("demand_deadline", _l("The demand deadline must be before the bid deadline."))
    if t.bid_deadline and t.opening_at and not t.bid_deadline <= t.opening_at:
        problems.setdefault("opening_at", _l("The opening cannot be before the bid deadline."))
    if t.bid_deadline is None and t.demand_deadline and t.opening_at and not t.demand_deadline < t.opening_at:
        problems.setdefault("opening_at", _l("The opening must be after the demand deadline."))
    if t.cycle_start and t.cycle_end and not t.cycle_start < t.cycle_end:
        problems["cycle_start"] = _l("The procurement cycle must start before it ends.")
    return problems


def missing_fields(timeline: Timeline) -> list[str]:
    """The fields still empty (demand collection needs them all)."""
    return [name for name in FIELDS if getattr(timeline, name) is None]


def check_timeline(timeline: Timeline, now: datetime) -> None:
    """Refuse a timeline with any problem, naming every field."""
    problems = timeline_problems(timeline, now)
    if problems:
        raise TimelineError(problems)
