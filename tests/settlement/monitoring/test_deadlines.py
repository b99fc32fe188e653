"""Payment due dates and overdue lines."""

from __future__ import annotations

from datetime import date

from settlement.monitoring.deadlines import due_date, overdue_lines
from tests.settlement.factories import line


def test_due_date_is_acceptance_plus_n_days() -> None:
    assert due_date(date(2026, 10, 1)) == date(2026, 10, 31)
    assert due_date(date(2026, 2, 1), 45) == date(2026, 3, 18)


def test_overdue_from_the_day_after_the_due_date() -> None:
    lines = [
        line("a", on=date(2026, 10, 1)),  # due 10-31
        line("b", on=date(2026, 10, 2), qty=3),  # due 11-01
        line("c", on=date(2026, 9, 1)),  # due 10-01, but paid
        line("d", on=date(2026, 9, 1), qty=0),  # nothing payable
        line("e", on=date(2026, 9, 20)),  # due 10-20
    ]
    # On its due date a line is still on time: only e is overdue on 10-31.
    on_due = overdue_lines(lines, date(2026, 10, 31), {"c"})
    assert [(x.delivery_line_id, x.days_overdue) for x in on_due] == [("e", 11)]
    got = overdue_lines(lines, date(2026, 11, 2), {"c"})
    assert [(x.delivery_line_id, x.days_overdue, x.age_days, x.amount_fen) for x in got] == [
        ("e", 13, 43, 100),
        ("a", 2, 32, 100),
        ("b", 1, 31, 300),
    ]
    assert got[1].due_on == date(2026, 10, 31)


def test_payment_days_is_a_setting() -> None:
    lines = [line("a", on=date(2026, 10, 1))]
    assert overdue_lines(lines, date(2026, 10, 12), payment_days=10)[0].days_overdue == 1
    assert overdue_lines(lines, date(2026, 10, 11), payment_days=10) == ()
