"""Direct-settlement fixtures: province A's shop (a VBP and a plain product, a confirmed
distributor) and its officers — a price officer sets the scope, two settlement officers run and
approve — all through the real services."""

from __future__ import annotations

import pytest

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from directpay.services import set_scope
from tests.conftest import PASSWORD, aware
from tests.orders.conftest import listed

SET_AT = aware(2026, 11, 20, 2)  # the scope is set before the month it starts in


@pytest.fixture
def shop(session, world):
    """Province A ready to order (listing and distribution through the real services)."""
    return listed(session, world)


@pytest.fixture
def second_officer(session, world):
    """A second settlement officer of province A's fund (four-eyes approval)."""
    user = accounts.create_user(session, None, username="a_settlement_2", display_name="A settlement 2",
                                password=PASSWORD, role=Role.SETTLEMENT_OFFICER,
                                org_id=world.orgs[("A", OrgKind.FUND)].id)
    return accounts.actor_for(session, user)


def scope_of(session, world, phase, day, region="370000", products=(), list_name="", bps=0, at=SET_AT):
    """Province A's price officer sets ``region``'s scope from ``day``."""
    return set_scope(session, world.actors[("A", Role.PRICE_OFFICER)], region_code=region, phase=phase,
                     effective_from=day, reason="省医保局通知", products=products, list_name=list_name,
                     distributor_bps=bps, now=at)
