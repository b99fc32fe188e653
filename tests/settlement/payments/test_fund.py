"""Fund payments outside the monthly run (issue #16): one settlement officer proposes paying an
organisation (here a hospital) an amount for a source, a second approves it (never the same one),
which makes one instruction in a run of the payment's kind; its bank files, bank return and
re-issue work as for a monthly run; the monthly run and the calendar ignore it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from accounts import bank
from accounts import services as accounts
from accounts.actor import Forbidden
from accounts.roles import OrgKind, Role
from core.audit import AuditEntry
from settlement import services
from settlement.models import FundPayment, PaymentInstruction, SettlementRun
from settlement.payments import queries as payments
from settlement.runs.calendar import run_calendar_step
from tests.conftest import PASSWORD
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.test_services import actors, deliver_and_accept

HOSPITAL_ACCOUNT, HOSPITAL_CNAPS = "6222333344445555", "102100099997"


def second_admin(session, world):
    """A second admin of province A (bank-account changes are four-eyes)."""
    return accounts.actor_for(session, accounts.create_user(
        session, None, username="a_admin_2", display_name="管理员二", password=PASSWORD, role=Role.ADMIN,
        org_id=world.orgs[("A", OrgKind.BUREAU)].id))


def give_account(session, world, org, account=HOSPITAL_ACCOUNT, cnaps=HOSPITAL_CNAPS, second=None):
    """Set an organisation's receiving account through the four-eyes bank-account change."""
    second = second or second_admin(session, world)
    change = bank.request_bank_change(session, world.actors[("A", Role.ADMIN)], org.id, bank_name="医院开户行",
                                      bank_cnaps=cnaps, bank_account=account, reason="收款账户")
    bank.confirm_bank_change(session, second, change.id)
    return second


def propose(session, world, setup, amount=455_250, ref="advance:test:1"):  # noqa: F811
    """Officer A proposes paying the A hospital ``amount`` fen."""
    return services.propose_fund_payment(
        session, world.actors[("A", Role.SETTLEMENT_OFFICER)], batch_id=setup.batch_id, kind="prepayment",
        payee_org_id=world.orgs[("A", OrgKind.HOSPITAL)].id, amount_fen=amount,
        remittance="集采预付款 JS2026", source_ref=ref, now=NOW)


def test_proposed_then_approved_by_a_second_officer_becomes_an_instruction(session, world, setup, officer_b):  # noqa: F811
    give_account(session, world, world.orgs[("A", OrgKind.HOSPITAL)])
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    proposed = propose(session, world, setup)
    assert not proposed.repeated and proposed.value.status == "proposed"
    assert proposed.value.payee_account == HOSPITAL_ACCOUNT
    with pytest.raises(services.SettlementRefused, match="四眼|双人复核"):
        services.approve_fund_payment(session, officer, proposed.value.id, NOW)
    made = services.approve_fund_payment(session, officer_b, proposed.value.id, NOW)
    inst = made.value
    assert not made.repeated
    assert (inst.amount_fen, inst.payee_account, inst.payee_cnaps, inst.remittance, inst.line_count) == (
        455_250, HOSPITAL_ACCOUNT, HOSPITAL_CNAPS, "集采预付款 JS2026", 0)
    assert inst.supplier_org_id == world.orgs[("A", OrgKind.HOSPITAL)].id
    run = session.get(SettlementRun, inst.run_id)
    assert (run.kind, run.status, run.month, run.paid_fen) == ("prepayment", "approved", "2026-11", 455_250)
    assert (run.computed_by, run.approved_by) == (officer.user_id, officer_b.user_id)
    assert run.run_ref.startswith("P") and inst.reference == f"{run.run_ref}-000001"
    payment = session.get(FundPayment, proposed.value.id)
    assert (payment.status, payment.run_id, payment.instruction_id) == ("approved", run.id, inst.id)
    # a repeat of either step writes nothing more
    n_audit = session.exec(select(func.count()).select_from(AuditEntry)).one()
    assert propose(session, world, setup).repeated
    again = services.approve_fund_payment(session, officer_b, proposed.value.id, NOW)
    assert again.repeated and again.value.id == inst.id
    assert session.exec(select(func.count()).select_from(PaymentInstruction)).one() == 1
    assert session.exec(select(func.count()).select_from(AuditEntry)).one() == n_audit
    # the same source with other figures is refused while the payment is open
    with pytest.raises(services.SettlementRefused, match="已有"):
        propose(session, world, setup, amount=1)


def test_bank_files_return_and_reissue_work_for_it(session, world, setup, officer_b):  # noqa: F811
    hospital_org = world.orgs[("A", OrgKind.HOSPITAL)]
    second = give_account(session, world, hospital_org)
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    payment = propose(session, world, setup).value
    inst = services.approve_fund_payment(session, officer_b, payment.id, NOW).value
    assert services.paid_at(session, payment) is None
    files = services.release_files(session, officer, inst.run_id, NOW).value
    xml = next(f for f in files if f.kind == "xml").content.decode()
    assert inst.reference in xml and HOSPITAL_ACCOUNT in xml and "4552.50" in xml
    ret = f"指令编号,状态,失败原因,银行流水号\n{inst.reference},退票,户名不符,BK1\n".encode()
    services.import_bank_return(session, officer, inst.run_id, ret, "r.csv", NOW)
    session.refresh(inst)
    assert inst.status == "failed" and services.paid_at(session, payment) is None
    # the hospital sees its payment; another hospital does not
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    assert [r.instruction.id for r in payments.payments(session, hospital)] == [inst.id]
    assert payments.payments(session, world.actors[("B", Role.HOSPITAL_BUYER)]) == []
    # re-issued four-eyes to the corrected account: a run of the same kind, the remittance kept
    give_account(session, world, hospital_org, account="6222777788889999", second=second)
    request = services.request_reissue(session, officer, inst.id, "更正账户", NOW).value
    new = services.approve_reissue(session, officer_b, request.id, NOW).value
    new_run = session.get(SettlementRun, new.run_id)
    assert (new_run.kind, new_run.run_ref[0], new.remittance, new.payee_account) == (
        "prepayment", "P", "集采预付款 JS2026", "6222777788889999")
    services.release_files(session, officer, new.run_id, NOW)
    later = NOW + timedelta(days=2)
    ret = f"指令编号,状态,失败原因,银行流水号\n{new.reference},成功,,BK2\n".encode()
    services.import_bank_return(session, officer, new.run_id, ret, "r2.csv", later)
    assert services.paid_at(session, payment) == later


