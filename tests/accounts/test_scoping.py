"""The scoping helper: own organisation for hospitals and suppliers, region for bureau roles."""

import pytest
from sqlmodel import select

from accounts import queries
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from accounts.scoping import scope


def test_hospital_sees_only_itself(session, world):
    actor = world.actors[("A", Role.HOSPITAL_BUYER)]
    orgs, total = queries.list_organisations(session, actor)
    assert total == 1 and orgs[0].id == world.orgs[("A", OrgKind.HOSPITAL)].id


def test_bureau_sees_its_region_only(session, world):
    actor = world.actors[("A", Role.ADMIN)]
    codes = {o.code for o in queries.list_organisations(session, actor)[0]}
    assert codes == {"A-bureau", "A-fund", "A-hospital", "A-supplier", "A-distributor"}
    assert queries.get_organisation(session, actor, world.orgs[("B", OrgKind.HOSPITAL)].id) is None
    assert queries.get_user(session, actor, world.users[("B", Role.ADMIN)].id) is None


def test_anonymous_and_unregistered_models_see_nothing(session, world):
    assert session.exec(scope(select(Organisation), None, Organisation)).all() == []
    with pytest.raises(LookupError):
        scope(select(Organisation), world.actors[("A", Role.ADMIN)], int)
