"""Repeated review steps and contract signatures are no-ops that say so: no second decision,
publication or audit row; 24 parallel clicks on a contract sign it once (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from accounts.roles import Role
from core.audit import AuditEntry
from review import services
from review.models import Contract, ReviewDecision
from tests.conftest import run_together
from tests.evaluation.fixtures import opened_batch
from tests.review.test_services import T, _evaluate, _status


def _audits(db, action: str) -> int:
    with db.read_session() as s:
        return s.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)).one()


def _published(db, session, world, ring, reviewer) -> str:
    """A batch through review and publicity to its contracts; each step repeated once."""
    code = opened_batch(session, world, ring)
    a = world.actors[("A", Role.PRICE_OFFICER)]
    _evaluate(db, session, a, code)
    assert not services.submit_for_review(session, a, code, 1, T).repeated
    assert services.submit_for_review(session, a, code, 1, T).repeated
    assert not services.decide(session, reviewer, code, True, "", T).repeated
    assert services.decide(session, reviewer, code, True, "", T).repeated
    first = services.end_publicity(session, a, code, T + timedelta(days=10))
    again = services.end_publicity(session, a, code, T + timedelta(days=10))
    assert not first.repeated and again.repeated
    assert [c.id for c in again.value] == [c.id for c in first.value]
    return code


def test_repeated_review_steps_record_once(db, session, world, ring, second_officer):
    code = _published(db, session, world, ring, second_officer)
    assert _status(session, code) == "published"
    assert session.exec(select(func.count()).select_from(ReviewDecision)).one() == 2  # submitted, approve
    for action in ("review.submit", "review.approve", "batch.published"):
        assert _audits(db, action) == 1, action
    with __import__("pytest").raises(services.ReviewError, match="审核中"):
        services.decide(session, second_officer, code, False, "晚了", T)  # another decision is still refused


def test_24_parallel_signatures_of_one_contract_record_once(db, session, world, ring, second_officer):
    code = _published(db, session, world, ring, second_officer)
    contract = session.exec(select(Contract).order_by(Contract.id)).first()
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    session.close()

    def click(_i, start) -> bool:
        start()
        with db.write_session() as s:
            return services.sign_contract(s, hospital, contract.id, T).repeated

    repeats = run_together(24, click)
    assert sorted(repeats) == [False] + [True] * 23
    assert _audits(db, "contract.sign") == 1
    with db.write_session() as s:
        mine = s.exec(select(Contract).where(Contract.hospital_org_id == hospital.org_id)).all()
        assert services.sign_all(s, hospital, code, T) == len(mine) - 1
        assert services.sign_all(s, hospital, code, T) == 0  # all confirmed: a repeat signs nothing
