"""Real concurrent writers: officers proposing the same batch's retained savings at once make one
version per hospital; hospitals' objections lodged at once leave one open."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from savings import services
from savings.models import SavingsAssessment, SavingsObjection
from tests.conftest import run_together
from tests.savings.fixtures import AFTER, cycle  # noqa: F401


def _attempt(step):
    """Run ``step``; "ok" or "refused"."""
    try:
        step()
        return "ok"
    except services.SavingsError:
        return "refused"


def test_concurrent_proposals_make_one_version(db, session, cycle):  # noqa: F811
    session.commit()

    def propose(_i, start):
        with db.write_session() as s:
            start()
            return _attempt(lambda: services.propose(s, cycle.officer, cycle.code, AFTER))

    assert sorted(run_together(3, propose)) == ["ok", "refused", "refused"]
    session.expire_all()
    assert session.exec(select(func.count()).select_from(SavingsAssessment)).one() == 1


def test_concurrent_objections_leave_one_open(db, session, cycle):  # noqa: F811
    services.propose(session, cycle.officer, cycle.code, AFTER)
    services.approve(session, cycle.officer2, cycle.code, AFTER)

    def lodge(i, start):
        with db.write_session() as s:
            start()
            return _attempt(lambda: services.lodge_objection(s, cycle.hospital, cycle.code, f"异议{i}", AFTER))

    assert sorted(run_together(3, lodge)) == ["ok", "refused", "refused"]
    session.expire_all()
    assert session.exec(select(func.count()).select_from(SavingsObjection)).one() == 1
