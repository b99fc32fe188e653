"""Demand pages: template download, upload with errors, error workbook, versions, bureau pages."""

import io

from openpyxl import load_workbook
from sqlmodel import func, select

from accounts.roles import Role
from procurement.demand.models import DemandUpload
from procurement.demand.services import submit_demand
from procurement.models import Item
from tests.conftest import HELD_RE, csrf_token, fetch_held, login
from tests.procurement.demand_fixtures import BEFORE, GOOD, sheet


def _post_file(client, url: str, data: bytes, token: str, name: str = "报量.xlsx"):
    """Upload ``data`` as the form's file field, with the CSRF token."""
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_hospital_downloads_template_fills_it_and_uploads(client, session, world, demand):
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    page = client.get("/batches/DB1/demand").get_data(as_text=True)
    assert "尚未提交" in page and "下载模板" in page
    template = client.get("/batches/DB1/demand/template")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(template.data))
    ws = wb["报量"]
    assert [ws.cell(row=r, column=3).value for r in (2, 3)] == ["YP101", "YP102"]
    ws["H2"], ws["I2"], ws["H3"], ws["I3"] = 1000, 900, 300, 250
    out = io.BytesIO()
    wb.save(out)
    token = csrf_token(client, "/batches/DB1/demand")
    accepted = _post_file(client, "/batches/DB1/demand", out.getvalue(), token)
    assert accepted.status_code == 302
    page = client.get("/batches/DB1/demand").get_data(as_text=True)
    assert "已提交：第 1 版" in page and "900" in page


def test_rejected_upload_shows_errors_and_offers_the_marked_workbook(client, session, world, demand):
    officer = world.username("A", Role.PRICE_OFFICER)
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    token = csrf_token(client, "/batches/DB1/demand")
    bad = sheet([["YP101", 1000, 500, None, None], ["YP404", 1, 1, None, None]])
    response = _post_file(client, "/batches/DB1/demand", bad, token)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "上传未被接受" in body and "低于下限" in body and "YP404" in body and "C2" in body
    assert session.exec(select(func.count()).select_from(DemandUpload)).one() == 0
    session.rollback()  # release SQLite's write lock (and touch no expired object after this)
    marked = fetch_held(client, body)
    assert marked.status_code == 200
    wb = load_workbook(io.BytesIO(marked.data))
    assert wb["报量"]["C2"].comment is not None and "错误汇总" in wb.sheetnames
    other = client.application.test_client()
    login(other, officer)
    held_token = HELD_RE.search(body).group(2)
    other_csrf = csrf_token(other, "/")
    assert other.post("/downloads", data={"csrf_token": other_csrf, "token": held_token}).status_code == 404  # only the uploader


def test_not_a_workbook_gets_a_clear_message(client, world, demand):
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    token = csrf_token(client, "/batches/DB1/demand")
    body = _post_file(client, "/batches/DB1/demand", b"just text", token, "a.xlsx").get_data(as_text=True)
    assert ".xlsx" in body and "error-download" not in body


def test_versions_and_diff_on_the_page(client, session, world, demand):
    buyer = world.actors[("A", Role.HOSPITAL_BUYER)]
    submit_demand(session, buyer, "DB1", "A-hospital", GOOD, "v1.xlsx", BEFORE)
    submit_demand(session, buyer, "DB1", "A-hospital", sheet([["YP101", 1000, 1500, None, None]]), "v2.xlsx", BEFORE)
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    body = client.get("/batches/DB1/demand?diff=2").get_data(as_text=True)
    assert "v1.xlsx" in body and "v2.xlsx" in body and "1,500" in body and "已删除" in body


