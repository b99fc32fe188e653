"""The monthly settlement calendar (apply by the 3rd, reconcile by the 5th, pay from the 7th),
driven with explicit Asia/Shanghai times: reminders once a month, the system run on the pay day
and not before, a second pass a no-op, and the system's run approvable by any officer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from notices.models import Notification
from settlement import services
from settlement.models import SettlementRun
from settlement.runs.calendar import (
    APPLY_DUE,
    RECONCILE_DUE,
    RUN_AWAITS,
    phase_of,
    previous_month,
    run_calendar,
    run_calendar_step,
)
from tests.settlement.fixtures_db import officer_b, setup  # noqa: F401

SH = ZoneInfo("Asia/Shanghai")
OCT_END = datetime(2026, 10, 31, 4, 0, tzinfo=UTC)


def sh(day: int, hour: int = 10, month: int = 11, year: int = 2026) -> datetime:
    """A Shanghai wall-clock time, as the aware datetime the services take."""
    return datetime(year, month, day, hour, 0, tzinfo=SH)


def deliver(session, world, setup, lines):  # noqa: F811
    """Record and accept (item, quantity, day of October) lines; the acceptances."""
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    out = []
    for item, qty, day in lines:
        d = services.record_delivery(session, supplier, services.DeliveryInput(
            setup.contracts[item].code, qty, date(2026, 10, day)), OCT_END)
        out.append(services.accept_delivery(session, hospital, d.id, qty, date(2026, 10, day), OCT_END))
    return out


def notices(session, kind: str) -> list[Notification]:
    """Notifications of one kind, oldest first."""
    return list(session.exec(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all())


def test_calendar_phases_follow_the_rules():
    assert [phase_of(d, 3, 5, 7) for d in (1, 3, 4, 5, 6, 7, 28)] == [
        "apply", "apply", "reconcile", "reconcile", "wait", "pay", "pay"]
    assert phase_of(3, 3, 3, 3) == "pay"  # days may coincide: paying wins
    assert previous_month(date(2026, 11, 7)) == "2026-10" and previous_month(date(2027, 1, 2)) == "2026-12"


def test_a_month_through_the_calendar(session, world, setup, officer_b):  # noqa: F811
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    accs = deliver(session, world, setup, [("YP001", 1000, 3), ("YP003", 300, 9), ("YP001", 50, 20)])

    # the 1st–3rd: the supplier with unapplied accepted lines is reminded, once
    first = run_calendar_step(session, setup.code, sh(1, 9))
    assert (first.month, first.phase, first.notified) == ("2026-10", "apply", 1)
    assert run_calendar_step(session, setup.code, sh(3, 20)).notified == 0
    (reminder,) = notices(session, APPLY_DUE)
    assert reminder.org_id == world.orgs[("A", OrgKind.SUPPLIER)].id and reminder.role == "supplier_rep"
    assert "2026-10" in reminder.text and "3" in reminder.text

    # the 4th–5th: the hospital with applied, pending lines is reminded, once
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", sh(2))
    assert run_calendar_step(session, setup.code, sh(4)).notified == 1
    assert run_calendar_step(session, setup.code, sh(5, 23)).notified == 0
    (hospital_notice,) = notices(session, RECONCILE_DUE)
    assert hospital_notice.org_id == world.orgs[("A", OrgKind.HOSPITAL)].id and hospital_notice.role == "hospital_buyer"
    services.reconcile(session, hospital, [accs[0].id, accs[1].id], True, "", sh(5))
    services.reconcile(session, hospital, [accs[2].id], False, "数量不符", sh(5))

    # the 6th (even late at night): no run yet
    assert run_calendar_step(session, setup.code, sh(6, 23)).phase == "wait"
    assert session.exec(select(SettlementRun)).all() == []

    # the 7th, Shanghai time (still the 6th in UTC): the system runs the month
    seventh = sh(7, 0).replace(minute=30)
    assert seventh.astimezone(UTC).day == 6
    paid = run_calendar_step(session, setup.code, seventh)
    assert paid.phase == "pay" and paid.run_ref and paid.notified == 1
    (run,) = session.exec(select(SettlementRun)).all()
    assert (run.month, run.computed_by, run.status, run.line_count, run.carried_count) == ("2026-10", None,
                                                                                           "computed", 2, 1)
    (awaits,) = notices(session, RUN_AWAITS)
    assert awaits.org_id == world.orgs[("A", OrgKind.FUND)].id and awaits.role == "settlement_officer"
    assert run.run_ref in awaits.text

    # a second pass (and the next days) is a no-op: no second run, no second notice
    again = run_calendar_step(session, setup.code, seventh + timedelta(hours=1))
    assert (again.run_ref, again.notified, again.acted) == (None, 0, False)
    run_calendar_step(session, setup.code, sh(12))
    assert len(session.exec(select(SettlementRun)).all()) == 1 and len(notices(session, RUN_AWAITS)) == 1

    # any settlement officer of the fund may approve the system's run (nobody computed it)
    approved = services.approve_run(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], run.id, sh(8)).value
    assert approved.status == "approved"


def test_nothing_to_settle_is_not_a_failure(session, world, setup):  # noqa: F811
    outcomes = {o.batch_code: o for o in run_calendar(session, sh(7, 9))}
    assert set(outcomes) == {setup.code, "JSFOREIGN2"}  # every batch in execution
    assert all(o.phase == "pay" and o.run_ref is None and o.note == "nothing to settle" for o in outcomes.values())
    assert session.exec(select(SettlementRun)).all() == [] and notices(session, RUN_AWAITS) == []


def test_a_run_made_by_hand_before_the_pay_day_is_not_repeated(session, world, setup):  # noqa: F811
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    (acc,) = deliver(session, world, setup, [("YP001", 10, 2)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", sh(1))
    services.reconcile(session, hospital, [acc.id], True, "", sh(2))
    by_hand = services.run_settlement(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], setup.code, "2026-10",
                                      sh(3)).run
    outcome = run_calendar_step(session, setup.code, sh(7))
    assert outcome.run_ref is None and outcome.notified == 1  # officers are told it awaits approval
    assert [r.id for r in session.exec(select(SettlementRun)).all()] == [by_hand.id]


def test_reminders_come_again_the_next_month(session, world, setup):  # noqa: F811
    deliver(session, world, setup, [("YP001", 10, 2)])
    assert run_calendar_step(session, setup.code, sh(2)).notified == 1
    december = run_calendar_step(session, setup.code, sh(1, 10, month=12))
    assert (december.month, december.notified) == ("2026-11", 1)  # still unapplied: reminded for November
    assert len(notices(session, APPLY_DUE)) == 2


def test_a_refusal_other_than_nothing_to_settle_is_raised(session, world, setup):  # noqa: F811
    import pytest

    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    (acc,) = deliver(session, world, setup, [("YP001", 10, 2)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", sh(1))
    services.reconcile(session, hospital, [acc.id], True, "", sh(2))
    fund = session.get(Organisation, world.orgs[("A", OrgKind.FUND)].id)
    fund.bank_account = None
    session.add(fund)
    session.commit()
    with pytest.raises(services.SettlementRefused, match="bank account"):
        run_calendar_step(session, setup.code, sh(7))
    assert session.exec(select(SettlementRun)).all() == []
