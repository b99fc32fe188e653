"""The officer's progress chart: what the browser draws, the table beside it and the read model
(monitoring_queries.progress_report) are the same figures; its Excel export holds them too."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from accounts.roles import Role
from core.clock import utcnow
from core.formats import pct, plain_decimal, qty
from procurement.models import Batch
from settlement import services
from settlement.execution.deliveries import DeliveryInput
from settlement.monitoring import queries as monitoring_queries
from tests.conftest import login
from tests.settlement.fixtures_db import NOW, setup  # noqa: F401
from tests.web.chart_pages import island, table


def test_chart_table_and_query_agree(client, session, world, setup):  # noqa: F811
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    services.record_delivery(session, world.actors[("A", Role.SUPPLIER_REP)],
                             DeliveryInput(setup.contracts["YP001"].code, 1000, date(2026, 10, 3)), NOW)
    session.commit()
    today = utcnow().date()
    report, _names = monitoring_queries.progress_report(session, officer, session.get(Batch, setup.batch_id), today)
    session.close()
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = client.get(f"/settlement/officer/batches/{setup.code}").get_data(as_text=True)
    data, rows = island(page, "progress"), table(page, "progress")
    assert len(report.rows) == len(rows) == len(data["categories"]) > 0
    completion, target = (s["values"] for s in data["series"])
    for r, row, done, aim in zip(report.rows, rows, completion, target, strict=True):
        assert done == (plain_decimal(r.completion_ratio * 100) if r.completion_ratio is not None else None)
        assert aim == plain_decimal(r.time_ratio * 100)
        assert row[1:] == [pct(r.completion_ratio), pct(r.time_ratio), qty(r.purchased_selected),
                           qty(r.agreed_volume), pct(r.non_selected_share)]
    export = client.get(f"/settlement/officer/batches/{setup.code}?chart=progress")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(export.data)).active
    assert [c.value for c in ws["A"]][1:] == data["categories"]
    assert [c.value for c in ws["E"]][1:] == [r.agreed_volume for r in report.rows]
    assert client.get(f"/settlement/officer/batches/{setup.code}?chart=nope").status_code == 404
