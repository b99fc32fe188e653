"""What the scheduler's daily price-monitoring pass runs (``jobs.tasks.price_monitoring``): on
the 1st of a month the general run of the month before for every bureau region, on Mondays the
deep-monitoring run of the week before. A run is idempotent by evidence, so a pass repeated on
the same day raises nothing twice."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from accounts.models import Organisation
from accounts.roles import OrgKind
from pricewatch.rules import month_period, week_period


def due_runs(today: date) -> list[tuple[str, date, date, bool]]:
    """(period, start, end, deep) due on ``today`` (a local date)."""
    runs = []
    if today.day == 1:
        month = f"{today - timedelta(days=1):%Y-%m}"
        runs.append((month, *month_period(month), False))
    if today.weekday() == 0:
        runs.append((*week_period(today), True))
    return runs


def regions(session: Session) -> list[str]:
    """The region of every active bureau (each watches its own)."""
    return sorted(set(session.exec(select(Organisation.region_code).where(Organisation.kind == OrgKind.BUREAU,
                                                                           Organisation.active)).all()))
