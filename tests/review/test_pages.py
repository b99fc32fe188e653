"""Review through the pages: submit, send back, approve, object, answer, publish, sign,
exports (Excel, OCDS validated against the bundled schema), inbox."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import text

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from core.clock import utcnow
from core.formats import qty
from evaluation import services as evaluation
from review.queries import review_view
from tests.conftest import PASSWORD, csrf_token, login
from tests.evaluation.fixtures import opened_batch
from tests.review.test_ocds import codelist_errors, schema_errors
from tests.web.chart_pages import island, table


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data}, follow_redirects=True)


def test_review_journey_through_the_pages(app, client, db, session, world, ring):
    code = opened_batch(session, world, ring)
    officer_a = world.actors[("A", Role.PRICE_OFFICER)]
    accounts.create_user(session, None, username="a_officer_2", display_name="审核员", password=PASSWORD,
                         role=Role.PRICE_OFFICER, org_id=world.orgs[("A", OrgKind.BUREAU)].id)
    run = evaluation.request_evaluation(session, officer_a, code, utcnow()).value
    session.close()
    evaluation.claim_and_run(db, run.id, officer_a)

    login(client, "a_price_officer")
    page = client.get(f"/batches/{code}/review").get_data(as_text=True)
    assert "¥0.1300" in page and "B supplier" in page and 'data-chart-data="volume-' in page  # ranked bids, winner, chart
    view = review_view(session, officer_a, code)
    for it in (i for i in view.items if i.result.get("winners")):  # each chart = its table = the result
        winners = it.result["winners"]
        data, rows = island(page, f"volume-{it.code}"), table(page, f"volume-{it.code}")
        assert data["series"][0]["values"] == [str(w["volume"]) for w in winners]
        assert [r[1] for r in rows] == [qty(w["volume"]) for w in winners]
        assert data["categories"] == [r[0] for r in rows] == [it.suppliers.get(w["supplier"], w["supplier"]) for w in winners]
        assert client.get(f"/batches/{code}/review?chart=volume-{it.code}").mimetype.endswith("spreadsheetml.sheet")
    session.close()
    assert "超出最多中选企业数" in _post(client, f"/batches/{code}/review/submit", version="1").get_data(as_text=True)
    refused = _post(client, f"/batches/{code}/review/decide", decision="approve").get_data(as_text=True)
    assert "双人审核" in refused  # the officer who ran it cannot approve
    assert 'data-testid="approve"' not in refused and 'data-testid="send-back"' not in refused
    assert "双人审核" in refused.split('data-testid="decision-waits"')[1].split("</p>")[0]  # says why, no button
    _logout(client)

    login(client, "a_officer_2")
    reviewer = client.get(f"/batches/{code}/review").get_data(as_text=True)
    assert 'data-testid="approve"' in reviewer and 'data-testid="decision-waits"' not in reviewer
    during = _post(client, f"/batches/{code}/review/decide", decision="approve").get_data(as_text=True)
    assert 'data-testid="publish"' not in during  # publicity runs: no button that can only fail
    assert "公示期尚未结束" in during.split('data-testid="publish-waits"')[1].split("</p>")[0]
    _logout(client)

    login(client, "a_supplier_rep")  # a losing bidder objects
    result = client.get(f"/batches/{code}/result").get_data(as_text=True)
    assert "B supplier" in result and "winner_limit" in result
    token = csrf_token(client, f"/batches/{code}/result")
    too_big = client.post(f"/batches/{code}/result", data={"csrf_token": token, "text": "附件过大",
                                                          "attachment": (io.BytesIO(b"x" * (5 * 1024 * 1024 + 1)), "大.bin")},
                          content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "5 MB" in too_big and "附件过大" not in too_big  # refused, nothing lodged
    client.post(f"/batches/{code}/result", data={"csrf_token": token, "text": "请说明中选数量规则",
                                                  "attachment": (io.BytesIO(b"evidence"), "证明.txt")},
                content_type="multipart/form-data")
    _logout(client)

    login(client, "a_officer_2")
    page = client.get(f"/batches/{code}/review").get_data(as_text=True)
    assert "请说明中选数量规则" in page
    objection_id = page.split('data-testid="answer-')[1].split('"')[0]
    with db.engine.begin() as conn:  # the publicity period passes
        conn.execute(text("UPDATE publicity SET ends_at = :t"), {"t": utcnow() - timedelta(minutes=1)})
    assert "未答复" in _post(client, f"/batches/{code}/publish", confirm="y").get_data(as_text=True)
    _post(client, f"/batches/{code}/objections/{objection_id}/answer", answer="有效申报 2 家，按规则中选 1 家。")
    unconfirmed = _post(client, f"/batches/{code}/publish").get_data(as_text=True)
    assert "请勾选确认" in unconfirmed and "已发布" not in unconfirmed  # nothing published without the box
    assert "已发布" in _post(client, f"/batches/{code}/publish", confirm="y").get_data(as_text=True)
    _logout(client)

    login(client, "a_supplier_rep")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "您的异议已答复" in inbox
    _logout(client)

    login(client, "a_hospital_buyer")
    contracts = client.get(f"/batches/{code}/contracts").get_data(as_text=True)
    assert contracts.count('data-testid="contract-code">DB1-') == 1  # only its own contract (its code as secondary text)
    row = contracts[contracts.index('data-testid="contract-item"'):]
    row = row[:row.index("</tr>")]
    # names first (item, hospital, supplier), the price, and the amount: 500 agreed units × ¥0.1300
    assert "A hospital" in row and "B supplier" in row and "¥0.1300" in row and "¥65.00" in row
    unconfirmed = _post(client, f"/batches/{code}/contracts/sign-all").get_data(as_text=True)
    assert "将签署 1 份协议" in unconfirmed and "请勾选确认" in unconfirmed  # nothing signed without the box
    _post(client, f"/batches/{code}/contracts/sign-all", confirm="y")
    sheet = load_workbook(io.BytesIO(client.get(f"/batches/{code}/contracts.xlsx").data)).active
    assert sheet["I2"].value == 500 and sheet["I2"].number_format == "#,##0" and sheet.max_row == 2
    assert str(sheet["F2"].value) == "0.13" and sheet["F2"].number_format == "¥#,##0.0000"  # a number, formatted
    assert sheet["L2"].value in ("待确认", "已签订") and sheet["J2"].is_date  # a Chinese status, a real date
    package = client.get(f"/batches/{code}/ocds.json").get_data(as_text=True)
    assert schema_errors(package) == [] and codelist_errors(package) == []
    releases = json.loads(package)["releases"]
    assert any(r.get("contracts") for r in releases)
