"""The per-kind upload row limits are deployment settings (``JICAI_UPLOAD_ROWS_*``) that reach
the upload pages: a delivery workbook past the configured limit is refused before it is read."""

from __future__ import annotations

import dataclasses
import io

from sqlmodel import func, select

from accounts.roles import Role
from core.config import load_settings
from settlement.models import Delivery
from tests.conftest import csrf_token, login
from tests.settlement.fixtures_db import delivery_workbook, make_setup


def _deliveries(n: int) -> bytes:
    return delivery_workbook([("HT-NOPE", "1", "2026-10-05", f"R{i}") for i in range(n)])


def test_row_limits_are_read_from_the_environment():
    settings = load_settings({"JICAI_UPLOAD_ROWS_DELIVERIES": "500", "JICAI_UPLOAD_ROWS_BIDS": "50"})
    assert (settings.upload_rows_deliveries, settings.upload_rows_bids) == (500, 50)
    assert load_settings({}).upload_rows_demand == 20_000


def test_the_delivery_page_refuses_past_the_configured_row_limit(app, client, session, world):
    make_setup(session, world)
    session.commit()
    app.extensions["jicai.settings"] = dataclasses.replace(app.extensions["jicai.settings"], upload_rows_deliveries=3)
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, "/settlement/")
    page = client.post("/settlement/deliveries/upload", data={
        "csrf_token": token, "file": (io.BytesIO(_deliveries(5)), "d.xlsx")}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "本类上传最多 3 行" in html
    # within the limit the same rows are read (and refused for their unknown contract, row by row)
    fits = client.post("/settlement/deliveries/upload", data={
        "csrf_token": token, "file": (io.BytesIO(_deliveries(2)), "d.xlsx")}, content_type="multipart/form-data")
    assert "本类上传最多" not in fits.get_data(as_text=True) and "HT-NOPE" in fits.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Delivery)).one() == 0
