"""The rules of self-settled payments (pure): the payment deadline and the bank reference.

Which accepted rows the hospital pays itself is the direct-settlement scope's answer: every
accepted row the fund does not settle (``directpay.queries.self_settled``, the scope in force for
the hospital's region on the acceptance day). A payment covers whole rows and its amount must
equal their total to the fen (no partial payments: a hospital pays a row in full, or leaves it
unpaid)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from core.i18n import N_, Msg

#: days from acceptance by which a self-settled row must be paid (domain.md §7: 30 days; the
#: platform's setting ``JICAI_SELF_PAY_DAYS``)
DEFAULT_DEADLINE_DAYS = 30
MAX_LINES = 2000  # rows one payment may cover
BANK_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/]{3,39}")


def due_on(accepted_on: date, days: int = DEFAULT_DEADLINE_DAYS) -> date:
    """The last day a row accepted on ``accepted_on`` may be paid on time."""
    return accepted_on + timedelta(days=days)


def days_overdue(accepted_on: date, today: date, days: int = DEFAULT_DEADLINE_DAYS) -> int:
    """Days past the deadline on ``today`` (0 while it is not passed)."""
    return max(0, (today - due_on(accepted_on, days)).days)


def bank_ref_problem(ref: str) -> Msg | None:
    """Why a bank reference is refused, or None: 4–40 letters, digits, ``-``, ``_`` or ``/``,
    starting with a letter or digit."""
    if not BANK_REF.fullmatch(ref):
        return N_("the bank reference must be 4 to 40 letters, digits, '-', '_' or '/': %(value)s", value=ref[:40])
    return None


def on_time_rate(on_time: int, due: int) -> tuple[int, int] | None:
    """The on-time payment rate as (paid within the deadline, due), or None when nothing is due."""
    return (on_time, due) if due else None
