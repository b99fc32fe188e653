"""Failed payments (issue #14 item 4): the bank's return marks a payment failed and keeps the
bank's reference; the supplier and the fund are told; a run never re-issues by itself; one
settlement officer requests the re-issue to the corrected account, a second approves it (never
the same one), which makes one new instruction in a re-issue run for the next bank file; the
failed one is re-issued and links to it; a second approval or request makes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from accounts import bank
from accounts import services as accounts
from accounts.actor import Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core.audit import AuditEntry
from notices.models import Notification
from settlement import services
from settlement.models import PaymentInstruction, ReissueRequest, SettlementRun, SettlementShare
from settlement.payments import queries as payments
from settlement.tasks import pending_counts
from tests.conftest import PASSWORD, run_together
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.test_services import actors, deliver_and_accept

NEW_ACCOUNT, NEW_CNAPS = "6222999988887777", "103100000026"


def released_payment(session, world, setup, officer_b):  # noqa: F811
    """October settled (two lines of one hospital and supplier in one instruction) and its bank
    file released; the instruction."""
    supplier, hospital, officer = actors(world)
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    accs = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 2), ("YP003", 333, 333, 5)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    services.approve_run(session, officer_b, run.id, NOW)
    services.release_files(session, officer, run.id, NOW)
    (inst,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all()
    return inst


def failed_payment(session, world, setup, officer_b):  # noqa: F811
    """:func:`released_payment`, returned by the bank as failed (账户已冻结) with the bank's
    reference; the instruction."""
    inst = released_payment(session, world, setup, officer_b)
    officer, run = world.actors[("A", Role.SETTLEMENT_OFFICER)], session.get(SettlementRun, inst.run_id)
    ret = f"指令编号,状态,失败原因,银行流水号\n{inst.reference},退票,收款账户已冻结,BK20261108001\n".encode()
    services.import_bank_return(session, officer, run.id, ret, "return.csv", NOW)
    session.refresh(inst)
    return inst


def change_supplier_account(session, world):
    """The supplier's account corrected through the four-eyes change (two admins)."""
    admin = world.actors[("A", Role.ADMIN)]
    second = accounts.actor_for(session, accounts.create_user(
        session, None, username="a_admin_2", display_name="管理员二", password=PASSWORD, role=Role.ADMIN,
        org_id=world.orgs[("A", OrgKind.BUREAU)].id))
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    change = bank.request_bank_change(session, admin, supplier.id, bank_name="新开户行", bank_cnaps=NEW_CNAPS,
                                      bank_account=NEW_ACCOUNT, reason="原账户冻结")
    bank.confirm_bank_change(session, second, change.id)


def test_a_failed_payment_is_told_to_the_supplier_and_the_fund(session, world, setup, officer_b):  # noqa: F811
    inst = failed_payment(session, world, setup, officer_b)
    assert (inst.status, inst.failure_reason, inst.bank_ref) == ("failed", "收款账户已冻结", "BK20261108001")
    supplier, fund = world.orgs[("A", OrgKind.SUPPLIER)], world.orgs[("A", OrgKind.FUND)]
    notes = session.exec(select(Notification).where(Notification.kind == "payment_failed")).all()
    assert {n.org_id for n in notes} == {supplier.id, fund.id}
    told = next(n for n in notes if n.org_id == supplier.id)
    assert "支付失败" in told.text and inst.reference in told.text and "收款账户已冻结" in told.text
    assert world.orgs[("B", OrgKind.SUPPLIER)].id not in {n.org_id for n in notes}
    # the supplier sees it among its payments; another supplier does not
    (row,) = payments.payments(session, world.actors[("A", Role.SUPPLIER_REP)])
    assert row.instruction.id == inst.id and payments.failed_count(session, world.actors[("A", Role.SUPPLIER_REP)]) == 1
    assert payments.payments(session, world.actors[("B", Role.SUPPLIER_REP)]) == []
    # and the lines it covers add up to its amount: lines − returns netted − prepayment offset = paid
    shares, lines, count = payments.covered(session, inst)
    assert count == len(lines) == 2
    assert sum(x.amount_fen for x in lines) == sum(s.lines_fen for s in shares)
    assert sum(s.lines_fen - s.clawback_fen - s.offset_fen for s in shares) == inst.amount_fen
    assert sum(s.paid_fen for s in shares) == inst.amount_fen


