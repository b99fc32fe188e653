"""The monitoring pages: a run from the page raises the alerts, the officer follows one up
(a credit referral records a breach) and closes it; the rules, other provinces' prices, the
deep list and the monthly report with its charts and workbook."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from core.clock import moved_to
from credit.models import Breach
from pricewatch.models import Alert, ProvincePrice, WatchedProduct, WatchPolicy
from tests.conftest import csrf_token, login
from tests.paystd.fixtures import NON_SELECTED, approved_standards, executed, list_non_selected
from tests.pricewatch.test_monitoring import _raised_to_40

LATER = datetime(2024, 5, 2, 2, 0, tzinfo=UTC)


def _ready(client, session, world):
    a, b = executed(session, world)
    approved_standards(session, a, b)
    product = list_non_selected(session, world, price="30")
    _raised_to_40(session, world, product)
    name = world.username("A", Role.PRICE_OFFICER)
    session.commit()
    login(client, name)


def test_run_follow_up_and_close_through_the_pages(client, session, world):
    _ready(client, session, world)
    with moved_to(LATER):
        token = csrf_token(client, "/pricewatch/")
        done = client.post("/pricewatch/run", data={"csrf_token": token, "month": "2024-04"}, follow_redirects=True)
        assert "产生预警 3 条" in done.get_data(as_text=True)
        alert = session.exec(select(Alert).where(Alert.rule == "listed_raise")).one()
        session.commit()
        page = client.get(f"/pricewatch/alerts/{alert.id}").get_data(as_text=True)
        assert "上涨 33.3%" in page and "¥30.0000" in page and "¥40.0000" in page
        client.post(f"/pricewatch/alerts/{alert.id}/followup", data={"csrf_token": token, "kind": "credit",
                                                                    "note": "无正当理由涨价"})
        client.post(f"/pricewatch/alerts/{alert.id}/close", data={"csrf_token": token, "note": "已移交信用评价"})
        page = client.get(f"/pricewatch/alerts/{alert.id}").get_data(as_text=True)
        assert 'data-testid="followup-breach"' in page and "已关闭" in page
    assert session.exec(select(Breach)).one().kind == "price_manipulation"
    session.commit()
    listing = client.get("/pricewatch/?status=open").get_data(as_text=True)
    assert listing.count('data-testid="alert-') == 2
    assert client.get("/pricewatch/?month=13").status_code == 200  # an unknown filter is ignored
    assert client.get("/pricewatch/report?month=2024-13").status_code == 400


def test_rules_province_prices_and_the_deep_list_through_the_pages(client, session, world):
    _ready(client, session, world)
    token = csrf_token(client, "/pricewatch/rules")
    form = {"csrf_token": token, "raise_pct": "15", "peer_pct": "30", "peer_min": "3", "non_selected_multiple": "2",
            "provinces_n": "2", "raise_severity": "high", "peer_severity": "medium", "non_selected_severity": "off",
            "provinces_severity": "medium", "paystd_severity": "high"}
    assert client.post("/pricewatch/rules", data=form).status_code == 302
    bad = client.post("/pricewatch/rules", data={**form, "raise_pct": "abc"}, follow_redirects=True)
    assert "规则未保存" in bad.get_data(as_text=True)
    policy = session.exec(select(WatchPolicy)).one()
    assert '"raise_pct": "0.15"' in policy.rules_json and '"non_selected_severity": "off"' in policy.rules_json
    session.commit()
    client.post("/pricewatch/provinces", data={"csrf_token": token, "product_code": NON_SELECTED, "province": "江苏",
                                               "price": "9.50", "observed_on": "2024-03-15", "source": "公示"})
    refused = client.post("/pricewatch/provinces", data={"csrf_token": token, "product_code": "NOPE",
                                                         "province": "浙江", "price": "9", "observed_on": "2024-03-15"},
                          follow_redirects=True)
    assert "没有编码为 NOPE 的挂网产品" in refused.get_data(as_text=True)
    assert [p.province for p in session.exec(select(ProvincePrice)).all()] == ["江苏"]
    session.commit()
    upload = client.post("/pricewatch/provinces/upload", data={"csrf_token": token, "file": (io.BytesIO(b"hello"),
                                                                                              "p.xlsx")},
                         content_type="multipart/form-data")
    assert upload.status_code == 200 and 'data-testid="upload-errors"' in upload.get_data(as_text=True)
    client.post("/pricewatch/deep", data={"csrf_token": token, "product_code": NON_SELECTED, "reason": "重点品种"})
    assert session.exec(select(WatchedProduct)).one().reason == "重点品种"
    session.commit()


def test_the_monthly_report_with_its_charts_and_workbook(client, session, world):
    _ready(client, session, world)
    with moved_to(LATER):
        token = csrf_token(client, "/pricewatch/")
        client.post("/pricewatch/run", data={"csrf_token": token, "month": "2024-04"})
    page = client.get("/pricewatch/report?month=2024-04").get_data(as_text=True)
    assert 'data-testid="chart-alerts"' in page and 'data-testid="chart-table-alerts"' in page
    assert re.search(r"2024-04</td><td class=\"num\">3</td>", page)
    chart = client.get("/pricewatch/report?month=2024-04&chart=alerts")
    rows = list(load_workbook(io.BytesIO(chart.data)).active.iter_rows(values_only=True))
    assert rows[-1][:2] == ("2024-04", 3)
    book = load_workbook(io.BytesIO(client.get("/pricewatch/report.xlsx?month=2024-04").data))
    assert len(book.worksheets) == 3 and book.worksheets[1].title == "医疗机构" and book.worksheets[2].title == "企业"
    products = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert any(row[6] == 3 for row in products)  # the listed product: three alerts raised
