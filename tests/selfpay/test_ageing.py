"""Ageing: unpaid self-settled rows past the deadline (30 days from acceptance, a setting) are
overdue; the daily alert tells the hospital and its bureau once a day; the on-time rate is paid
within the deadline ÷ due. Later days are reached by running the real services at a moved time."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import func, select

from accounts.roles import Role
from notices.models import Notification
from selfpay.alerts import KIND, send_overdue_alerts
from selfpay.queries import figures, ledger
from selfpay.services import record_self_payment
from tests.orders.conftest import listed
from tests.selfpay.conftest import NOW, accept_all


def _notices(session):
    return session.exec(select(Notification.org_id, Notification.role).where(Notification.kind == KIND)
                        .order_by(Notification.org_id)).all()


def test_a_row_is_overdue_the_day_after_its_deadline(session, world, accepted):
    bureau = world.actors[("A", Role.PRICE_OFFICER)]
    on_deadline, day_after = date(2026, 12, 31), date(2027, 1, 1)
    (row,) = ledger(session, bureau, on_deadline)
    assert (row.acceptance_id, row.due_on, row.overdue) == (accepted.plain.id, on_deadline, False)
    (row,) = ledger(session, bureau, day_after)
    assert (row.overdue, row.days_overdue) == (True, 1)
    assert ledger(session, bureau, day_after, days=45)[0].overdue is False  # the deadline is a setting


def test_the_daily_alert_goes_to_the_hospital_and_its_bureau_once(session, world, accepted):
    assert send_overdue_alerts(session, NOW + timedelta(days=30)) == 0  # on the deadline day: not yet
    late = NOW + timedelta(days=31)
    assert send_overdue_alerts(session, late) == 2
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)].org_id
    bureau = world.actors[("A", Role.PRICE_OFFICER)].org_id
    assert sorted(_notices(session)) == sorted([(hospital, "hospital_buyer"), (bureau, None)])
    assert send_overdue_alerts(session, late + timedelta(hours=3)) == 0  # idempotent within the day
    assert send_overdue_alerts(session, late + timedelta(days=1)) == 2  # and again the next day
    text = session.exec(select(Notification.text).where(Notification.org_id == hospital,
                                                        Notification.kind == KIND)).first()
    assert "¥400.04" in text


def test_a_paid_row_is_no_longer_overdue_and_counts_for_the_on_time_rate(session, world, accepted):
    hospital, bureau = accepted.shop.hospital, world.actors[("A", Role.PRICE_OFFICER)]
    late = accept_all(session, accepted.shop, NOW, plain=1)  # a second row, accepted the same day
    record_self_payment(session, hospital, [accepted.plain.id], "2026-12-20", "400.04", "CMB-001",
                        NOW + timedelta(days=19))  # within the deadline
    record_self_payment(session, hospital, [late.plain.id], "2027-01-05", "100.01", "CMB-002",
                        NOW + timedelta(days=35))  # five days late
    today = date(2027, 1, 10)
    (f,) = figures(ledger(session, bureau, today), today)
    assert (f.due, f.on_time, f.rate, f.overdue, f.unpaid) == (2, 1, (1, 2), 0, 0)
    assert send_overdue_alerts(session, NOW + timedelta(days=40)) == 0
    assert session.exec(select(func.count()).select_from(Notification).where(Notification.kind == KIND)).one() == 0


def test_each_bureau_sees_only_its_regions_hospitals(session, world, accepted):
    accept_all(session, listed(session, world, "B"), NOW, side="B")
    today = date(2027, 1, 10)
    a = figures(ledger(session, world.actors[("A", Role.PRICE_OFFICER)], today), today)
    b = figures(ledger(session, world.actors[("B", Role.PRICE_OFFICER)], today), today)
    assert [f.hospital_org_id for f in a] == [accepted.shop.hospital.org_id]
    assert [f.hospital_org_id for f in b] == [world.actors[("B", Role.HOSPITAL_BUYER)].org_id]
    assert ledger(session, world.actors[("A", Role.SUPPLIER_REP)], today) == ledger(
        session, accepted.shop.hospital, today)  # the supplier sees the rows of its products


def test_the_schedulers_daily_alerts_pass_runs_the_overdue_step(db, session, world, accepted):
    from jobs.tasks import alerts_pass

    session.close()
    late = NOW + timedelta(days=31)
    assert "selfpay_overdue" in alerts_pass(db, late).done
    assert "selfpay_overdue" in alerts_pass(db, late).idle  # the same day: nothing new
    assert "selfpay_overdue" in alerts_pass(db, late + timedelta(days=1), self_pay_days=60).idle  # not late at 60
