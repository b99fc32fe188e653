"""The dashboard page: every chart's drawn data equals the table beside it and the read model
(settlement.monitoring.dashboard), each exports to Excel, figures not yet available say so."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from accounts.roles import Role
from core.clock import utcnow
from core.formats import pct, plain_decimal, qty, yuan
from core.money import fen_to_decimal
from procurement.models import Batch
from settlement.monitoring.dashboard import dashboard
from settlement.monitoring.queries import progress_report
from tests.conftest import login
from tests.settlement.fixtures_db import setup  # noqa: F401
from tests.settlement.monitoring.test_dashboard import _bought
from tests.web.chart_pages import island, table


def _percent(ratio):
    return plain_decimal(ratio * 100) if ratio is not None else None


def test_every_chart_equals_its_table_and_the_read_model(client, session, world, setup):  # noqa: F811
    _bought(session, world, setup)
    d = dashboard(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], utcnow().date())
    session.close()
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = client.get("/dashboard/").get_data(as_text=True)

    data, rows = island(page, "savings"), table(page, "savings")
    assert data["categories"] == [str(y.year) for y in d.savings] == [r[0] for r in rows]
    assert data["series"][0]["values"] == [plain_decimal(fen_to_decimal(y.saving_fen)) for y in d.savings]
    assert [r[1:] for r in rows] == [[yuan(y.saving_fen), yuan(y.cumulative_fen)] for y in d.savings]

    data, rows = island(page, "cuts"), table(page, "cuts")
    assert data["series"][0]["values"] == [_percent(c.average_cut) for c in d.cuts]
    assert [r[1:] for r in rows] == [[pct(c.average_cut), qty(c.items)] for c in d.cuts]

    for key, figures in (("by-batch", d.by_batch), ("by-city", d.by_city)):
        data, rows = island(page, key), table(page, key)
        assert data["categories"] == [c.label for c in figures] == [r[0] for r in rows]
        assert [s["values"] for s in data["series"]] == [[_percent(c.completion) for c in figures],
                                                         [_percent(c.time_ratio) for c in figures]]
        assert [r[1:] for r in rows] == [[pct(c.completion), pct(c.time_ratio), qty(c.purchased), qty(c.agreed)]
                                         for c in figures]
        export = client.get(f"/dashboard/?chart={key}")
        ws = load_workbook(io.BytesIO(export.data)).active
        assert [c.value for c in ws["E"]][1:] == [c.agreed for c in figures]

    # every chart of the page is checked: these four here, the platform figures' two (drawn once
    # there are orders) in tests/orders/test_shares_page.py against orders.shares
    assert {"savings", "cuts", "by-batch", "by-city"} <= set(re.findall(r'data-chart-data="([^"]+)"', page)) <= {
        "savings", "cuts", "by-batch", "by-city", "shares-by-city", "shares-by-hospital"}
    assert yuan(d.cumulative_saving_fen) in page and yuan(d.prepayment_outstanding_fen) in page
    assert page.count("尚无数据") == 4  # platform shares of drugs and consumables, VBP and non-selected share: no orders


def test_a_hospital_sees_its_own_dashboard_without_the_city_breakdown(client, session, world, setup):  # noqa: F811
    _bought(session, world, setup)
    session.close()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    page = client.get("/dashboard/").get_data(as_text=True)
    assert 'data-chart-data="by-batch"' in page and 'data-chart-data="by-city"' not in page
    assert table(page, "by-batch")[0][3:] == [qty(2_033), qty(150_000)]
    items = table(page, f"progress-{setup.code}")  # its own agreed volumes item by item
    assert [r[3:5] for r in items] == [[qty(1_700), qty(100_000)], [qty(333), qty(50_000)]]
    # the chart draws what its table shows and the read model (progress_report) holds
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]
    report, _names = progress_report(session, hospital, session.get(Batch, setup.batch_id), utcnow().date())
    session.close()
    data = island(page, f"progress-{setup.code}")
    assert len(data["categories"]) == len(report.rows) == len(items) == 2
    assert [sr["values"] for sr in data["series"]] == [[_percent(r.completion_ratio) for r in report.rows],
                                                       [_percent(r.time_ratio) for r in report.rows]]
    assert [r[1:6] for r in items] == [[pct(r.completion_ratio), pct(r.time_ratio), qty(r.purchased_selected),
                                        qty(r.agreed_volume), pct(r.non_selected_share)] for r in report.rows]
    assert set(re.findall(r'data-chart-data="([^"]+)"', page)) <= {
        "savings", "cuts", "by-batch", "shares-by-hospital", f"progress-{setup.code}"}  # each checked here or there
    login(client, world.username("A", Role.SUPPLIER_REP))
    assert client.get("/dashboard/").status_code == 403