def test_a_run_does_not_re_issue_a_failed_payment_by_itself(session, world, setup, officer_b):  # noqa: F811
    inst = failed_payment(session, world, setup, officer_b)
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    with pytest.raises(services.SettlementRefused, match="nothing to settle"):
        services.run_settlement(session, officer, setup.code, "2026-11", NOW + timedelta(days=30))
    assert session.exec(select(func.count()).select_from(PaymentInstruction)).one() == 1
    session.refresh(inst)
    assert inst.status == "failed"


def test_four_eyes_re_issue_to_the_corrected_account_pays_once(session, world, setup, officer_b):  # noqa: F811
    inst = failed_payment(session, world, setup, officer_b)
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    old_account = inst.payee_account
    change_supplier_account(session, world)
    later = NOW + timedelta(days=3)
    tasks = {who: pending_counts(session, world.actors[("A", who)], setup.batch_id)
             for who in (Role.SUPPLIER_REP, Role.SETTLEMENT_OFFICER)}
    assert tasks[Role.SUPPLIER_REP]["payment_failed"] == 1 and tasks[Role.SETTLEMENT_OFFICER]["reissue_payment"] == 1
    request = services.request_reissue(session, officer, inst.id, "账户已更正", later).value
    assert pending_counts(session, officer, setup.batch_id) | {"approve_run": 0} == {
        "approve_run": 0, "approve_reissue": 0, "reissue_payment": 0, "approve_fund_payment": 0}  # the requester waits for a second officer
    assert pending_counts(session, officer_b, setup.batch_id)["approve_reissue"] == 1
    assert (request.payee_account, request.payee_cnaps) == (NEW_ACCOUNT, NEW_CNAPS)
    assert services.request_reissue(session, officer, inst.id, "", later).repeated  # one open request
    assert session.exec(select(Notification).where(Notification.kind == "payment_reissue_requested")).first()
    with pytest.raises(services.SettlementRefused, match="four-eyes"):
        services.approve_reissue(session, officer, request.id, later)
    with pytest.raises(Forbidden):
        services.approve_reissue(session, world.actors[("B", Role.SETTLEMENT_OFFICER)], request.id, later)
    session.refresh(inst)
    assert inst.status == "failed"  # nothing yet

    outcome = services.approve_reissue(session, officer_b, request.id, later)
    new = outcome.value
    assert not outcome.repeated
    session.refresh(inst)
    assert inst.status == "reissued" and new.reissue_of_id == inst.id
    assert (new.payee_account, new.amount_fen, new.line_count) == (NEW_ACCOUNT, inst.amount_fen, inst.line_count)
    assert new.payee_account != old_account and new.status == "issued"
    run = session.get(SettlementRun, new.run_id)
    assert (run.status, run.month, run.reissued_fen, run.paid_fen, run.approved_by) == (
        "approved", "2026-10", inst.amount_fen, 0, officer_b.user_id)
    assert set(session.exec(select(SettlementShare.instruction_id)).all()) == {new.id}  # the lines follow
    # a second approval, or a new request, pays nothing more
    again = services.approve_reissue(session, officer_b, request.id, later + timedelta(hours=1))
    assert again.repeated and again.value.id == new.id
    assert services.request_reissue(session, officer, inst.id, "", later).repeated
    assert session.exec(select(func.count()).select_from(PaymentInstruction)
                        .where(PaymentInstruction.reissue_of_id == inst.id)).one() == 1
    assert session.exec(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == "settlement.reissue.approve")).one() == 1
    assert pending_counts(session, officer_b, setup.batch_id)["approve_reissue"] == 0
    assert pending_counts(session, world.actors[("A", Role.SUPPLIER_REP)], setup.batch_id)["payment_failed"] == 0
    told = session.exec(select(Notification).where(Notification.kind == "payment_reissued")).one()
    assert told.org_id == world.orgs[("A", OrgKind.SUPPLIER)].id and new.reference in told.text

    # the next bank file holds the new instruction, to the new account, and only it
    files = services.release_files(session, officer, run.id, later).value
    xml = next(f for f in files if f.kind == "xml")
    assert NEW_ACCOUNT.encode() in xml.content and new.reference.encode() in xml.content
    assert inst.reference.encode() not in xml.content
    assert xml.instruction_count == 1 and xml.total_fen == inst.amount_fen
    paid = f"指令编号,状态,银行流水号\n{new.reference},成功,BK20261111009\n".encode()
    services.import_bank_return(session, officer, run.id, paid, "return2.csv", later)
    session.refresh(new)
    assert (new.status, new.bank_ref) == ("paid", "BK20261111009")
    row = payments.payment(session, world.actors[("A", Role.SUPPLIER_REP)], inst.id)
    assert row.reissued_as == new.reference
    assert payments.by_month(payments.payments(session, world.actors[("A", Role.SUPPLIER_REP)]))[0][2] == new.amount_fen


