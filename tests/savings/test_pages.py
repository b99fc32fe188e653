"""Retained savings through the pages at a moved clock: the officer's list (sortable, Excel), the
breakdown, points, proposal, four-eyes approval, the hospital's objection and its answer, the
credited statement; other hospitals and provinces see nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from core.clock import moved_to
from savings.models import SavingsObjection
from tests.conftest import PASSWORD, csrf_token, login
from tests.savings.fixtures import AFTER, cycle  # noqa: F401

HOSPITAL_PAGE = "/savings/batches/JY2026/hospitals/A-hospital"


def _as(client, username):
    """Sign out and in as another user; a CSRF token of the savings index."""
    if client.get("/").status_code == 200:
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, username, PASSWORD).status_code == 302
    return csrf_token(client, "/savings/")


def test_the_decision_through_the_pages(client, session, world, cycle):  # noqa: F811
    officer, officer2 = world.username("A", Role.SETTLEMENT_OFFICER), "a_settlement_officer_2"
    with moved_to(AFTER):
        token = _as(client, officer)
        page = client.get("/savings/batches/JY2026").get_data(as_text=True)
        assert "估算" in page and "¥538.30" in page  # today's estimate before any proposal
        book = load_workbook(io.BytesIO(client.get("/savings/batches/JY2026?xlsx=1").data))
        assert book.active["F2"].value == 538.3 and book.active["F2"].number_format.startswith("¥")
        detail = client.get(HOSPITAL_PAGE).get_data(as_text=True)
        assert "本周期无集采通用名产品的验收订单：该项权重不计入" in detail  # the hospital has no orders: no share
        r = client.post(f"{HOSPITAL_PAGE}/points", data={"csrf_token": token, "points": "-5", "reason": "报送迟延"})
        assert r.status_code == 302
        assert client.post("/savings/batches/JY2026/propose", data={"csrf_token": token}).status_code == 302
        assert client.post("/savings/batches/JY2026/approve", data={"csrf_token": token}).status_code == 302
        page = client.get("/savings/batches/JY2026").get_data(as_text=True)
        assert "须由另一名经办人审核" in page and 'data-status="proposed"' in page  # four-eyes refused the proposer
        token = _as(client, officer2)
        assert client.post("/savings/batches/JY2026/approve", data={"csrf_token": token}).status_code == 302
        token = _as(client, world.username("A", Role.HOSPITAL_BUYER))
        assert client.get("/savings/batches/JY2026").status_code == 302  # a hospital goes to its own page
        mine = client.get(HOSPITAL_PAGE).get_data(as_text=True)
        assert "91.66" in mine and "¥538.30" in mine and "报送迟延" in mine
        assert client.post(f"{HOSPITAL_PAGE}/objection", data={"csrf_token": token, "text": "对账均按时"}).status_code == 302
    with moved_to(AFTER + timedelta(days=1)):
        token = _as(client, officer)
        detail = client.get(HOSPITAL_PAGE).get_data(as_text=True)
        assert "对账均按时" in detail
        (obj,) = session.exec(select(SavingsObjection)).all()
        session.commit()
        r = client.post(f"{HOSPITAL_PAGE}/objections/{obj.id}/answer",
                        data={"csrf_token": token, "decision": "dismiss", "answer": "经核对无误"})
        assert r.status_code == 302
    with moved_to(AFTER + timedelta(days=11)):
        token = _as(client, officer)
        assert client.post("/savings/batches/JY2026/credit", data={"csrf_token": token}).status_code == 302
        assert "已计入" in client.get("/savings/batches/JY2026").get_data(as_text=True)
        book = load_workbook(io.BytesIO(client.get(f"{HOSPITAL_PAGE}/statement.xlsx").data))
        assert book.worksheets[1].cell(row=4, column=12).value == 538.3  # the total line (column I: of it non-selected orders)


def test_other_hospitals_and_provinces_see_nothing(client, session, world, cycle):  # noqa: F811
    _as(client, world.username("B", Role.HOSPITAL_BUYER))
    assert client.get(HOSPITAL_PAGE).status_code == 404
    assert client.get("/savings/batches/JY2026").status_code == 404
    _as(client, world.username("B", Role.SETTLEMENT_OFFICER))
    assert client.get(HOSPITAL_PAGE).status_code == 404
    assert client.get(f"{HOSPITAL_PAGE}/statement.xlsx").status_code == 404


def test_the_hospital_dashboard_shows_its_estimate_with_the_breakdown(client, session, world, cycle):  # noqa: F811
    _as(client, world.username("A", Role.HOSPITAL_BUYER))
    page = client.get("/dashboard/").get_data(as_text=True)
    # before any proposal: today's figures, 77.33 of the 80 points that exist → 96.66 → 50 % of ¥1,076.60
    assert 'data-testid="own-savings-JY2026"' in page and "96.66" in page and "¥538.30" in page
    assert "本周期无集采通用名产品的验收订单：该项权重不计入" in page  # no orders: no share, said so
    _as(client, world.username("A", Role.SETTLEMENT_OFFICER))
    assert 'own-savings-' not in client.get("/dashboard/").get_data(as_text=True)
