"""Lifecycle transitions: allowed moves, refused moves with reasons, history and audit."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import Role
from core.audit import AuditEntry, verify_chain
from procurement import services
from procurement.lifecycle import LIFECYCLES, TIMELINE_FIELDS, TRANSITIONS, BatchStatus, Procedure
from procurement.models import BatchTransition, Item
from tests.conftest import aware

NOW = aware(2026, 11, 1, 2, 0)


def _ready_batch(session, officer, code="B1"):
    session.add(Item(code="YP001", kind="drug", generic_name="阿托伐他汀钙片", minimal_unit="片"))
    session.commit()
    timeline = services.Timeline(NOW + timedelta(days=10), NOW + timedelta(days=20),
                                 NOW + timedelta(days=21), date(2027, 1, 1), date(2027, 12, 31))
    services.create_batch(session, officer, code=code, name="测试批次", timeline=timeline, now=NOW)
    services.add_batch_item(session, officer, code, "YP001", 5000, now=NOW)
    services.set_batch_regions(session, officer, code, ["370100", "370200"], now=NOW)
    return code


def test_full_happy_path_with_time_guards(session, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    code = _ready_batch(session, officer)
    b = services.transition_batch(session, officer, code, "open_demand", now=NOW)
    assert b.status == BatchStatus.DEMAND
    with pytest.raises(services.BatchError, match="报量截止时间未到"):
        services.transition_batch(session, officer, code, "close_demand", now=NOW)
    services.transition_batch(session, officer, code, "close_demand", now=NOW + timedelta(days=10))
    with pytest.raises(services.BatchError, match="开标时间未到"):
        services.transition_batch(session, officer, code, "open_bids", internal=True,
                                  now=NOW + timedelta(days=21) - timedelta(seconds=1))
    with pytest.raises(services.BatchError, match="专门功能"):
        services.transition_batch(session, officer, code, "open_bids", now=NOW + timedelta(days=21))
    services.transition_batch(session, None, code, "open_bids", now=NOW + timedelta(days=21), internal=True)
    services.transition_batch(session, officer, code, "start_evaluation", now=NOW + timedelta(days=22), internal=True)
    services.transition_batch(session, officer, code, "submit_for_review", now=NOW + timedelta(days=22), internal=True)
    with pytest.raises(services.BatchError, match="理由"):
        services.transition_batch(session, officer, code, "send_back", now=NOW + timedelta(days=22), internal=True)
    services.transition_batch(session, officer, code, "send_back", reason="重新核对产能", now=NOW + timedelta(days=22),
                              internal=True)
    history = session.exec(select(BatchTransition).order_by(BatchTransition.id)).all()
    assert [h.action for h in history] == ["open_demand", "close_demand", "open_bids", "start_evaluation",
                                           "submit_for_review", "send_back"]
    assert history[-1].reason == "重新核对产能" and history[2].actor_user_id is None
    actions = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()]
    assert "batch.send_back" in actions and verify_chain(session).ok


def test_incomplete_draft_cannot_open_demand(session, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    services.create_batch(session, officer, code="EMPTY", name="空批次", now=NOW)
    with pytest.raises(services.BatchError, match="没有品种"):
        services.transition_batch(session, officer, "EMPTY", "open_demand", now=NOW)


@pytest.mark.parametrize("action", ["close_demand", "open_bids", "approve", "publish", "close"])
def test_actions_from_the_wrong_state_are_refused(session, world, action):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    services.create_batch(session, officer, code="D1", name="草稿", now=NOW)
    with pytest.raises(services.BatchError, match="不允许此操作"):
        services.transition_batch(session, officer, "D1", action, now=NOW)


def test_every_action_has_a_target_and_sources():
    assert all(sources and target for sources, target in TRANSITIONS.values())
    reachable = {t for _s, t in TRANSITIONS.values()} | {BatchStatus.DRAFT}
    assert reachable == set(BatchStatus)


def test_an_executed_result_has_no_bidding_or_evaluation_states():
    table = LIFECYCLES[Procedure.RESULT]
    assert all(sources and target for sources, target in table.values())
    reachable = {t for _s, t in table.values()} | {BatchStatus.DRAFT}
    assert reachable == set(BatchStatus) - {BatchStatus.BIDDING, BatchStatus.OPENED, BatchStatus.EVALUATION,
                                            BatchStatus.REVIEW}
    assert not {"close_demand", "open_bids", "start_evaluation", "approve"} & set(table)
    assert TIMELINE_FIELDS[Procedure.RESULT] == ("demand_deadline", "cycle_start", "cycle_end")


def test_roles_and_regions_are_enforced(session, world):
    officer_a = world.actors[("A", Role.PRICE_OFFICER)]
    code = _ready_batch(session, officer_a)
    with pytest.raises(Forbidden):
        services.transition_batch(session, world.actors[("B", Role.PRICE_OFFICER)], code, "open_demand", now=NOW)
    with pytest.raises(Forbidden):
        services.transition_batch(session, world.actors[("A", Role.HOSPITAL_BUYER)], code, "open_demand", now=NOW)


def test_draft_only_edits_and_bad_rule_refused(session, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    code = _ready_batch(session, officer)
    from procurement.rules import RuleError

    with pytest.raises(RuleError) as err:
        services.update_batch(session, officer, code, rule_changes={"fuse_multiple": "0.5"}, now=NOW)
    assert err.value.field == "fuse_multiple"
    services.transition_batch(session, officer, code, "open_demand", now=NOW)
    with pytest.raises(services.BatchError, match="草稿"):
        services.update_batch(session, officer, code, rule_changes={"publicity_days": 5}, now=NOW)
