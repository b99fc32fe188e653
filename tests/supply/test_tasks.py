"""Landing-page to-dos of supply and credit: the supplier's unanswered problems, four-eyes
takeovers and ratings (the proposer waits, the second officer decides), breaches to state and
decide."""

from __future__ import annotations

from datetime import date, timedelta

from core.clock import utcnow
from credit import services as credit
from supply import services
from tests.conftest import login
from tests.supply.fixtures import build


def _codes(tasks):
    return {t.code for t in tasks}


def test_the_landing_pages_list_the_supply_and_credit_steps(app, client, db, session, world, ring):
    from credit.tasks import credit_tasks
    from supply.tasks import supply_tasks

    now = utcnow()
    ex = build(db, session, world, ring, now - timedelta(days=60))
    contract = ex.contract(session, "370100")
    services.report_problem(session, ex.hospitals["370100"], services.ProblemInput(
        contract.id, "late", now.date(), "未到货"), now)
    assert _codes(supply_tasks(session, ex.failed, now)) == {"answer_supply_problem"}
    services.propose_takeover(session, ex.officer, ex.code, services.TakeoverInput(
        "YP101", "A-supplier", ("370400",), now.date(), reason="断供"), now)
    assert _codes(supply_tasks(session, ex.officer, now)) == {"takeover_awaits_second"}
    assert _codes(supply_tasks(session, ex.officer2, now)) == {"decide_takeover"}
    breach = credit.record_breach(session, ex.officer, credit.BreachInput(
        ex.orgs["A-supplier"].id, "supply_failure", date.today() - timedelta(days=1), "断供", ("e.pdf", b"x")), now)
    assert _codes(credit_tasks(session, ex.failed, now)) == {"state_breach"}
    credit.state_breach(session, ex.failed, breach.id, "申辩", now)
    assert _codes(credit_tasks(session, ex.officer, now)) == {"decide_breach"}
    credit.decide_breach(session, ex.officer, breach.id, True, "确认", now)
    credit.propose_rating(session, ex.officer, ex.orgs["A-supplier"].id, now)
    assert _codes(credit_tasks(session, ex.officer2, now)) == {"confirm_rating"}
    session.commit()
    login(client, "a_officer_2")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="task-decide_takeover"' in page and 'data-testid="task-confirm_rating"' in page
    login(client, "a_price_officer")
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="task-rating_awaits_second"' in page and 'data-testid="task-takeover_awaits_second"' in page
