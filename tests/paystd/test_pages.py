"""The payment-standard pages, workbook and API: derived by one officer, approved by a second,
published on the page, in the workbook and at ``/api/v1/payment-standards?date=`` with what the
fund pays per product; bad dates refused naming the field; another province sees nothing."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from api import services as api
from core.clock import utcnow
from paystd.models import StandardVersion
from tests.conftest import PASSWORD, csrf_token, login
from tests.paystd.fixtures import executed, list_non_selected


def _derive_and_approve(client, session, world):
    _a, b = executed(session, world)
    list_non_selected(session, world, price="30")
    name = world.username("A", Role.PRICE_OFFICER)
    session.commit()  # end the test session's read (the name's refresh): the client writes next
    login(client, name)
    page = client.get("/paystd/derive")
    assert page.status_code == 200 and "NAT9" in page.get_data(as_text=True)
    token = csrf_token(client, "/paystd/derive")
    answer = client.post("/paystd/derive", data={"csrf_token": token, "batch": "NAT9", "basis": "highest",
                                                 "multiples": "2，1.5", "fund_ratio": "70", "reason": "国家集采执行"})
    assert answer.status_code == 302
    version = session.exec(select(StandardVersion)).one()
    session.commit()  # end the test session's read: the client writes next
    waits = client.get(f"/paystd/versions/{version.id}").get_data(as_text=True)
    assert 'data-testid="decision-waits"' in waits  # four-eyes: not the deriving officer
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, b.username, PASSWORD)
    token = csrf_token(client, f"/paystd/versions/{version.id}")
    assert client.post(f"/paystd/versions/{version.id}/decide", data={"csrf_token": token, "decision": "approve",
                                                                      "note": ""}).status_code == 302
    session.expire_all()
    assert session.get(StandardVersion, version.id).status == "approved"
    session.commit()
    return version


def test_derived_approved_and_published_on_the_page_and_in_the_workbook(client, session, world):
    _derive_and_approve(client, session, world)
    page = client.get("/paystd/?date=2025-03-01").get_data(as_text=True)
    assert re.search(r'data-testid="standard-YP902">¥5\.9588<', page)
    assert re.search(r'data-testid="cap-XL02BBA326A001010102180">¥8\.9382<', page)  # year two: × 1.5
    assert re.search(r'data-testid="fund-XL02BBA326A001010102180">¥6\.2567<', page)
    assert "没有执行中的支付标准" in client.get("/paystd/?date=2024-02-01").get_data(as_text=True)
    book = client.get("/paystd/standards.xlsx?date=2025-03-01")
    assert book.status_code == 200
    wb = load_workbook(io.BytesIO(book.data))
    standards, payments = wb.worksheets
    rows = {r[0]: r for r in standards.iter_rows(min_row=2, values_only=True)}
    assert rows["YP902"][5] == 5.9588 and rows["YP901"][5] == 71.2
    [product] = list(payments.iter_rows(min_row=2, values_only=True))
    assert product[0] == "XL02BBA326A001010102180" and product[6] == 2 and product[7] == 8.9382


def test_the_api_answers_the_standards_in_force_on_a_date(client, session, world):
    _derive_and_approve(client, session, world)
    plain, _row = api.create_token(session, world.actors[("A", Role.HOSPITAL_BUYER)], "his", utcnow())
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    body = client.get("/api/v1/payment-standards?date=2026-03-01", headers=headers).get_json()
    assert {s["item"]: s["standard"] for s in body["standards"]} == {"YP901": "71.2000", "YP902": "5.9588",
                                                                     "YP903": "13.9000"}
    [product] = body["products"]
    assert (product["transition_year"], product["cap"], product["fund_pays"], product["patient_pays"]) == (
        3, "5.9588", "4.1712", "25.8288")
    assert client.get("/api/v1/payment-standards?date=2024-01-01", headers=headers).get_json()["standards"] == []
    for bad in ("2026-13-01", "20260301", "%00", "9" * 400, "1e309"):
        answer = client.get(f"/api/v1/payment-standards?date={bad}", headers=headers)
        assert answer.status_code in (400, 422) and "date" in answer.get_data(as_text=True), bad
    plain_b, _row = api.create_token(session, world.actors[("B", Role.HOSPITAL_BUYER)], "his", utcnow())
    session.commit()
    foreign = client.get("/api/v1/payment-standards", headers={"Authorization": f"Bearer {plain_b}"}).get_json()
    assert foreign["standards"] == [] and foreign["products"] == []
    assert date.fromisoformat(foreign["date"])


def test_a_bad_date_on_the_page_is_a_400_naming_the_field(client, session, world):
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    answer = client.get("/paystd/?date=2026-02-30")
    assert answer.status_code == 400 and "“date”" in answer.get_data(as_text=True)
    assert client.get("/paystd/").status_code == 200


def test_derivation_settings_typed_wrong_are_refused_with_the_setting_named(client, session, world):
    executed(session, world)
    name = world.username("A", Role.PRICE_OFFICER)
    session.commit()
    login(client, name)
    token = csrf_token(client, "/paystd/derive")
    for multiples, ratio, words in (("1.5, 2", "70", "逐年递减"), ("两倍", "70", "不是数字"), ("2", "170", "0 到 100")):
        page = client.post("/paystd/derive", data={"csrf_token": token, "batch": "NAT9", "basis": "highest",
                                                   "multiples": multiples, "fund_ratio": ratio, "reason": "x"},
                           follow_redirects=True).get_data(as_text=True)
        assert words in page, (multiples, ratio)
    assert session.exec(select(StandardVersion)).all() == []