def test_monthly_runs_and_the_calendar_ignore_fund_payment_runs(session, world, setup, officer_b):  # noqa: F811
    give_account(session, world, world.orgs[("A", OrgKind.HOSPITAL)])
    supplier, hospital, officer = actors(world)
    october = NOW.replace(month=10, day=20)
    payment = services.propose_fund_payment(
        session, officer, batch_id=setup.batch_id, kind="prepayment",
        payee_org_id=world.orgs[("A", OrgKind.HOSPITAL)].id, amount_fen=100, remittance="预付款",
        source_ref="advance:x", now=october).value
    fund_run = session.get(SettlementRun, services.approve_fund_payment(session, officer_b, payment.id,
                                                                        october).value.run_id)
    assert fund_run.month == "2026-10" and fund_run.seq == 1
    # October's lines: the calendar still runs October (a fund run of October is not its settlement)
    accs = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 2)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    pay_day = NOW.replace(day=8, hour=2)
    run_calendar_step(session, setup.code, pay_day)
    monthly = session.exec(select(SettlementRun).where(SettlementRun.kind == "monthly")).all()
    assert [(r.month, r.seq, r.gross_fen) for r in monthly] == [("2026-10", 2, 12_340)]


def test_refusals_name_the_field_and_write_nothing(session, world, setup, officer_b):  # noqa: F811
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    with pytest.raises(services.SettlementRefused, match="账户不完整"):  # no account yet
        propose(session, world, setup)
    give_account(session, world, hospital)
    base = dict(batch_id=setup.batch_id, kind="prepayment", payee_org_id=hospital.id, amount_fen=100,
                remittance="预付款", source_ref="s", now=NOW)
    for change, match in [({"amount_fen": 0}, "amount_fen"), ({"amount_fen": -5}, "amount_fen"),
                          ({"amount_fen": 1.5}, "amount_fen"), ({"kind": "bonus"}, "kind"),
                          ({"remittance": " "}, "remittance"), ({"remittance": "x" * 141}, "remittance"),
                          ({"remittance": "a\x00b"}, "remittance"), ({"source_ref": ""}, "source_ref"),
                          ({"payee_org_id": world.orgs[("A", OrgKind.FUND)].id}, "payee")]:
        with pytest.raises(services.SettlementRefused, match=match):
            services.propose_fund_payment(session, officer, **{**base, **change})
        session.rollback()
    # only settlement officers, only their region's batches
    with pytest.raises(Forbidden):
        services.propose_fund_payment(session, world.actors[("A", Role.PRICE_OFFICER)], **base)
    session.rollback()
    with pytest.raises(Forbidden):
        services.propose_fund_payment(session, world.actors[("B", Role.SETTLEMENT_OFFICER)], **base)
    session.rollback()
    assert session.exec(select(func.count()).select_from(FundPayment)).one() == 0
    # a foreign officer can neither approve nor reject a proposed payment
    payment = services.propose_fund_payment(session, officer, **base).value
    for call in (lambda a: services.approve_fund_payment(session, a, payment.id, NOW),
                 lambda a: services.reject_fund_payment(session, a, payment.id, "", NOW)):
        with pytest.raises(Forbidden):
            call(world.actors[("B", Role.SETTLEMENT_OFFICER)])
        session.rollback()


def test_rejected_then_proposed_again(session, world, setup, officer_b):  # noqa: F811
    give_account(session, world, world.orgs[("A", OrgKind.HOSPITAL)])
    first = propose(session, world, setup).value
    rejected = services.reject_fund_payment(session, officer_b, first.id, "金额有误", NOW)
    assert (rejected.status, rejected.decided_by, rejected.decision_note) == ("rejected", officer_b.user_id, "金额有误")
    with pytest.raises(services.SettlementRefused, match="驳回"):
        services.approve_fund_payment(session, officer_b, first.id, NOW)
    session.rollback()
    assert services.open_fund_payment(session, "prepayment", "advance:test:1") is None
    second = propose(session, world, setup, amount=400_000).value
    assert second.id != first.id and services.open_fund_payment(session, "prepayment", "advance:test:1").id == second.id


def test_an_account_changed_after_the_proposal_is_refused_at_approval(session, world, setup, officer_b):  # noqa: F811
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    second = give_account(session, world, hospital)
    payment = propose(session, world, setup).value
    give_account(session, world, hospital, account="6222000000000001", second=second)
    with pytest.raises(services.SettlementRefused, match="账户已变更"):
        services.approve_fund_payment(session, officer_b, payment.id, NOW)
    session.rollback()
    assert session.get(FundPayment, payment.id).status == "proposed"
