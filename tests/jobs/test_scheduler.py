"""The scheduler's timed steps, and the lock that keeps a second scheduler waiting."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import select

from accounts.roles import Role
from bidding import services
from jobs.runner import scheduler_lock
from jobs.steps import run_due_steps
from procurement.models import Batch
from tests.bidding.conftest import bid, make_bidding_batch
from tests.conftest import aware

T0 = aware(2030, 1, 1, 0, 0)
DEMAND, DEADLINE, OPENING = T0 + timedelta(days=1), T0 + timedelta(days=10), T0 + timedelta(days=10, hours=1)


def _status(db, code):
    with db.read_session() as s:
        return s.exec(select(Batch.status).where(Batch.code == code)).one()


def test_due_steps_open_bids_at_the_opening_time(db, session, world, ring):
    code = make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code, bid(), ring, DEMAND)
    session.close()
    early = run_due_steps(db, ring, OPENING - timedelta(seconds=1))
    assert early.done == [] and _status(db, code) == "bidding"
    report = run_due_steps(db, ring, OPENING)
    assert report.done == [f"open_bids {code}"] and report.failed == []
    assert _status(db, code) == "opened"
    assert run_due_steps(db, ring, OPENING + timedelta(minutes=1)).done == []  # idempotent


def test_a_failing_step_is_reported_not_raised(db, session, world, ring):
    from bidding.keys import Kek, KeyRing

    code = make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code, bid(), ring, DEMAND)
    session.close()
    report = run_due_steps(db, KeyRing((Kek.generate("wrong"),)), OPENING)
    assert report.done == [] and report.failed[0][0] == f"open_bids {code}"
    assert _status(db, code) == "bidding"


def test_second_scheduler_waits_for_the_lock(db, tmp_path):
    events: list[str] = []
    first_in = threading.Event()
    release = threading.Event()

    def first():
        with scheduler_lock(db, tmp_path):
            events.append("first in")
            first_in.set()
            release.wait(10)
        events.append("first out")

    def second():
        first_in.wait(10)
        with scheduler_lock(db, tmp_path, wait=lambda: (events.append("second waits"), release.set(),
                                                        threading.Event().wait(0.05))):
            events.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert events[0] == "first in" and "second waits" in events
    assert events.index("second in") > events.index("first out")


def test_recorded_passes_beat_back_off_and_notify(db, session, world, ring, client):
    from bidding.keys import Kek, KeyRing
    from jobs.models import JobRun
    from jobs.queries import scheduler_status
    from jobs.steps import run_and_record
    from notices.models import Notification
    from tests.conftest import login

    code = make_bidding_batch(session, world, demand_deadline=DEMAND, bid_deadline=DEADLINE, opening_at=OPENING)
    services.submit_bid(session, world.actors[("A", Role.SUPPLIER_REP)], code, bid(), ring, DEMAND)
    session.close()
    wrong = KeyRing((Kek.generate("wrong"),))
    first = run_and_record(db, wrong, OPENING, host="h", pid=1, interval_seconds=15)
    assert first.failed and first.failed[0][0] == f"open_bids {code}"
    again = run_and_record(db, wrong, OPENING + timedelta(seconds=15), interval_seconds=15)
    assert again.waiting == [f"open_bids {code}"]  # backing off: 15 s × 2^1 = 30 s
    later = run_and_record(db, ring, OPENING + timedelta(seconds=31), interval_seconds=15)
    assert later.done == [f"open_bids {code}"]
    with db.read_session() as s:
        runs = s.exec(select(JobRun).order_by(JobRun.id)).all()
        assert [(r.ok, r.attempt) for r in runs] == [(False, 1), (True, 1)]
        assert s.exec(select(Notification).where(Notification.kind == "job_failed")).first() is not None
        assert scheduler_status(s, OPENING + timedelta(seconds=40)).state == "ok"
        assert scheduler_status(s, OPENING + timedelta(hours=1)).state == "stale"
    login(client, world.username("A", Role.ADMIN))
    page = client.get("/jobs").get_data(as_text=True)
    assert f"open_bids {code}" in page and "✗" in page
