"""The decision at cycle end by the real services at moved times: proposed from the platform's
data, four-eyes approval, the objection window, a new version after approval, crediting, history,
audit and notices — and ``undecided`` for the cycle-close check."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from core.audit import AuditEntry
from notices.models import Notification
from savings import services
from savings.models import SavingsAssessment, SavingsObjection
from savings.settings import SavingsSettings
from tests.savings.fixtures import AFTER, cycle  # noqa: F401

D = Decimal


def versions(session, batch_id):
    session.expire_all()
    return session.exec(select(SavingsAssessment).where(SavingsAssessment.batch_id == batch_id)
                        .order_by(SavingsAssessment.id)).all()


def test_proposed_from_the_platform_data_with_its_inputs(session, cycle):  # noqa: F811
    services.enter_points(session, cycle.officer, cycle.code, "A-hospital", -5, "两次未按时报送采购数据", AFTER)
    assert services.propose(session, cycle.officer, cycle.code, AFTER) == 1
    (a,) = versions(session, cycle.batch_id)
    stored = json.loads(a.inputs_json)
    # completion 1,400/1,500 = 0.9333 × 40 = 37.33; both items bought 20; reconciled on the 4th (due 5th) 20;
    # non-selected share not yet on the platform: 77.33 of 80 → 96.66, − 5 points → 91.66
    assert [c["points"] for c in stored["components"]] == ["37.33", "20.00", "0", "20.00"]
    assert (a.score, a.rate, a.officer_points, a.points_reason) == ("91.66", "0.50", -5, "两次未按时报送采购数据")
    # YP001: 1,000 × ¥1.2 = ¥1,200 − ¥123.40 settled = ¥1,076.60 → 50 % ¥538.30; YP003 not completed (400 of 500)
    assert [(r["base_fen"], r["retained_fen"]) for r in stored["rows"]] == [(107_660, 53_830), (37_732, 0)]
    assert a.retained_fen == 53_830 and a.base_fen == 107_660 + 37_732
    assert a.status == "proposed" and a.version == 1


def test_not_before_the_cycle_ends_and_only_once(session, cycle):  # noqa: F811
    with pytest.raises(services.SavingsError):
        services.propose(session, cycle.officer, cycle.code, AFTER.replace(year=2027, month=9, day=29))
    services.propose(session, cycle.officer, cycle.code, AFTER)
    with pytest.raises(services.SavingsError):
        services.propose(session, cycle.officer, cycle.code, AFTER)
    with pytest.raises(Forbidden):
        services.propose(session, cycle.hospital, cycle.code, AFTER)


def test_four_eyes_refuses_the_proposer(session, cycle):  # noqa: F811
    services.propose(session, cycle.officer, cycle.code, AFTER)
    with pytest.raises(services.SavingsError, match="second officer"):
        services.approve(session, cycle.officer, cycle.code, AFTER)
    assert versions(session, cycle.batch_id)[0].status == "proposed"
    assert services.approve(session, cycle.officer2, cycle.code, AFTER + timedelta(hours=1)) == 1
    (a,) = versions(session, cycle.batch_id)
    assert a.status == "approved" and a.objection_due_at == AFTER + timedelta(hours=1, days=10)
    assert session.exec(select(Notification).where(Notification.kind == "savings_approved")).one()


def test_sent_back_stays_and_the_next_proposal_is_version_2(session, cycle):  # noqa: F811
    services.propose(session, cycle.officer, cycle.code, AFTER)
    with pytest.raises(services.SavingsError):
        services.send_back(session, cycle.officer2, cycle.code, "  ", AFTER)
    services.send_back(session, cycle.officer2, cycle.code, "请核对扣分", AFTER)
    services.propose(session, cycle.officer, cycle.code, AFTER + timedelta(days=1))
    assert [(a.version, a.status) for a in versions(session, cycle.batch_id)] == [(1, "rejected"), (2, "proposed")]


def test_objection_window_by_the_moved_clock(session, cycle):  # noqa: F811
    services.propose(session, cycle.officer, cycle.code, AFTER)
    services.approve(session, cycle.officer2, cycle.code, AFTER)
    due = AFTER + timedelta(days=10)
    with pytest.raises(services.SavingsError, match="objection period"):
        services.lodge_objection(session, cycle.hospital, cycle.code, "完成率计算有误", due)
    with pytest.raises(Forbidden):
        services.lodge_objection(session, cycle.foreign_hospital, cycle.code, "外省", AFTER)
    assert services.undecided(session, cycle.batch_id, due - timedelta(seconds=1)) == ["A-hospital"]
    obj = services.lodge_objection(session, cycle.hospital, cycle.code, "完成率计算有误", due - timedelta(seconds=1))
    with pytest.raises(services.SavingsError):
        services.lodge_objection(session, cycle.hospital, cycle.code, "再次", due - timedelta(seconds=1))
    # an open objection holds the payment after the period
    assert services.undecided(session, cycle.batch_id, due + timedelta(days=1)) == ["A-hospital"]
    with pytest.raises(services.SavingsError, match="payable"):
        services.credit(session, cycle.officer, cycle.code, due + timedelta(days=1))
    services.answer_objection(session, cycle.officer, cycle.code, obj.id, False, "经核对，计算无误", None,
                              due + timedelta(days=1))
    assert services.undecided(session, cycle.batch_id, due + timedelta(days=1)) == []
    assert services.credit(session, cycle.officer, cycle.code, due + timedelta(days=2)) == 1
    (a,) = versions(session, cycle.batch_id)
    assert (a.credited_by, a.credited_at) == (cycle.officer.user_id, due + timedelta(days=2))
    assert services.state(a, False, due + timedelta(days=2)) == "credited"


def test_upheld_objection_is_a_new_version_approved_again(session, cycle):  # noqa: F811
    services.propose(session, cycle.officer, cycle.code, AFTER)
    services.approve(session, cycle.officer2, cycle.code, AFTER)
    obj = services.lodge_objection(session, cycle.hospital, cycle.code, "10月对账已按时完成", AFTER + timedelta(days=1))
    services.answer_objection(session, cycle.officer, cycle.code, obj.id, True, "采纳：扣分撤销并加分", 3,
                              AFTER + timedelta(days=2))
    old, new = versions(session, cycle.batch_id)
    assert (old.status, old.superseded_by) == ("superseded", cycle.officer.user_id)
    assert (new.version, new.status, new.reason, new.officer_points) == (2, "proposed", "采纳：扣分撤销并加分", 3)
    assert session.get(SavingsObjection, obj.id).status == "upheld"
    with pytest.raises(services.SavingsError):  # the officer who answered made the version
        services.approve(session, cycle.officer, cycle.code, AFTER + timedelta(days=2))
    services.approve(session, cycle.officer2, cycle.code, AFTER + timedelta(days=3))
    assert versions(session, cycle.batch_id)[1].objection_due_at == AFTER + timedelta(days=13)


def test_a_change_after_approval_is_a_new_version_with_a_reason(session, cycle):  # noqa: F811
    services.propose(session, cycle.officer, cycle.code, AFTER)
    services.approve(session, cycle.officer2, cycle.code, AFTER)
    with pytest.raises(services.SavingsError):
        services.revise(session, cycle.officer, cycle.code, "A-hospital", -3, "", AFTER)
    with pytest.raises(services.SavingsError):
        services.revise(session, cycle.officer, cycle.code, "A-hospital", -30, "超出范围", AFTER)
    services.revise(session, cycle.officer, cycle.code, "A-hospital", -10, "补充发现未按期上报", AFTER + timedelta(days=1))
    old, new = versions(session, cycle.batch_id)
    assert (old.status, new.status, new.version, new.score) == ("superseded", "proposed", 2, "86.66")
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.action.like("savings.%"))
                           .order_by(AuditEntry.seq)).all()
    assert actions == ["savings.propose", "savings.approve", "savings.revise"]


def test_credited_amounts_no_longer_change(session, cycle):  # noqa: F811
    services.propose(session, cycle.officer, cycle.code, AFTER)
    services.approve(session, cycle.officer2, cycle.code, AFTER)
    with pytest.raises(services.SavingsError):
        services.credit(session, cycle.officer, cycle.code, AFTER + timedelta(days=9))
    services.credit(session, cycle.officer, cycle.code, AFTER + timedelta(days=10))
    with pytest.raises(services.SavingsError):
        services.revise(session, cycle.officer, cycle.code, "A-hospital", 0, "更正", AFTER + timedelta(days=11))


def test_settings_are_versions_read_at_the_decision(session, cycle):  # noqa: F811
    batch_code = cycle.code
    row = services.set_settings(session, cycle.officer, batch_code, SavingsSettings(objection_days=5), AFTER)
    assert row.version == 1
    assert services.set_settings(session, cycle.officer, batch_code, SavingsSettings(objection_days=5), AFTER) is None
    with pytest.raises(Forbidden):
        services.set_settings(session, cycle.hospital, batch_code, SavingsSettings(), AFTER)
    services.propose(session, cycle.officer, cycle.code, AFTER)
    services.approve(session, cycle.officer2, cycle.code, AFTER)
    assert versions(session, cycle.batch_id)[0].objection_due_at == AFTER + timedelta(days=5)


def test_undecided_before_any_proposal_names_every_hospital(session, cycle):  # noqa: F811
    assert services.undecided(session, cycle.batch_id, AFTER) == ["A-hospital"]
