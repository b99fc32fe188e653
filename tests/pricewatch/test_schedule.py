"""The scheduler's price-monitoring pass: the month before on the 1st, the deep list's week on
Mondays, for every bureau region; a repeated pass raises nothing twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from jobs.models import JobRun
from jobs.tasks import price_monitoring_pass
from pricewatch.models import Alert, WatchRun
from pricewatch.schedule import due_runs
from tests.paystd.fixtures import approved_standards, executed, list_non_selected
from tests.pricewatch.test_monitoring import _raised_to_40


def test_what_is_due_on_which_day():
    assert due_runs(date(2024, 5, 1)) == [("2024-04", date(2024, 4, 1), date(2024, 4, 30), False)]
    assert due_runs(date(2024, 4, 8)) == [("2024-W14", date(2024, 4, 1), date(2024, 4, 7), True)]
    assert due_runs(date(2024, 4, 9)) == []
    assert [r[3] for r in due_runs(date(2024, 7, 1))] == [False, True]  # a Monday the 1st: both


def test_the_pass_on_the_first_runs_last_month_for_every_region_once(db, session, world):
    a, b = executed(session, world)
    approved_standards(session, a, b)
    product = list_non_selected(session, world, price="30")
    _raised_to_40(session, world, product)
    session.commit()
    at = datetime(2024, 4, 30, 22, 0, tzinfo=UTC)  # 06:00 on 1 May in Beijing
    report = price_monitoring_pass(db, at)
    assert not report.failed
    session.expire_all()
    runs = session.exec(select(WatchRun).order_by(WatchRun.region_code)).all()
    assert [(r.region_code, r.period, r.started_by) for r in runs] == [("320000", "2024-04", None),
                                                                        ("370000", "2024-04", None)]
    assert len(session.exec(select(Alert)).all()) == 3
    session.commit()
    price_monitoring_pass(db, at)
    session.expire_all()
    assert len(session.exec(select(Alert)).all()) == 3
    assert "price_monitoring" in {r.name for r in session.exec(select(JobRun)).all()}
