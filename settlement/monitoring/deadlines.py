"""Payment deadlines: due date = acceptance date + N days; overdue lines and their age.

A line accepted on day D with N = 30 is due on D + 30 and is on time if paid that day; it is
overdue from D + 31 (``days_overdue`` = as_of − due date, so 1 on the first overdue day).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta

from core.money import line_amount_fen
from settlement.money.data import AcceptedLine, check_int


def due_date(accepted_on: date, payment_days: int = 30) -> date:
    """The last day on which payment for a line accepted on ``accepted_on`` is on time."""
    check_int("payment_days", payment_days)
    return accepted_on + timedelta(days=payment_days)


@dataclass(frozen=True)
class OverdueLine:
    """An unpaid accepted line past its due date."""

    delivery_line_id: str
    hospital_code: str
    supplier_code: str
    amount_fen: int
    accepted_on: date
    due_on: date
    age_days: int
    days_overdue: int


def overdue_lines(
    lines: Iterable[AcceptedLine],
    as_of: date,
    paid_line_ids: AbstractSet[str] = frozenset(),
    payment_days: int = 30,
) -> tuple[OverdueLine, ...]:
    """Unpaid lines whose due date is before ``as_of``, most overdue first.

    ``age_days`` counts from acceptance; lines with nothing payable are never overdue.
    """
    out = []
    for line in lines:
        amount = line_amount_fen(line.accepted_qty, line.price_e4)
        due = due_date(line.accepted_on, payment_days)
        if line.delivery_line_id in paid_line_ids or amount == 0 or as_of <= due:
            continue
        out.append(
            OverdueLine(
                delivery_line_id=line.delivery_line_id,
                hospital_code=line.hospital_code,
                supplier_code=line.supplier_code,
                amount_fen=amount,
                accepted_on=line.accepted_on,
                due_on=due,
                age_days=(as_of - line.accepted_on).days,
                days_overdue=(as_of - due).days,
            )
        )
    return tuple(sorted(out, key=lambda x: (-x.days_overdue, x.delivery_line_id)))
