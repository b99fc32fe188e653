"""Closing a cycle (issue #16): ``close`` is refused while a month is unsettled, a run or payment
is open, a clawback is neither netted nor refunded, retained savings are undecided, or an advance is
unpaid or neither offset nor recovered — the refusal lists each; once everything is done (with the real services, at moved
times after the cycle's end) the batch closes, with who and when kept and audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from accounts.roles import OrgKind, Role
from core.audit import AuditEntry
from cycles.closing import open_items
from procurement import services as procurement
from procurement.models import Batch, BatchTransition
from savings import services as savings
from settlement import services
from settlement.models import PaymentInstruction, SettlementRun
from tests.conftest import PASSWORD  # noqa: F401
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.payments.test_fund import give_account
from tests.settlement.test_services import actors, deliver_and_accept

AFTER = datetime(2027, 10, 15, 2, 0, tzinfo=UTC)  # the cycle ended on 2027-09-30
DECIDED = AFTER + timedelta(days=11)  # the hospitals' 10-day objection period is over
SAVINGS_OPEN = ("savings", "Retained savings of A-hospital are not decided yet")


def kinds(session, setup, at=AFTER):  # noqa: F811
    """The open items' (kind, text) at AFTER."""
    batch = session.get(Batch, setup.batch_id)
    return [(i.kind, str(i)) for i in open_items(session, batch, at)]


def pay(session, officer, inst, when, status="成功"):
    """The bank's answer for one instruction of a released run."""
    ret = f"指令编号,状态,失败原因,银行流水号\n{inst.reference},{status},{'' if status == '成功' else '户名不符'},B{inst.id}\n"
    services.import_bank_return(session, officer, inst.run_id, ret.encode(), "r.csv", when)


def release_and_pay(session, officer, run_id, when):
    """Release a run's bank files and have the bank pay every instruction."""
    services.release_files(session, officer, run_id, when)
    for inst in session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run_id)).all():
        pay(session, officer, inst, when)


def close(session, world, setup, when=AFTER):  # noqa: F811
    """The price officer closes the batch."""
    return procurement.transition_batch(session, world.actors[("A", Role.PRICE_OFFICER)], setup.code, "close",
                                        now=when)


