"""Fixtures shared by the review tests."""

from __future__ import annotations

import pytest

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from tests.conftest import PASSWORD


@pytest.fixture
def second_officer(session, world):
    """Officer B of province A's bureau (the reviewer)."""
    user = accounts.create_user(session, None, username="a_officer_2", display_name="审核员", password=PASSWORD,
                                role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    return accounts.actor_for(session, user)
