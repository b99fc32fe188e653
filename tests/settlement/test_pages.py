"""Settlement through the pages: deliveries (form and workbook), acceptance, application,
reconciliation, run, four-eyes approval, bank files, bank return, statements, progress, savings."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from settlement import services
from settlement.models import Acceptance, Delivery, PaymentInstruction, SettlementRun
from tests.conftest import PASSWORD, csrf_token, fetch_held, login
from tests.settlement.fixtures_db import NOW, delivery_workbook, second_officer, setup  # noqa: F401


def _all(session, stmt) -> list:
    """Rows of ``stmt``, ending the test session's (write) transaction so the app can write."""
    rows = list(session.exec(stmt).all())
    session.commit()
    return rows


def _switch(client, username):
    """Sign out and in as another user."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, username).status_code == 302
    return csrf_token(client, "/settlement/" if "officer" not in username else "/settlement/officer/")


def test_month_through_the_pages(client, session, world, setup):  # noqa: F811
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    second_officer(session, world)
    session.commit()
    c1, c3 = setup.contracts["YP001"].code, setup.contracts["YP003"].code
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, "/settlement/")
    page = client.get("/settlement/").get_data(as_text=True)
    assert c1 in page and setup.foreign_contract.code not in page
    r = client.post("/settlement/deliveries", data={"csrf_token": token, "contract_code": c1, "quantity": "1000",
                                                    "shipped_on": "2026-10-03", "supplier_ref": "PS-1"},
                    follow_redirects=True)
    assert "已记录" in r.get_data(as_text=True) or "Delivery recorded" in r.get_data(as_text=True)
    bad = delivery_workbook([(c1, "10", "2026-10-05", "A"), (setup.foreign_contract.code, "5", "2026-10-05", "B"),
                 (c3, "1.5", "2026-10-05", "C"), (c3, "7", "昨天", "D")])
    r = client.post("/settlement/deliveries/upload", data={"csrf_token": token, "file": (io.BytesIO(bad), "d.xlsx")},
                    content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="upload-errors"' in r
    assert "发货!A3" in r and "发货!B4" in r and "发货!C5" in r and "发货!A2" not in r
    marked = load_workbook(io.BytesIO(fetch_held(client, r).data))
    assert "发货" in marked.sheetnames
    assert len(_all(session, select(Delivery))) == 1  # nothing from the refused workbook
    notxlsx = client.post("/settlement/deliveries/upload", data={"csrf_token": token, "file": (io.BytesIO(b"hello"),
                          "d.xlsx")}, content_type="multipart/form-data").get_data(as_text=True)
    assert "xlsx" in notxlsx
    good = delivery_workbook([(c3, "333", "2026-10-20", "PS-2")])
    r = client.post("/settlement/deliveries/upload", data={"csrf_token": token, "file": (io.BytesIO(good), "d.xlsx")},
                    content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-testid="upload-done"' in r
    assert client.get(f"/settlement/batches/{setup.code}/deliveries-template.xlsx").status_code == 200

    token = _switch(client, world.username("A", Role.HOSPITAL_BUYER))
    ids = [d.id for d in _all(session, select(Delivery).order_by(Delivery.id))]
    client.post(f"/settlement/deliveries/{ids[0]}/accept", data={"csrf_token": token, "quantity": "900",
                                                                 "accepted_on": "2026-10-04"})
    client.post(f"/settlement/deliveries/{ids[1]}/accept", data={"csrf_token": token, "quantity": "333",
                                                                 "accepted_on": "2026-10-21"})
    r = client.post(f"/settlement/deliveries/{ids[1]}/accept", data={"csrf_token": token, "quantity": "1",
                                                                     "accepted_on": "2026-10-21"}, follow_redirects=True)
    assert "验收数量超过未验收数量" in r.get_data(as_text=True)  # in the reader's language
    assert len(_all(session, select(Acceptance))) == 2

    token = _switch(client, world.username("A", Role.SUPPLIER_REP))
    client.post("/settlement/apply", data={"csrf_token": token, "batch_code": setup.code, "month": "2026-10"})
    token = _switch(client, world.username("A", Role.HOSPITAL_BUYER))
    lines = [str(a.id) for a in _all(session, select(Acceptance))]
    client.post("/settlement/reconcile", data={"csrf_token": token, "step": "record",
                                               **{f"decision-{pk}": "confirm" for pk in lines}})

    token = _switch(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = client.get(f"/settlement/officer/batches/{setup.code}").get_data(as_text=True)
    assert 'data-testid="chart-progress"' in page and 'data-chart-data="progress"' in page
    r = client.post(f"/settlement/officer/batches/{setup.code}/run", data={"csrf_token": token, "month": "2026-10"})
    (run,) = _all(session, select(SettlementRun))
    assert r.headers["Location"].endswith(f"/settlement/officer/runs/{run.id}")
    gross = 900 * 1234 // 100 + (333 * 567 + 50) // 100
    assert run.gross_fen == gross
    page = client.post(f"/settlement/officer/runs/{run.id}/approve", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "双人复核" in page and "four-eyes" not in page  # refused, in the reader's language
    _switch(client, "a_settlement_officer_2")
    token = csrf_token(client, f"/settlement/officer/runs/{run.id}")
    client.post(f"/settlement/officer/runs/{run.id}/approve", data={"csrf_token": token})
    page = client.post(f"/settlement/officer/runs/{run.id}/release", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    xml_link = re.search(r'href="([^"]+)" data-testid="file-xml"', page).group(1)
    xml = client.get(xml_link)
    assert xml.status_code == 200 and b"pain.001.001.09" in xml.data
    exported = client.get(f"/settlement/officer/runs/{run.id}/instructions.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data))["付款指令"]
    assert [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["已下达"]  # a label, not "issued"
    (inst,) = _all(session, select(PaymentInstruction))
    ret = f"指令编号,状态\n{inst.reference},成功\n".encode()
    page = client.post(f"/settlement/officer/runs/{run.id}/bank-return",
                       data={"csrf_token": token, "file": (io.BytesIO(ret), "return.csv")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert f'data-testid="status-{inst.reference}" data-status="paid">已支付<' in page  # label, raw code kept
    assert 'data-testid="run-status" data-status="released">已下发银行文件<' in page
    savings = client.get(f"/settlement/officer/batches/{setup.code}/savings")  # moved to the savings pages
    assert savings.status_code == 302 and savings.headers["Location"].endswith(f"/savings/batches/{setup.code}")
    assert client.get(f"/settlement/officer/batches/{setup.code}/savings?xlsx=1",
                      follow_redirects=True).mimetype.endswith("spreadsheetml.sheet")

    _switch(client, world.username("A", Role.HOSPITAL_BUYER))
    page = client.get("/settlement/statements").get_data(as_text=True)
    session.expire_all()
    run = session.get(SettlementRun, run.id)
    assert run.paid_fen > 0
    from core.money import format_yuan

    assert format_yuan(run.paid_fen) in page and "B hospital" not in page


def test_foreign_officer_cannot_open_a_run(client, session, world, setup):  # noqa: F811
    assert PASSWORD
    login(client, world.username("B", Role.SETTLEMENT_OFFICER))
    assert client.get(f"/settlement/officer/batches/{setup.code}").status_code == 404
    assert client.get("/settlement/officer/runs/1").status_code == 404
