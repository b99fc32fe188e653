"""To-dos from review state, per role, and the notices written at each waiting step: the
submitter waits while the second officer approves (four-eyes); objections are the officer's
until answered, before the publicity ends; hospitals and bidders see the publicity; the
officer starts execution when the cycle begins."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from accounts.roles import OrgKind, Role
from evaluation import services as evaluation
from notices.models import Notification
from procurement.models import Batch
from review import services
from review.tasks import cycle_start_at, review_tasks
from tests.evaluation.fixtures import OPENING, opened_batch

T = OPENING + timedelta(hours=1)


def _codes(session, actor, now, code):
    """(task code, due, count) of the actor's review tasks for batch ``code``."""
    session.expire_all()
    return [(t.code, t.due, t.count) for t in review_tasks(session, actor, now) if t.batch_code == code]


def _notices(session, kind):
    """(organisation, role) of the notices of ``kind``."""
    return {(n.org_id, n.role) for n in session.exec(select(Notification).where(Notification.kind == kind)).all()}


def test_each_role_finds_the_waiting_step_on_its_list_with_its_due_date(db, session, world, ring, second_officer):
    code = opened_batch(session, world, ring)
    a, b = world.actors[("A", Role.PRICE_OFFICER)], second_officer
    hospital, supplier = world.actors[("A", Role.HOSPITAL_BUYER)], world.actors[("A", Role.SUPPLIER_REP)]
    bureau = world.orgs[("A", OrgKind.BUREAU)].id
    run = evaluation.request_evaluation(session, a, code, T).value
    session.close()
    evaluation.claim_and_run(db, run.id, a)
    services.submit_for_review(session, a, code, 1, T)
    assert _codes(session, a, T, code) == [("awaiting_second_officer", None, None)]
    assert _codes(session, b, T, code) == [("approve_review", None, None)]
    assert _notices(session, "review_pending") == {(bureau, "price_officer")}

    services.decide(session, b, code, True, "", T)
    ends = T + timedelta(days=3)  # the default publicity period
    assert _codes(session, a, T, code) == [("publicity_running", ends, None)]
    assert _codes(session, hospital, T, code) == [("see_publicity", ends, None)]
    assert _codes(session, supplier, T, code) == [("see_result", ends, None)]
    assert (hospital.org_id, "hospital_buyer") in _notices(session, "publicity_started")

    objection = services.lodge_objection(session, supplier, code, "请核对价格", None, T + timedelta(hours=2))
    assert _codes(session, a, T, code) == [("answer_objections", ends, 1)]
    assert _codes(session, b, T, code) == [("answer_objections", ends, 1)]
    late = [t for t in review_tasks(session, a, ends + timedelta(minutes=1)) if t.batch_code == code]
    assert late[0].overdue  # unanswered at the end of the period: the batch cannot be published
    assert _notices(session, "objection_lodged") == {(bureau, "price_officer")}
    services.answer_objection(session, b, code, objection.id, "经复核无误", T + timedelta(days=1))
    assert _codes(session, a, T, code) == [("publicity_running", ends, None)]

    services.end_publicity(session, None, code, ends)
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    start = cycle_start_at(batch)
    assert _codes(session, a, ends, code) == [("start_execution", start, None)]
    assert not review_tasks(session, a, ends)[0].overdue
    assert review_tasks(session, a, start)[0].overdue  # due once the cycle begins
    assert _notices(session, "execution_due") == {(bureau, "price_officer")}
    assert _codes(session, hospital, ends, code) == []  # published: its contracts are its task now
