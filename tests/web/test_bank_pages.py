"""The admin pages: bank account change requested by one admin, confirmed by a second, seen by
the supplier; an organisation outside the admin's region refused with the reason."""

from __future__ import annotations

from accounts import bank, services
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from tests.conftest import PASSWORD, csrf_token, login


def test_bank_change_through_the_pages(app, client, world, session):
    services.create_user(session, None, username="a_admin_2", display_name="复核管理员", password=PASSWORD,
                         role=Role.ADMIN, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    login(client, world.username("A", Role.ADMIN))
    page = f"/admin/orgs/{supplier.id}"
    token = csrf_token(client, page)
    client.post(f"{page}/bank-change", data={"csrf_token": token, "bank_name": "新银行", "bank_cnaps": "103100000026",
                                             "bank_account": "9559000000000001", "reason": "供应商来函 2026-12-01"})
    html = client.get(page).get_data(as_text=True)
    assert "9559000000000001" in html and "须另一位管理员确认" in html and 'data-testid="bank-confirm"' not in html
    supplier_view = app.test_client()
    login(supplier_view, world.username("A", Role.SUPPLIER_REP))
    mine = supplier_view.get("/account").get_data(as_text=True)
    assert "9559000000000001" in mine and "待另一位管理员确认" in mine
    assert "****0001" in supplier_view.get("/inbox").get_data(as_text=True)

    second = app.test_client()
    login(second, "a_admin_2")
    pending = second.get("/admin/bank-changes").get_data(as_text=True)
    assert "9559000000000001" in pending and 'data-testid="bank-confirm"' in pending  # decided from the list
    assert 'data-testid="bank-confirm"' not in client.get("/admin/bank-changes").get_data(as_text=True)  # not by its requester
    change_id = bank.pending_change(session, supplier.id).id
    session.rollback()  # release the test's own transaction before the app writes
    done = second.post(f"/admin/bank-changes/{change_id}/confirm", data={"csrf_token": csrf_token(second, page),
                                                                        "note": "电话核实"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Organisation, supplier.id).bank_account == "9559000000000001"
    session.rollback()
    assert "已确认" in supplier_view.get("/account").get_data(as_text=True)


def test_the_requester_cannot_confirm_through_the_page(client, world, session):
    supplier = world.orgs[("A", OrgKind.SUPPLIER)]
    change = bank.request_bank_change(session, world.actors[("A", Role.ADMIN)], supplier.id,
                                               bank_name=None, bank_cnaps="103100000026", bank_account="9559000000000001")
    login(client, world.username("A", Role.ADMIN))
    response = client.post(f"/admin/bank-changes/{change.id}/confirm", follow_redirects=True,
                           data={"csrf_token": csrf_token(client, "/admin/bank-changes")})
    assert "申请人不能确认自己的申请" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Organisation, supplier.id).bank_account == "6222000011112222"


def test_a_foreign_region_is_refused_on_the_new_organisation_page(client, world):
    login(client, world.username("A", Role.ADMIN))
    response = client.post("/admin/orgs/new", data={"csrf_token": csrf_token(client, "/admin/orgs/new"), "code": "JS-X",
                                                    "name": "江苏某医院", "kind": "hospital", "region_code": "320100"})
    assert response.status_code == 200 and "不在您的管辖范围" in response.get_data(as_text=True)