def test_close_is_refused_with_every_open_item_then_allowed(session, world, setup, officer_b):  # noqa: F811
    supplier, hospital, officer = actors(world)
    hospital_org = world.orgs[("A", OrgKind.HOSPITAL)]
    give_account(session, world, hospital_org)
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)  # ¥4,552.50
    (acc,) = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 2)])  # ¥123.40
    assert kinds(session, setup) == [
        ("month", "2026-10 is not settled: 1 accepted line(s) await settlement"),
        SAVINGS_OPEN,
        ("prepayment", "The advance of A hospital (¥4,552.50) is not paid: no payment proposed"),
        ("prepayment", "The advance of A hospital has ¥4,552.50 neither offset nor recovered")]
    with pytest.raises(procurement.BatchError, match="4 item"):
        close(session, world, setup)
    session.rollback()

    # October settled: computed → approved → released → paid; each stage is an open run until paid
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [acc.id], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    assert ("run", f"Run {run.run_ref} awaits approval by a second officer") in kinds(session, setup)
    services.approve_run(session, officer_b, run.id, NOW)
    assert ("run", f"Run {run.run_ref} is approved but its bank files are not released") in kinds(session, setup)
    services.release_files(session, officer, run.id, NOW)
    (inst,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all()
    assert ("run", f"Run {run.run_ref}: 1 payment(s) ({_yuan(inst.amount_fen)}) await the bank's answer") in kinds(
        session, setup)
    pay(session, officer, inst, NOW)
    assert [k for k, _t in kinds(session, setup)] == ["savings", "prepayment", "prepayment"]

    # a return after settlement: a clawback, first waiting, then asked back, then received
    later = AFTER - timedelta(days=5)
    services.return_goods(session, hospital, acc.id, 100, date(2027, 10, 9), "破损", later)
    assert ("clawback", "Clawback of ¥12.34 (A hospital × A supplier) is neither netted nor asked back") in kinds(
        session, setup)
    (refund,) = services.request_refunds(session, officer, setup.code, later)
    assert ("clawback", "Clawback of ¥12.34 (A hospital × A supplier) is asked back but not yet received") in kinds(
        session, setup)
    services.record_refund(session, officer, refund.id, "BKREF1", date(2027, 10, 10), later)
    assert "clawback" not in {k for k, _t in kinds(session, setup)}

    # the advance paid: proposed, approved by the second officer, failed at the bank, re-issued, paid
    proposed = services.propose_advance_payment(session, officer, setup.code, hospital_org.id, AFTER).value
    assert ("prepayment", "The advance of A hospital (¥4,552.50) is not paid: awaiting a second officer's "
                          "approval") in kinds(session, setup)
    first = services.approve_fund_payment(session, officer_b, proposed.id, AFTER).value
    services.release_files(session, officer, first.run_id, AFTER)
    pay(session, officer, first, AFTER, status="退票")
    assert ("payment", f"Payment {first.reference} to A hospital (¥4,552.50) failed and is not re-issued") in kinds(
        session, setup)
    request = services.request_reissue(session, officer, first.id, "户名更正", AFTER).value
    again = services.approve_reissue(session, officer_b, request.id, AFTER).value
    release_and_pay(session, officer, again.run_id, AFTER)
    (state,) = services.advance_states(session, setup.batch_id)
    assert (state.status, state.paid_at) == ("paid", AFTER)

    # what no run offset is recovered: refunded by the hospital with the bank's reference
    assert kinds(session, setup) == [
        SAVINGS_OPEN,
        ("prepayment", f"The advance of A hospital has {_yuan(state.balance_fen)} neither offset nor recovered")]
    services.record_recovery(session, officer, setup.code, hospital_org.id, amount_fen=state.balance_fen,
                             method="refunded", reason="周期结束未冲抵", bank_ref="BK-REC-1", now=AFTER)
    assert kinds(session, setup) == [SAVINGS_OPEN]

    # retained savings: proposed, approved by the second officer, undecided until the objection period ends
    assert savings.propose(session, officer, setup.code, AFTER) == 1
    assert kinds(session, setup) == [SAVINGS_OPEN]
    assert savings.approve(session, officer_b, setup.code, AFTER) == 1
    assert kinds(session, setup) == [SAVINGS_OPEN]  # the hospital may still object
    assert kinds(session, setup, DECIDED) == []
    with pytest.raises(procurement.BatchError, match="1 item"):
        close(session, world, setup)
    session.rollback()

    closed = close(session, world, setup, DECIDED)
    assert closed.status == "closed"
    (transition,) = session.exec(select(BatchTransition).where(BatchTransition.batch_id == setup.batch_id,
                                                               BatchTransition.action == "close")).all()
    assert (transition.actor_user_id, transition.at) == (world.actors[("A", Role.PRICE_OFFICER)].user_id, DECIDED)
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "batch.close")).first() is not None


def _yuan(fen: int) -> str:
    """¥ text as the items show it."""
    from core.money import format_yuan

    return format_yuan(fen)


def test_a_batch_with_nothing_open_still_waits_for_the_cycle_end(session, world, setup):  # noqa: F811
    assert kinds(session, setup) == [SAVINGS_OPEN]  # a signed hospital's savings are to be decided
    with pytest.raises(procurement.BatchError, match="采购周期未结束"):
        close(session, world, setup, when=NOW)


def test_recovery_is_refused_before_the_cycle_end_and_above_the_balance(session, world, setup):  # noqa: F811
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    base = dict(amount_fen=455_250, method="deducted", reason="未冲抵", bank_ref="", now=AFTER)
    with pytest.raises(services.SettlementRefused, match="周期结束"):
        services.record_recovery(session, officer, setup.code, hospital.id, **{**base, "now": NOW})
    for change, match in [({"amount_fen": 455_251}, "exceeds"), ({"amount_fen": 0}, "amount_fen"),
                          ({"method": "forgiven"}, "method"), ({"reason": ""}, "reason"),
                          ({"method": "refunded"}, "bank_ref")]:
        with pytest.raises(services.SettlementRefused, match=match):
            services.record_recovery(session, officer, setup.code, hospital.id, **{**base, **change})
        session.rollback()
    rec = services.record_recovery(session, officer, setup.code, hospital.id, **{**base, "amount_fen": 5_250})
    assert (rec.method, rec.amount_fen, rec.recorded_by) == ("deducted", 5_250, officer.user_id)
    assert services.balances(session, setup.batch_id)[hospital.id] == 450_000
    assert session.exec(select(SettlementRun)).all() == []
