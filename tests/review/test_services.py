"""Review to contracts: four-eyes, send back and re-run, publicity with objections, contracts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from accounts import services as accounts
from accounts.actor import Forbidden
from accounts.roles import OrgKind, Role
from evaluation import services as evaluation
from notices.models import Notification
from procurement.models import Batch
from review import services
from review.models import Contract
from tests.conftest import PASSWORD
from tests.evaluation.fixtures import OPENING, opened_batch

T = OPENING + timedelta(hours=1)


def _evaluate(db, session, officer, code):
    run = evaluation.request_evaluation(session, officer, code, T).value
    session.close()
    return evaluation.claim_and_run(db, run.id, officer)


def _status(session, code):
    session.expire_all()
    return session.exec(select(Batch).where(Batch.code == code)).one().status


def test_review_round_trip_to_signed_contracts(db, session, world, ring, second_officer):
    code = opened_batch(session, world, ring)
    a, b = world.actors[("A", Role.PRICE_OFFICER)], second_officer
    _evaluate(db, session, a, code)
    services.submit_for_review(session, a, code, 1, T)
    with pytest.raises(services.ReviewError, match="双人审核"):
        services.decide(session, a, code, True, "", T)
    with pytest.raises(services.ReviewError, match="理由"):
        services.decide(session, b, code, False, " ", T)
    services.decide(session, b, code, False, "请核对 YP101 产能", T)
    assert _status(session, code) == "evaluation"
    _evaluate(db, session, a, code)  # version 2, after the send-back
    services.submit_for_review(session, a, code, 2, T)
    services.decide(session, b, code, True, "", T)
    assert _status(session, code) == "publicity"
    with pytest.raises(evaluation.EvaluationError):  # the approved version can no longer be replaced
        evaluation.request_evaluation(session, a, code, T)
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    objection = services.lodge_objection(session, supplier, code, "我方价格计算有误？", ("说明.pdf", b"%PDF-1.4"), T)
    with pytest.raises(services.ReviewError, match="未答复"):
        services.end_publicity(session, a, code, T + timedelta(days=4))
    with pytest.raises(services.ReviewError, match="尚未结束"):
        services.end_publicity(session, a, code, T + timedelta(days=1))
    services.answer_objection(session, b, code, objection.id, "经复核，计算无误。", T + timedelta(days=1))
    contracts = services.end_publicity(session, None, code, T + timedelta(days=3)).value
    assert _status(session, code) == "published"
    got = sorted((c.reported_demand, c.agreed_volume) for c in contracts)
    assert got == [(1000, 500), (3000, 1500)]  # one winner → ratio 50%
    assert {(c.ucp_e4, c.pack_price_e4, c.pack_spec) for c in contracts} == {(1300, 1300, "1×1")}
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    winner = world.actors[("B", Role.SUPPLIER_REP)]
    assert services.sign_all(session, hospital, code, T) == 1
    with pytest.raises(Forbidden):
        services.sign_contract(session, world.actors[("B", Role.HOSPITAL_BUYER)], contracts[0].id, T)
    services.sign_all(session, winner, code, T)
    signed = session.exec(select(Contract).where(Contract.status == "signed")).all()
    assert len(signed) == 1 and signed[0].hospital_org_id == hospital.org_id
    from settlement.models import PrepaymentEntry

    advance = session.exec(select(PrepaymentEntry)).one()  # all of A-hospital's contracts signed
    assert advance.amount_fen == 1950  # 30% of 500 × ¥0.1300 = 30% of ¥65.00 = ¥19.50
    kinds = {n.kind for n in session.exec(select(Notification)).all()}
    assert {"publicity_started", "objection_answered", "contracts_to_sign"} <= kinds


def test_objections_only_from_bidders_within_the_period(db, session, world, ring, second_officer):
    code = opened_batch(session, world, ring)
    a = world.actors[("A", Role.PRICE_OFFICER)]
    _evaluate(db, session, a, code)
    services.submit_for_review(session, a, code, 1, T)
    services.decide(session, second_officer, code, True, "", T)
    with pytest.raises(services.ReviewError, match="公示期"):
        services.lodge_objection(session, world.actors[("A", Role.SUPPLIER_REP)], code, "迟到", None, T + timedelta(days=5))
    with pytest.raises(Forbidden):
        services.lodge_objection(session, world.actors[("A", Role.HOSPITAL_BUYER)], code, "x", None, T)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(demand=st.tuples(st.integers(1, 9_999), st.integers(1, 9_999)))  # within the 10,000 capacity
def test_contract_volume_is_ratio_times_demand_half_up(db, fresh_world, ring, demand):
    session, world = fresh_world()
    user = accounts.create_user(session, None, username="a_officer_2", display_name="审核员", password=PASSWORD,
                                role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    officer_b = accounts.actor_for(session, user)
    code = opened_batch(session, world, ring, demand)
    a = world.actors[("A", Role.PRICE_OFFICER)]
    run = _evaluate(db, session, a, code)
    services.submit_for_review(session, a, code, run.version, T)
    services.decide(session, officer_b, code, True, "", T)
    contracts = services.end_publicity(session, a, code, T + timedelta(days=10)).value
    for c in contracts:
        assert c.agreed_volume == (c.reported_demand * 5 + 5) // 10  # 50% rounded half up
    assert sorted(c.reported_demand for c in contracts) == sorted(demand)


def test_scheduler_publishes_when_the_period_is_over_and_objections_answered(db, session, world, ring, second_officer):
    from jobs.steps import run_due_steps

    code = opened_batch(session, world, ring)
    a = world.actors[("A", Role.PRICE_OFFICER)]
    _evaluate(db, session, a, code)
    services.submit_for_review(session, a, code, 1, T)
    services.decide(session, second_officer, code, True, "", T)
    objection = services.lodge_objection(session, world.actors[("A", Role.SUPPLIER_REP)], code, "异议", None, T)
    session.close()
    later = T + timedelta(days=4)
    assert not any(d.startswith("publish") for d in run_due_steps(db, ring, later).done)  # objection unanswered
    with db.write_session() as s:
        services.answer_objection(s, second_officer, code, objection.id, "已复核", later)
    assert f"publish {code}" in run_due_steps(db, ring, later).done
    with db.read_session() as s:
        assert _status(s, code) == "published"


@pytest.mark.parametrize(("strength", "unit", "units", "spec"), [
    ("20", "mg", 7, "20mg×7"), ("150", "mg", 7, "150mg×7"), ("0.50", "g", 10, "0.5g×10"), ("1000", "IU", 1, "1000IU×1")])
def test_contract_pack_spec_is_plain_decimal_never_scientific(strength, unit, units, spec):
    """An opened bid's strength, read back from the canonical document (20 → Decimal('20')),
    becomes the contract's pack spec without an exponent (was "2E+1mg×7")."""
    from decimal import Decimal

    from bidding.models import OpenedBid

    offer = OpenedBid(strength=Decimal(strength), strength_unit=unit, units_per_pack=units, pack_price_e4=14000,
                      tiers_json="[]")
    assert services._pack_terms(offer, {}) == (14000, spec)
