"""The self-payment pages through the real form: the hospital sees its unpaid plain line (not the
VBP one), records its payment, and a refusal is shown in the reader's language; the bureau sees
the figures per hospital and exports them."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import select

from selfpay.models import SelfPayment
from tests.conftest import csrf_token, login


def _as(client, world, role, side="A"):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")}) if "logout" in client.get("/").get_data(
        as_text=True) else None
    assert login(client, world.username(side, role)).status_code == 302


def test_the_hospital_records_its_payment_through_the_form(client, session, world, accepted):
    session.commit()
    _as(client, world, "hospital_buyer")
    page = client.get("/selfpay").get_data(as_text=True)
    assert f"selfpay-line-{accepted.plain.id}" in page and f"selfpay-line-{accepted.vbp.id}" not in page
    assert "¥400.04" in page
    token = csrf_token(client, "/selfpay")
    answer = client.post("/selfpay/payments", data={"csrf_token": token, f"line-{accepted.plain.id}": "1",
                                                    "paid_on": "2026-12-01", "amount": "400", "bank_ref": "CMB-1"},
                         follow_redirects=True)
    assert "不等于" in answer.get_data(as_text=True) or "合计" in answer.get_data(as_text=True)
    assert session.exec(select(SelfPayment)).all() == []
    session.commit()
    client.post("/selfpay/payments", data={"csrf_token": token, f"line-{accepted.plain.id}": "1",
                                           "paid_on": "2026-12-01", "amount": "400.04", "bank_ref": "CMB-1"})
    session.expire_all()
    (payment,) = session.exec(select(SelfPayment)).all()
    assert payment.amount_fen == 40004
    session.commit()
    page = client.get("/selfpay").get_data(as_text=True)
    assert f"selfpay-line-{accepted.plain.id}" not in page and "CMB-1" in page


def test_the_bureau_sees_the_figures_and_exports_them(client, session, world, accepted):
    session.commit()
    _as(client, world, "price_officer")
    page = client.get("/selfpay").get_data(as_text=True)
    assert f"selfpay-hospital-{accepted.shop.hospital.org_id}" in page and "¥400.04" in page
    answer = client.get("/selfpay?xlsx=1")
    sheets = load_workbook(io.BytesIO(answer.data)).worksheets
    assert [ws.title for ws in sheets][:1] and sheets[0].cell(2, 1).value == "A hospital"
    assert sheets[0].cell(2, 6).value == 400.04


def test_suppliers_and_distributors_are_refused(client, session, world, accepted):
    session.commit()
    for role in ("supplier_rep", "distributor_rep"):
        _as(client, world, role)
        assert client.get("/selfpay").status_code in (403, 404)
