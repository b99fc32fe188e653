"""Organisations and users: kinds, roles, throttled logins without user enumeration."""

from datetime import timedelta

import pytest

from accounts import services
from accounts.actor import Forbidden
from accounts.passwords import PasswordPolicyError
from accounts.roles import OrgKind, Role
from tests.conftest import PASSWORD, aware

NOW = aware(2026, 11, 22, 1, 0)
POLICY = services.LoginPolicy(max_failures=3, window_seconds=600)


def test_role_must_fit_the_organisation_kind(session, world):
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    with pytest.raises(services.AccountError, match="角色与机构类型不符"):
        services.create_user(session, None, username="x", display_name="x", password=PASSWORD,
                             role=Role.SUPPLIER_REP, org_id=hospital.id)


def test_only_admins_manage_accounts_and_cnaps_is_checked(session, world):
    with pytest.raises(Forbidden):
        services.create_organisation(session, world.actors[("A", Role.PRICE_OFFICER)], code="Z", name="Z",
                                     kind=OrgKind.HOSPITAL, region_code="370100")
    with pytest.raises(services.AccountError, match="12 位"):
        services.create_organisation(session, None, code="Z", name="Z", kind=OrgKind.SUPPLIER,
                                     region_code="370100", bank_cnaps="123")
    with pytest.raises(PasswordPolicyError):
        services.create_user(session, None, username="short", display_name="s", password="short",
                             role=Role.ADMIN, org_id=world.orgs[("A", OrgKind.BUREAU)].id)


def test_login_success_and_generic_failure(session, world):
    name = world.username("A", Role.HOSPITAL_BUYER)
    assert services.authenticate(session, name, PASSWORD, "10.0.0.1", POLICY, NOW).user is not None
    wrong = services.authenticate(session, name, "nope-nope-nope", "10.0.0.1", POLICY, NOW)
    unknown = services.authenticate(session, "ghost", "nope-nope-nope", "10.0.0.1", POLICY, NOW)
    assert wrong == unknown == services.LoginOutcome(user=None, throttled=False)


def test_account_is_throttled_after_repeated_failures(session, world):
    name = world.username("A", Role.ADMIN)
    for i in range(3):
        services.authenticate(session, name, "bad-password-x", f"10.0.0.{i}", POLICY, NOW)
    blocked = services.authenticate(session, name, PASSWORD, "10.0.0.9", POLICY, NOW + timedelta(seconds=1))
    assert blocked.user is None and blocked.throttled
    later = services.authenticate(session, name, PASSWORD, "10.0.0.9", POLICY, NOW + timedelta(seconds=601))
    assert later.user is not None


def test_a_busy_address_slows_down_but_never_refuses_a_correct_password(session, world):
    waits = []
    for i in range(30):  # a whole hospital behind one NAT mistyping
        services.authenticate(session, f"guess{i}", "bad-password-x", "192.0.2.7", POLICY, NOW, sleep=waits.append)
    name = world.username("A", Role.ADMIN)
    outcome = services.authenticate(session, name, PASSWORD, "192.0.2.7", POLICY, NOW, sleep=waits.append)
    assert outcome.user is not None and not outcome.throttled
    assert waits[0] == 0.25 and waits == sorted(waits) and max(waits) <= POLICY.address_max_delay_seconds
    assert len(waits) == 30 - POLICY.address_free_failures + 1  # nothing waited below the allowance


def test_deactivated_user_cannot_sign_in(session, world):
    admin = world.actors[("A", Role.ADMIN)]
    target = world.users[("A", Role.SUPPLIER_REP)]
    services.set_user_active(session, admin, target.id, False)
    assert services.authenticate(session, target.username, PASSWORD, "10.1.1.1", POLICY, NOW).user is None