def test_re_issue_refusals(session, world, setup, officer_b):  # noqa: F811
    inst = failed_payment(session, world, setup, officer_b)
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    with pytest.raises(Forbidden):
        services.request_reissue(session, world.actors[("A", Role.SUPPLIER_REP)], inst.id, "", NOW)
    with pytest.raises(Forbidden):
        services.request_reissue(session, world.actors[("B", Role.SETTLEMENT_OFFICER)], inst.id, "", NOW)
    # a pending account change: wait for it
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    change = bank.request_bank_change(session, world.actors[("A", Role.ADMIN)], supplier.id, bank_name=None,
                                      bank_cnaps=NEW_CNAPS, bank_account=NEW_ACCOUNT)
    with pytest.raises(services.SettlementRefused, match="awaits confirmation"):
        services.request_reissue(session, officer, inst.id, "", NOW)
    bank.reject_bank_change(session, world.actors[("A", Role.ADMIN)], change.id)
    # rejected: stays failed and may be asked again; the account changing after a request refuses the approval
    request = services.request_reissue(session, officer, inst.id, "", NOW).value
    services.reject_reissue(session, officer_b, request.id, "再核实", NOW)
    with pytest.raises(services.SettlementRefused, match="rejected"):
        services.approve_reissue(session, officer_b, request.id, NOW)
    session.refresh(inst)
    assert inst.status == "failed"
    request = services.request_reissue(session, officer, inst.id, "", NOW).value
    change_supplier_account(session, world)
    with pytest.raises(services.SettlementRefused, match="changed since the request"):
        services.approve_reissue(session, officer_b, request.id, NOW)
    assert session.exec(select(func.count()).select_from(ReissueRequest)).one() == 2
    assert session.get(Organisation, supplier.id).bank_account == NEW_ACCOUNT


def test_approvals_at_once_make_one_instruction(db, session, world, setup, officer_b):  # noqa: F811
    inst = failed_payment(session, world, setup, officer_b)
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    request_id = services.request_reissue(session, officer, inst.id, "", NOW).value.id
    inst_id = inst.id
    session.commit()

    def approve(_i, start):
        with db.write_session() as s:
            start()
            return services.approve_reissue(s, officer_b, request_id, NOW).repeated

    assert sorted(run_together(3, approve)) == [False, True, True]
    session.expire_all()
    assert session.exec(select(func.count()).select_from(PaymentInstruction)
                        .where(PaymentInstruction.reissue_of_id == inst_id)).one() == 1
    assert session.exec(select(func.count()).select_from(SettlementRun)).one() == 2
