"""Issue #20's "Done when" as one service story (the browser journey is
tests/browser/test_prices_journey.py): the national batch's selected prices → payment standards
derived by one price officer → refused to her and approved by a second (four-eyes) → published
(the standards in force, the page, the workbook, ``/api/v1/payment-standards``) → a non-selected
product's payment stepping down across the transition years, the served page read at a moved
clock → a listed-price rise and a peer outlier raising alerts over real orders → the officer
follows one up and closes it."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from api import services as api
from core.clock import moved_to, utcnow
from notices.models import Notification
from paystd import queries, services
from paystd.errors import StandardError
from paystd.models import StandardLine
from paystd.rules import StandardRules
from pricewatch import alerts, monitor
from pricewatch.models import Alert, FollowUp
from pricewatch.rules import month_period
from procurement.models import Batch, Item
from tests.conftest import login
from tests.paystd.fixtures import LISTED_AT, NON_SELECTED, executed, list_non_selected
from tests.pricewatch.buying import peer_lines
from tests.pricewatch.test_monitoring import _raised_to_40

RUN_AT = datetime(2024, 5, 2, 2, 0, tzinfo=UTC)


def test_issue_20_selected_prices_to_standards_to_alerts_followed_up(client, session, world):
    a, b = executed(session, world)  # NAT9's result in execution in province A from 2024-03-01
    ibuprofen = list_non_selected(session, world, price="30")  # ¥30 a 400mg vial, not selected
    peer_lines(session, world, LISTED_AT)

    # derived from the batch's selected prices: per generic × dosage form, the highest one
    batch = session.exec(select(Batch).where(Batch.code == "NAT9")).one()
    prices = services.selected_prices(session, batch.id)
    version = services.derive_standards(session, a, "NAT9", StandardRules(), "第九批国家集采执行", LISTED_AT)
    lines = session.exec(select(StandardLine, Item).join(Item, Item.id == StandardLine.item_id)
                         .where(StandardLine.version_id == version.id)).all()
    assert {item.id: line.standard_e4 for line, item in lines} == {
        i: max(p for j, _s, p in prices if j == i) for i, _s, _p in prices}
    assert version.status == "proposed" and version.effective_on == date(2024, 3, 1)
    assert queries.in_force(session, a, date(2024, 6, 1)) == []  # not before approval

    # four-eyes: the deriving officer may not approve; the second officer does
    with pytest.raises(StandardError, match="Four-eyes"):
        services.decide_version(session, a, version.id, True, "", LISTED_AT)
    services.decide_version(session, b, version.id, True, "", LISTED_AT)
    assert {r.item.code: r.standard_e4 for r in queries.in_force(session, a, date(2024, 3, 1))}["YP902"] == 59588

    # published: the page, the workbook and the API of the hospitals' and the fund's systems
    token, _row = api.create_token(session, world.actors[("A", Role.HOSPITAL_BUYER)], "his", utcnow())
    hospital = world.username("A", Role.HOSPITAL_BUYER)
    session.commit()  # end the test session's read: the client reads next
    assert login(client, hospital).status_code == 302
    assert re.search(r'data-testid="standard-YP902">¥5\.9588<', client.get("/paystd/?date=2024-03-01").get_data(
        as_text=True))
    book = load_workbook(io.BytesIO(client.get("/paystd/standards.xlsx?date=2024-03-01").data))
    assert {r[0]: r[5] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)}["YP902"] == 5.9588
    body = client.get("/api/v1/payment-standards?date=2024-03-01",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {s["item"]: s["standard"] for s in body["standards"]}["YP902"] == "5.9588"

    # the non-selected ibuprofen steps down across the transition years: the served page with no
    # date shows today's standards, read at a moved clock in each year
    caps = {}
    for when in (datetime(2024, 3, 5, 2, tzinfo=UTC), datetime(2025, 3, 5, 2, tzinfo=UTC),
                 datetime(2026, 3, 5, 2, tzinfo=UTC)):
        with moved_to(when):
            client.post("/logout")
            assert login(client, hospital).status_code == 302
            page = client.get("/paystd/").get_data(as_text=True)
            year = re.search(rf'data-testid="year-{NON_SELECTED}">(\d)<', page).group(1)
            caps[year] = re.search(rf'data-testid="cap-{NON_SELECTED}">([^<]+)<', page).group(1)
            [pay] = queries.product_payments(session, a, when.date())
            assert pay.product.id == ibuprofen.id and str(pay.pay.year) == year
            session.commit()  # end the test session's read: the client signs in (writes) next
    assert caps == {"1": "¥11.9176", "2": "¥8.9382", "3": "¥5.9588"}  # 2×, 1.5×, then the standard

    # April 2024: the ibuprofen's listed price rises ¥30 → ¥40; one hospital paid ¥200 where its
    # three peers paid ¥100 for the plain drug
    _raised_to_40(session, world, ibuprofen)
    run = monitor.run_monitoring(session, a, "2024-04", *month_period("2024-04"), RUN_AT)
    raised = {x.rule: x for x in session.exec(select(Alert).where(Alert.run_id == run.id)).all()}
    assert {"listed_raise", "peer_median"} <= set(raised)
    rise, peer = json.loads(raised["listed_raise"].evidence_json), json.loads(raised["peer_median"].evidence_json)
    assert (rise["before"], rise["after"], rise["rise"], rise["period"]) == (300000, 400000, "33.3%", "2024-04")
    assert (peer["hospital_price"], peer["median"], peer["hospitals"]) == (2000000, "1000000", 4)
    inbox = session.exec(select(Notification).where(Notification.kind == "price_alert", Notification.org_id == a.org_id,
                                                    Notification.role == Role.PRICE_OFFICER)).all()
    assert len(inbox) == run.raised and any("33.3%" in n.text for n in inbox)  # in the price officers' inbox
    assert monitor.run_monitoring(session, a, "2024-04", *month_period("2024-04"), RUN_AT).raised == 0

    # the officer asks for an explanation, then closes the alert with what came of it
    alert_id = raised["listed_raise"].id
    alerts.follow_up(session, a, alert_id, "explain", "请企业说明涨价原因并提供成本依据", RUN_AT)
    closed = alerts.close_alert(session, b, alert_id, "企业已说明原料成本上涨，价格调整合规", RUN_AT)
    assert closed.status == "closed" and closed.closed_by == b.user_id
    assert [f.kind for f in session.exec(select(FollowUp).where(FollowUp.alert_id == alert_id)).all()] == ["explain"]
