"""Retained savings with the hospital's orders (issue 21): the non-selected share of its accepted
orders in the cycle (``orders.shares``, the dashboard's figure) scores the component, and the
accepted order amounts of non-selected products of an item's generic count in the item's fund
spend — to the fen, through the real services (listing, orders, settlement) at the cycle's dates;
a hospital without such orders has no share and the page says so; a hospital's own read touches
only its own lines."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import event
from sqlmodel import select

from accounts.roles import Role
from orders.shares import shares
from savings import services
from savings.decisions import estimates
from savings.figures import cycle_periods, hospital_figures
from savings.models import SavingsAssessment
from savings.queries import own_estimates
from tests.orders.conftest import listed
from tests.orders.test_shares import bought
from tests.savings.fixtures import AFTER, cycle  # noqa: F401

D = Decimal


def test_cycle_periods_take_whole_years_where_they_can():
    from datetime import date

    assert cycle_periods(date(2026, 10, 1), date(2027, 9, 30)) == [
        "2026-10", "2026-11", "2026-12", *(f"2027-{m:02d}" for m in range(1, 10))]
    assert cycle_periods(date(2026, 10, 1), date(2028, 12, 31)) == ["2026-10", "2026-11", "2026-12", "2027", "2028"]
    assert cycle_periods(date(2027, 1, 1), date(2027, 12, 31)) == ["2027"]
    assert cycle_periods(date(2027, 3, 1), date(2027, 3, 20)) == ["2027-03"]


def test_orders_score_the_share_and_count_in_the_spend(session, world, cycle):  # noqa: F811
    # in 2026-12 (inside the cycle) the hospital accepts 10 packs of the VBP-selected atorvastatin
    # (¥123.46), 5 of a non-selected atorvastatin of another maker at ¥20 (¥100.00) and 2 of a
    # product not in VBP (¥200.02): YP001 is atorvastatin, YP003 amlodipine (no orders)
    bought(session, world, listed(session, world))
    officer = cycle.officer
    figures = hospital_figures(session, officer, _batch(session, cycle), AFTER)["A-hospital"]
    dashboard = shares(session, officer, "2026-12").hospitals[0]
    assert (figures.order_selected_fen, figures.order_non_selected_fen) == (12_346, 10_000) == (
        dashboard.vbp_fen, dashboard.non_selected_fen)
    assert figures.non_selected_share == D("0.4475") == dashboard.non_selected_share
    assert figures.non_selected_spend == {"YP001": 10_000}
    assert [(s.item_code, s.actual_fund_spend_fen) for s in figures.lines] == [("YP001", 12_340 + 10_000),
                                                                               ("YP003", 2_268)]

    services.propose(session, officer, cycle.code, AFTER)
    a = session.exec(select(SavingsAssessment).where(SavingsAssessment.batch_id == cycle.batch_id)).one()
    stored = json.loads(a.inputs_json)
    # completion 37.33 + selected use 20 + non-selected (1 − 0.4475) × 20 = 11.05 + on time 20 = 88.38 → 50 %
    assert [c["points"] for c in stored["components"]] == ["37.33", "20.00", "11.05", "20.00"]
    part = stored["components"][2]
    assert (part["numerator"], part["denominator"], part["ratio"]) == (12_346, 22_346, "0.5525")
    assert (a.score, a.rate) == ("88.38", "0.50")
    assert (stored["order_selected_fen"], stored["order_non_selected_fen"], stored["non_selected_share"]) == (
        12_346, 10_000, "0.4475")
    # YP001: ¥1,200.00 − (¥123.40 settled + ¥100.00 non-selected orders) = ¥976.60 → 50 % ¥488.30;
    # YP003: ¥400.00 − ¥22.68 = ¥377.32, not completed (400 of 500) → nothing
    assert [(r["item_code"], r["spend_fen"], r["non_selected_fen"], r["base_fen"], r["retained_fen"])
            for r in stored["rows"]] == [("YP001", 22_340, 10_000, 97_660, 48_830), ("YP003", 2_268, 0, 37_732, 0)]
    assert (a.base_fen, a.retained_fen, stored["spend_fen"], stored["non_selected_fen"]) == (
        97_660 + 37_732, 48_830, 24_608, 10_000)


def test_orders_outside_the_cycle_or_of_other_generics_do_not_count(session, world, cycle):  # noqa: F811
    bought(session, world, listed(session, world))
    batch = _batch(session, cycle)
    before = hospital_figures(session, cycle.officer, batch, AFTER.replace(year=2026, month=11, day=20))["A-hospital"]
    # on 2026-11-20 the December orders are not yet there: no share, nothing added to the spend
    assert before.non_selected_share is None and before.non_selected_spend == {}
    assert before.lines[0].actual_fund_spend_fen == 12_340


def test_the_hospital_reads_its_own_and_sees_the_officers_figures(session, world, cycle):  # noqa: F811
    bought(session, world, listed(session, world))
    batch = _batch(session, cycle)
    theirs = estimates(session, cycle.officer, batch, AFTER)["A-hospital"]
    statements: list[str] = []
    engine = session.get_bind()

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        ((b, row, shown),) = own_estimates(session, cycle.hospital, AFTER)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert b.code == cycle.code and row.estimate.score == theirs.score and row.retained_fen == theirs.retained_fen
    assert shown["rows"][0]["non_selected_fen"] == 10_000
    # every read of acceptance lines (settlement and orders) is limited to the hospital's own
    lines = [s for s in statements if "FROM settlement_acceptance" in s or "FROM order_acceptance" in s]
    assert lines and all("hospital_org_id =" in s.split("WHERE", 1)[1] for s in lines), lines
    assert estimates(session, cycle.foreign_hospital, batch, AFTER) == {}  # another province's hospital: nothing


def test_the_page_says_why_a_component_has_no_figure(client, session, world, cycle):  # noqa: F811
    from core.clock import moved_to
    from tests.conftest import login

    with moved_to(AFTER):
        login(client, world.username("A", Role.SETTLEMENT_OFFICER))
        page = client.get("/savings/batches/JY2026/hospitals/A-hospital").get_data(as_text=True)
    assert "本周期无集采通用名产品的验收订单：该项权重不计入" in page  # no orders: no share, never made up
    bought(session, world, listed(session, world))
    session.commit()
    with moved_to(AFTER):
        page = client.get("/savings/batches/JY2026/hospitals/A-hospital").get_data(as_text=True)
    assert "订单验收 ¥223.46，其中中选产品 ¥123.46（非中选产品 ¥100.00）" in page
    assert "55.25%" in page and "¥488.30" in page


def _batch(session, run):
    """The batch of the cycle ``run``."""
    from procurement.models import Batch

    return session.get(Batch, run.batch_id)
