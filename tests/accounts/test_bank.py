"""Four-eyes bank-account changes: requested by one admin, confirmed by another, shown to the
supplier, audited, and settlement pays the confirmed account only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from accounts import bank, services
from accounts.actor import Forbidden
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core.audit import AuditEntry
from notices.models import Notification
from settlement import services as settlement
from settlement.models import PaymentInstruction
from tests.conftest import PASSWORD
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.test_services import actors, deliver_and_accept

NEW = {"bank_name": "新银行", "bank_cnaps": "103100000026", "bank_account": "9559000000000001"}


@pytest.fixture
def second_admin(session, world):
    """A second admin of province A's bureau."""
    user = services.create_user(session, None, username="a_admin_2", display_name="复核管理员", password=PASSWORD,
                                role=Role.ADMIN, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    return services.actor_for(session, user)


def test_a_change_waits_for_a_second_admin(session, world, second_admin):
    admin = world.actors[("A", Role.ADMIN)]
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    change = bank.request_bank_change(session, admin, supplier.id, **NEW)
    assert session.get(Organisation, supplier.id).bank_account == "6222000011112222"
    with pytest.raises(services.AccountError, match="申请人不能确认"):
        bank.confirm_bank_change(session, admin, change.id)
    session.rollback()
    with pytest.raises(services.AccountError, match="待确认"):
        bank.request_bank_change(session, admin, supplier.id, **{**NEW, "bank_account": "9559000000000002"})
    session.rollback()
    bank.confirm_bank_change(session, second_admin, change.id)
    org = session.get(Organisation, supplier.id)
    assert (org.bank_cnaps, org.bank_account, org.bank_name) == (NEW["bank_cnaps"], NEW["bank_account"], "新银行")
    notes = session.exec(select(Notification).where(Notification.org_id == supplier.id,
                                                    Notification.kind == "bank_change")).all()
    assert len(notes) == 2 and "0001" in notes[1].text
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.action.like("org.bank_change.%"))).all()
    assert sorted(actions) == ["org.bank_change.confirm", "org.bank_change.request"]


def test_only_an_admin_of_the_region_requests_or_confirms(session, world, second_admin):
    supplier_b = world.orgs[("B", OrgKind.SUPPLIER)]
    with pytest.raises(services.AccountError, match="机构不存在"):
        bank.request_bank_change(session, world.actors[("A", Role.ADMIN)], supplier_b.id, **NEW)
    session.rollback()
    change = bank.request_bank_change(session, world.actors[("B", Role.ADMIN)], supplier_b.id, **NEW)
    with pytest.raises(services.AccountError, match="机构不存在"):
        bank.confirm_bank_change(session, second_admin, change.id)
    session.rollback()
    with pytest.raises(Forbidden):
        bank.confirm_bank_change(session, world.actors[("B", Role.SETTLEMENT_OFFICER)], change.id)


def test_a_rejected_change_changes_nothing(session, world, second_admin):
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    change = bank.request_bank_change(session, world.actors[("A", Role.ADMIN)], supplier.id, **NEW)
    bank.reject_bank_change(session, second_admin, change.id, "供应商未确认")
    assert session.get(Organisation, supplier.id).bank_account == "6222000011112222"
    assert [c.status for c in bank.bank_history(session, supplier.id)] == ["rejected"]


def test_settlement_pays_the_confirmed_account_never_the_pending_one(session, world, setup, second_admin):  # noqa: F811
    supplier, hospital, officer = actors(world)
    accs = deliver_and_accept(session, world, setup, [("YP001", 100, 100, 3)])
    settlement.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    settlement.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    bank.request_bank_change(session, world.actors[("A", Role.ADMIN)], world.orgs[("A", OrgKind.SUPPLIER)].id, **NEW)
    run = settlement.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    payees = session.exec(select(PaymentInstruction.payee_account).where(PaymentInstruction.run_id == run.id)).all()
    assert payees == ["6222000011112222"]
