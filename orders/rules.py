"""The statuses of orders and their lines, their transition tables, and the order's refusal type
(pure: no database)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from core.i18n import N_, Msg


class OrderStatus(StrEnum):
    """Where an order stands."""

    DRAFT = "draft"
    SENT = "sent"
    WITHDRAWN = "withdrawn"


class LineStatus(StrEnum):
    """Where a line stands: a draft's, waiting for the distributor, confirmed or refused by it."""

    DRAFT = "draft"
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


#: order status → {step: next status}
ORDER_STEPS: dict[OrderStatus, dict[str, OrderStatus]] = {
    OrderStatus.DRAFT: {"send": OrderStatus.SENT, "withdraw": OrderStatus.WITHDRAWN},
    OrderStatus.SENT: {},
    OrderStatus.WITHDRAWN: {},
}

#: line status → {step: next status}
LINE_STEPS: dict[LineStatus, dict[str, LineStatus]] = {
    LineStatus.DRAFT: {"send": LineStatus.PENDING, "withdraw": LineStatus.WITHDRAWN},
    LineStatus.PENDING: {"confirm": LineStatus.CONFIRMED, "refuse": LineStatus.REFUSED},
    LineStatus.CONFIRMED: {},
    LineStatus.REFUSED: {},
    LineStatus.WITHDRAWN: {},
}


def next_order_status(status: str, step: str) -> OrderStatus | None:
    """The order's status after ``step``, or None when the table does not allow it."""
    return ORDER_STEPS.get(OrderStatus(status), {}).get(step)


def next_line_status(status: str, step: str) -> LineStatus | None:
    """The line's status after ``step``, or None when the table does not allow it."""
    return LINE_STEPS.get(LineStatus(status), {}).get(step)


#: the most packs on one line, and lines in one request: anything above is a typing error
MAX_QUANTITY = 10_000_000
MAX_LINES = 20_000
MAX_LOT = 40


class OrderRefused(ValueError):
    """An order step refused. ``problems`` names each fault as (line index or None, field, reason);
    the first is the message shown."""

    def __init__(self, problems: Sequence[tuple[int | None, str | None, Msg]]) -> None:
        self.problems = list(problems)
        self.msg = shown(self.problems[0])
        super().__init__(self.msg)

    @classmethod
    def one(cls, msg: Msg, field: str | None = None, line: int | None = None) -> OrderRefused:
        """A refusal with one reason."""
        return cls([(line, field, msg)])


def shown(problem: tuple[int | None, str | None, Msg]) -> Msg:
    """A problem as one message, naming the line (1-based) when there is one."""
    line, _field, msg = problem
    if line is None:
        return msg
    return N_("line %(n)s: %(reason)s", n=line + 1, reason=msg)
