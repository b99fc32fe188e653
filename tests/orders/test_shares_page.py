"""The platform figures on the dashboard page: each chart's drawn data equals the table beside it
and the read model (orders.shares), the table exports to Excel, a hospital reports its total spend
by the form (refusals named, nothing written) and sees its own figures only."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlmodel import func, select

from accounts.roles import Role
from core.formats import pct, plain_decimal, yuan
from orders.models import HospitalSpend
from orders.shares import shares
from orders.spend import report_spend
from tests.conftest import csrf_token, login
from tests.orders.conftest import NOW
from tests.orders.test_shares import bought
from tests.web.chart_pages import island, table


def _percent(ratio):
    return plain_decimal(ratio * 100) if ratio is not None else None


def test_the_charts_equal_their_tables_and_the_read_model(client, session, world, shop):
    bought(session, world, shop)
    report_spend(session, shop.hospital, "2026-12", "drug", "500", "", NOW)
    bureau = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    s = shares(session, bureau, "2026-12")
    session.close()
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = client.get("/dashboard/?period=2026-12").get_data(as_text=True)
    for key, rows in (("shares-by-city", (s.total, *s.cities)), ("shares-by-hospital", s.hospitals)):
        data, cells = island(page, key), table(page, key)
        assert len(data["categories"]) == len(rows) == len(cells)
        assert [sr["values"] for sr in data["series"]] == [
            [_percent(r.platform_share("drug")) for r in rows], [_percent(r.platform_share("consumable")) for r in rows],
            [_percent(r.vbp_share) for r in rows], [_percent(r.non_selected_share) for r in rows]]
        assert [c[1:] for c in cells] == [
            [pct(r.platform_share("drug")), pct(r.platform_share("consumable")), pct(r.vbp_share),
             pct(r.non_selected_share), yuan(r.reported_fen.get("drug", 0)), yuan(r.reported_fen.get("consumable", 0)),
             yuan(r.accepted_fen)] for r in rows]
        export = load_workbook(io.BytesIO(client.get(f"/dashboard/?period=2026-12&chart={key}").data)).active
        assert [c.value for c in export["A"]][1:] == list(data["categories"])
        assert [c.value for c in export["H"]][1:] == [r.accepted_fen / 100 for r in rows]
    assert cells[0][0] == "A hospital"
    assert (s.total.platform_share("drug"), s.total.vbp_share) == (Decimal("0.8470"), Decimal("0.2915"))
    assert pct(Decimal("0.8470")) in page and "目标" in page


def test_a_hospital_reports_its_spend_and_sees_its_own_figures(client, session, world, shop):
    bought(session, world, shop)
    session.close()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    token = csrf_token(client, "/dashboard/")
    bad = client.post("/dashboard/spend", data={"csrf_token": token, "month": "2026-12", "kind": "drug",
                                                "amount": "1.234"}, follow_redirects=True).get_data(as_text=True)
    assert "1.234" in bad
    assert session.exec(select(func.count()).select_from(HospitalSpend)).one() == 0
    session.close()
    page = client.post("/dashboard/spend", data={"csrf_token": token, "month": "2026-12", "kind": "drug",
                                                 "amount": "500.00"}, follow_redirects=True).get_data(as_text=True)
    assert "¥500.00" in page
    page = client.get("/dashboard/?period=2026-12").get_data(as_text=True)
    assert 'data-chart-data="shares-by-city"' not in page
    assert [c[0] for c in table(page, "shares-by-hospital")] == ["A hospital"]
    assert client.get("/dashboard/?period=20x6").status_code == 200  # a bad period: said, this year shown
    login(client, world.username("B", Role.HOSPITAL_BUYER))
    other = client.get("/dashboard/?period=2026-12").get_data(as_text=True)
    assert 'data-testid="chart-empty-shares-by-hospital"' in other and "A hospital" not in other