def test_officer_progress_reminders_and_on_behalf_upload(client, session, world, demand):
    submit_demand(session, world.actors[("A", Role.HOSPITAL_BUYER)], "DB1", "A-hospital", GOOD, "a.xlsx", BEFORE)
    login(client, world.username("A", Role.PRICE_OFFICER))
    body = client.get("/batches/DB1/demand/progress").get_data(as_text=True)
    assert "3 家医院中已有 1 家提交" in body and "A2 医院" in body and "50.0%" in body
    token = csrf_token(client, "/batches/DB1/demand/progress")
    sent = client.post("/batches/DB1/demand/reminders", data={"csrf_token": token}, follow_redirects=True)
    assert "已向 2 家医院发送提醒" in sent.get_data(as_text=True)
    template = client.get("/batches/DB1/demand/hospitals/A2-hospital/template")
    assert template.status_code == 200
    up = _post_file(client, "/batches/DB1/demand/hospitals/A2-hospital", GOOD, token)
    assert up.status_code == 302
    upload = session.exec(select(DemandUpload).where(DemandUpload.on_behalf == True)).one()  # noqa: E712
    assert upload.hospital_org_id == demand.hospitals["A2"].id


def test_reminded_hospital_sees_it_on_its_landing_page(client, session, world, demand):
    from procurement.demand.services import send_demand_reminders
    send_demand_reminders(session, world.actors[("A", Role.PRICE_OFFICER)], "DB1", BEFORE)
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    assert "医保局提醒" in client.get("/").get_data(as_text=True)
    submit_demand(session, world.actors[("A", Role.HOSPITAL_BUYER)], "DB1", "A-hospital", GOOD, "a.xlsx", BEFORE)
    landing = client.get("/").get_data(as_text=True)
    assert "已提交需求" in landing and "医保局提醒" not in landing


def test_consolidated_page_and_export_neutralise_formulas(client, session, world, demand):
    item = session.exec(select(Item).where(Item.code == "YP102")).one()
    item.generic_name = "=HYPERLINK(\"http://evil\",\"x\")"
    session.commit()
    submit_demand(session, world.actors[("A", Role.HOSPITAL_BUYER)], "DB1", "A-hospital", GOOD, "a.xlsx", BEFORE)
    login(client, world.username("A", Role.PRICE_OFFICER))
    body = client.get("/batches/DB1/demand/consolidated").get_data(as_text=True)
    assert "汇总需求" in body and "900" in body
    export = client.get("/batches/DB1/demand/export.xlsx")
    wb = load_workbook(io.BytesIO(export.data))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[1][:6] == ("YP101", "阿托伐他汀钙片", "片", 1, 1000, 900)
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\",\"x\")" and rows[2][5] == 100
    assert len(list(wb.worksheets[1].iter_rows())) == 1 + 2 * 2


def test_foreign_hospital_pages_are_not_found(client, world, demand):
    login(client, world.username("A", Role.PRICE_OFFICER))
    assert client.get("/batches/DB1/demand/hospitals/B-hospital").status_code == 404
    login(client, world.username("B", Role.PRICE_OFFICER))
    assert client.get("/batches/DB1/demand/progress").status_code == 404


def test_upload_over_the_size_limit_gets_a_readable_413(app, client, world, demand):
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    token = csrf_token(client, "/batches/DB1/demand")
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = _post_file(client, "/batches/DB1/demand", GOOD + b"\0" * 4096, token)
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)


def test_uploads_close_with_the_deadline_on_the_page(client, session, world, demand):
    from datetime import UTC, datetime

    from procurement.models import Batch
    batch = session.exec(select(Batch).where(Batch.code == "DB1")).one()
    batch.demand_deadline = datetime(2020, 1, 1, tzinfo=UTC)  # moved into the past
    session.commit()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    assert "已停止接收上传" in client.get("/batches/DB1/demand").get_data(as_text=True)
    token = csrf_token(client, "/")
    refused = _post_file(client, "/batches/DB1/demand", GOOD, token)
    assert refused.status_code == 302
    page = client.get("/batches/DB1/demand").get_data(as_text=True)
    assert "报量已于 2020-01-01 08:00 (北京时间) 截止" in page and "UTC" not in page
