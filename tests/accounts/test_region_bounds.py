"""An admin acts only inside its own region and never widens its own or anyone's reach."""

from __future__ import annotations

import pytest
from sqlmodel import select

from accounts import services
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from tests.conftest import PASSWORD


def _admin(world):
    return world.actors[("A", Role.ADMIN)]


@pytest.mark.parametrize("region", ["320000", "000000", "320100"])
def test_admin_cannot_create_an_organisation_outside_its_region(session, world, region):
    with pytest.raises(services.AccountError, match="不在您的管辖范围"):
        services.create_organisation(session, _admin(world), code="X1", name="X", kind=OrgKind.FUND,
                                     region_code=region)
    session.rollback()
    assert session.exec(select(Organisation).where(Organisation.code == "X1")).first() is None


def test_a_region_that_does_not_exist_is_refused_for_everyone(session, world):
    for actor in (_admin(world), None):
        with pytest.raises(services.AccountError, match="地区代码不存在.*999999"):
            services.create_organisation(session, actor, code="X2", name="X", kind=OrgKind.HOSPITAL,
                                         region_code="999999")


def test_admin_creates_inside_its_region(session, world):
    org = services.create_organisation(session, _admin(world), code="X3", name="X", kind=OrgKind.HOSPITAL,
                                       region_code="370100")
    assert org.region_code == "370100"


def test_admin_cannot_move_its_own_organisation(session, world):
    own = world.orgs[("A", OrgKind.BUREAU)]
    for region in ("000000", "370100"):
        with pytest.raises(services.AccountError, match="不能修改本机构的地区"):
            services.update_organisation(session, _admin(world), own.id, region_code=region)
        session.rollback()
    assert session.get(Organisation, own.id).region_code == "370000"


@pytest.mark.parametrize("region", ["000000", "320000", "999999"])
def test_admin_cannot_widen_an_organisation_of_its_region(session, world, region):
    fund = world.orgs[("A", OrgKind.FUND)]
    with pytest.raises(services.AccountError):
        services.update_organisation(session, _admin(world), fund.id, region_code=region)
    session.rollback()
    assert session.get(Organisation, fund.id, populate_existing=True).region_code == "370000"


def test_admin_cannot_edit_a_foreign_organisation(session, world):
    foreign = world.orgs[("B", OrgKind.SUPPLIER)]
    with pytest.raises(services.AccountError, match="机构不存在"):
        services.update_organisation(session, _admin(world), foreign.id, name="taken")


def test_admin_moves_an_organisation_within_its_region(session, world):
    hospital = world.orgs[("A", OrgKind.HOSPITAL)]
    services.update_organisation(session, _admin(world), hospital.id, region_code="370200")
    assert session.get(Organisation, hospital.id).region_code == "370200"


def test_admin_cannot_create_or_deactivate_users_outside_its_region(session, world):
    foreign_bureau = world.orgs[("B", OrgKind.BUREAU)]
    with pytest.raises(services.AccountError, match="机构不存在"):
        services.create_user(session, _admin(world), username="mole", display_name="Mole", password=PASSWORD,
                             role=Role.ADMIN, org_id=foreign_bureau.id)
    session.rollback()
    with pytest.raises(services.AccountError, match="用户不存在"):
        services.set_user_active(session, _admin(world), world.users[("B", Role.ADMIN)].id, False)
    session.rollback()
    assert world.users[("B", Role.ADMIN)].active


def test_admin_cannot_change_bank_details_directly(session, world):
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    with pytest.raises(services.AccountError, match="双人|second admin"):
        services.update_organisation(session, _admin(world), supplier.id, bank_account="9999000011112222")
