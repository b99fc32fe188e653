"""12 officers' clicks on "run evaluation" from the same page at once queue one version (SQLite
and PostgreSQL), even when that version has finished before the later clicks arrive."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from accounts.roles import Role
from core.audit import AuditEntry
from evaluation import services
from evaluation.models import Evaluation
from tests.conftest import run_together
from tests.evaluation.fixtures import OPENING, opened_batch


def test_twelve_parallel_requests_from_one_page_make_one_version(db, session, world, ring):
    code = opened_batch(session, world, ring)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    session.close()

    def click(_i, start) -> bool:
        start()
        with db.write_session() as s:
            outcome = services.request_evaluation(s, officer, code, OPENING, seen_version=0)
        if not outcome.repeated:  # as the web request does: run it at once (it finishes quickly)
            services.claim_and_run(db, outcome.value.id, officer)
        return outcome.repeated

    repeats = run_together(12, click)
    assert sorted(repeats) == [False] + [True] * 11
    with db.read_session() as s:
        assert s.exec(select(func.count()).select_from(Evaluation)).one() == 1
        assert s.exec(select(func.count()).select_from(AuditEntry)
                      .where(AuditEntry.action == "evaluation.request")).one() == 1
    # a deliberate re-run from the refreshed page (which showed version 1) makes version 2
    with db.write_session() as s:
        again = services.request_evaluation(s, officer, code, OPENING, seen_version=1)
    assert not again.repeated and again.value.version == 2
