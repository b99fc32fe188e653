"""Supply problems: the hospital reports, the supplier answers within the batch's answer time
(late otherwise), the officer escalates reminder → interview → written warning."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from notices.models import Notification
from supply import services
from supply.models import SupplyProblem
from tests.supply.fixtures import build

T = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)


def _report(session, ex, city="370100", **kw):
    contract = ex.contract(session, city)
    inp = services.ProblemInput(contract.id, kw.pop("kind", "late"), kw.pop("due_on", date(2026, 5, 8)),
                                kw.pop("description", "5月8日应到货，至今未到"), **kw)
    return services.report_problem(session, ex.hospitals[city], inp, kw.get("now", T))


def test_a_report_gives_the_supplier_the_batch_answer_time_and_tells_it(session, ex):
    problem = _report(session, ex, evidence=("订单.pdf", b"%PDF-1.4"))
    assert problem.answer_due_at == T + timedelta(hours=48)  # the default supply_answer_hours
    assert problem.supplier_org_id == ex.orgs["A-supplier"].id and problem.evidence_name == "订单.pdf"
    notes = session.exec(select(Notification).where(Notification.kind == "supply_problem")).all()
    assert {n.org_id for n in notes} >= {ex.orgs["A-supplier"].id, ex.officer.org_id}


def test_the_answer_time_is_the_batch_setting(db, session, world, ring, ex):
    other = build(db, session, world, ring, datetime(2026, 3, 2, 2, tzinfo=UTC), code="BG2",
                  rules={"supply_answer_hours": 6}, ex=ex)
    problem = _report(session, other)
    assert problem.answer_due_at == T + timedelta(hours=6)


@pytest.mark.parametrize(("changes", "why"), [
    ({"kind": "lost"}, "Choose what went wrong"),
    ({"due_on": date(2026, 3, 1)}, "within the contract period"),
    ({"due_on": date(2026, 5, 11)}, "not after today"),
    ({"kind": "short"}, "quantity ordered and the quantity received"),
    ({"kind": "short", "ordered_qty": 100, "received_qty": 100}, "received less"),
    ({"ordered_qty": -1}, "zero or more"),
    ({"description": "  "}, "fill in"),
])
def test_a_bad_report_is_refused_with_the_reason_and_writes_nothing(session, ex, changes, why):
    with pytest.raises(services.SupplyError) as refused:
        _report(session, ex, **changes)
    assert why in str(refused.value.args[0])
    session.rollback()
    assert session.exec(select(SupplyProblem)).all() == []


def test_only_the_contracts_hospital_reports(session, ex):
    contract = ex.contract(session, "370300")
    with pytest.raises(Forbidden):
        services.report_problem(session, ex.hospitals["370100"],
                                services.ProblemInput(contract.id, "late", date(2026, 5, 8), "x"), T)


def test_an_answer_after_the_answer_time_is_marked_late(session, ex):
    on_time = _report(session, ex)
    late = _report(session, ex, city="370300")
    services.answer_problem(session, ex.failed, on_time.id, "明日补发", date(2026, 5, 12), T + timedelta(hours=47))
    services.answer_problem(session, ex.failed, late.id, "产线检修", date(2026, 6, 1), T + timedelta(hours=49))
    session.expire_all()
    assert session.get(SupplyProblem, on_time.id).answered_late is False
    assert session.get(SupplyProblem, late.id).answered_late is True
    assert session.get(SupplyProblem, late.id).recovery_on == date(2026, 6, 1)
    texts = [n.text for n in session.exec(select(Notification).where(Notification.kind == "supply_answer")).all()]
    assert any("late" in t for t in texts)
    with pytest.raises(services.SupplyError, match="answered already"):
        services.answer_problem(session, ex.failed, late.id, "再答", None, T + timedelta(hours=50))


def test_only_the_supplier_concerned_answers_and_no_recovery_date_in_the_past(session, ex):
    problem = _report(session, ex)
    with pytest.raises(Forbidden):
        services.answer_problem(session, ex.backup, problem.id, "不是我", None, T)
    with pytest.raises(services.SupplyError, match="past"):
        services.answer_problem(session, ex.failed, problem.id, "已恢复", date(2026, 5, 1), T)


def test_escalation_goes_reminder_interview_warning_each_once(session, ex):
    problem = _report(session, ex)
    with pytest.raises(services.SupplyError, match="next step"):
        services.escalate(session, ex.officer, problem.id, "interview", "约谈", T)
    assert services.escalate(session, ex.officer, problem.id, "reminder", "电话提醒", T).step == "reminder"
    with pytest.raises(services.SupplyError, match="next step"):
        services.escalate(session, ex.officer, problem.id, "reminder", "再提醒", T)
    services.escalate(session, ex.officer, problem.id, "interview", "约谈企业负责人", T + timedelta(days=1))
    services.escalate(session, ex.officer, problem.id, "warning", "书面警示函", T + timedelta(days=2))
    assert services.next_step(session, session.get(SupplyProblem, problem.id)) is None
    kinds = {n.kind for n in session.exec(select(Notification).where(
        Notification.org_id == ex.orgs["A-supplier"].id)).all()}
    assert {"supply_reminder", "supply_interview", "supply_warning"} <= kinds
    with pytest.raises(Forbidden):
        services.escalate(session, ex.hospitals["370100"], problem.id, "reminder", "x", T)


def test_today_is_the_bureau_s_day_in_the_beijing_morning(session, ex):
    """18:30 UTC on 10 May is 02:30 on 11 May in Beijing: goods due on 11 May may be reported."""
    contract = ex.contract(session, "370100")
    night = datetime(2026, 5, 10, 18, 30, tzinfo=UTC)
    problem = services.report_problem(session, ex.hospitals["370100"], services.ProblemInput(
        contract.id, "late", date(2026, 5, 11), "今日应到货，未到"), night)
    assert problem.due_on == date(2026, 5, 11)
    with pytest.raises(services.SupplyError, match="not after today"):
        services.report_problem(session, ex.hospitals["370100"], services.ProblemInput(
            contract.id, "late", date(2026, 5, 12), "明日应到货"), night)
