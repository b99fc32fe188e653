"""Price monitoring: observations collected once from every point source, the purchases read in place, each rule raising an alert
with its evidence into the price officers' inbox, a second run with the same evidence raising
nothing, the peer median computed in SQL, follow-ups (a credit referral records a breach) and
closing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from accounts.roles import OrgKind, Role
from credit.models import Breach
from listing.services import decide_price_change, request_price_change
from notices.models import Notification
from orders.delivery import ShipInput, answer_shipment_line, decide_lines, ship
from orders.models import ShipmentLine
from pricewatch import alerts, monitor
from pricewatch.errors import WatchError
from pricewatch.models import Alert, FollowUp, Observation
from pricewatch.peers import peer_outliers
from pricewatch.rules import WatchRules, month_period
from pricewatch.sources import purchases
from pricewatch.store import set_rules
from review.models import Contract
from tests.conftest import aware
from tests.cycles.story import deliver
from tests.paystd.fixtures import LISTED_AT, approved_standards, executed, list_non_selected
from tests.pricewatch import buying
from tests.pricewatch.buying import distributing, list_plain, ordered, received, reprice

APRIL = datetime(2024, 4, 1, 2, 0, tzinfo=UTC)
RUN_AT = datetime(2024, 5, 2, 2, 0, tzinfo=UTC)


def _raised_to_40(session, world, product):
    supplier = world.actors[("A", Role.SUPPLIER_REP)]
    request_price_change(session, supplier, product.id, "40", date(2024, 4, 10), "原料涨价", APRIL)
    decide_price_change(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", APRIL)


def _run(session, officer, month="2024-04", **kw):
    start, end = month_period(month)
    return monitor.run_monitoring(session, officer, month, start, end, kw.pop("now", RUN_AT), **kw)


def _purchases(session, month):
    """The month's purchases of province A as (kind, product, supplier, hospital, price, packs)."""
    p = purchases("370000", *month_period(month))
    return sorted(tuple(r) for r in session.exec(select(p.c.kind, p.c.pid, p.c.sid, p.c.hospital_org_id,
                                                        p.c.price_e4, p.c.quantity)).all())


def _alerts(session):
    return {a.rule: a for a in session.exec(select(Alert).order_by(Alert.id)).all()}


def test_a_price_rise_raises_alerts_with_evidence_once(session, world):
    a, b = executed(session, world)
    approved_standards(session, a, b)
    product = list_non_selected(session, world, price="30")
    _raised_to_40(session, world, product)
    run = _run(session, a)
    found = _alerts(session)
    assert set(found) == {"listed_raise", "non_selected", "paystd_cap"}
    rise = json.loads(found["listed_raise"].evidence_json)
    assert (rise["before"], rise["after"], rise["after_on"], rise["rise"]) == (300000, 400000, "2024-04-10", "33.3%")
    assert rise["period_start"] == "2024-04-01" and rise["period_end"] == "2024-04-30"
    cap = json.loads(found["paystd_cap"].evidence_json)
    assert (cap["price"], cap["cap"], cap["year"]) == (400000, 119176, 1)
    assert json.loads(found["non_selected"].evidence_json)["selected_max"] == 48500  # the contracted winner in province A
    assert found["paystd_cap"].severity == "high" and found["listed_raise"].severity == "medium"
    notices = session.exec(select(Notification).where(Notification.kind == "price_alert")).all()
    assert len(notices) == 3 and {n.org_id for n in notices} == {world.orgs[("A", OrgKind.BUREAU)].id}
    assert run.raised == 3 and run.collected > 0
    again = _run(session, a)  # same evidence: nothing new, nothing collected twice
    assert (again.raised, again.collected) == (0, 0)
    assert len(session.exec(select(Alert)).all()) == 3


def test_a_rise_within_the_threshold_and_a_switched_off_rule_raise_nothing(session, world):
    a, b = executed(session, world)
    product = list_non_selected(session, world, price="38")
    _raised_to_40(session, world, product)  # +5.3%
    set_rules(session, a, WatchRules(non_selected_severity="off"), APRIL)
    _run(session, a)
    assert _alerts(session) == {}


def test_dearer_than_in_n_other_provinces(session, world):
    a, _b = executed(session, world)
    product = list_non_selected(session, world, price="10")
    rows = [alerts.ProvincePriceInput(product.code, name, price, date(2024, 3, 15), "省平台公示")
            for name, price in (("江苏", 90000), ("浙江", 95000), ("河北", 98000), ("广东", 120000))]
    alerts.add_province_prices(session, a, rows, APRIL, date(2024, 4, 1))
    set_rules(session, a, WatchRules(non_selected_severity="off"), APRIL)
    _run(session, a)
    found = _alerts(session)
    assert list(found) == ["provinces"]
    assert [c[0] for c in json.loads(found["provinces"].evidence_json)["cheaper"]] == ["江苏", "河北", "浙江"]


def test_province_prices_are_all_or_nothing_and_a_withdrawn_one_no_longer_counts(session, world):
    a, _b = executed(session, world)
    product = list_non_selected(session, world, price="10")
    good = alerts.ProvincePriceInput(product.code, "江苏", 90000, date(2024, 3, 15))
    with pytest.raises(WatchError, match="Row"):
        alerts.add_province_prices(session, a, [good, alerts.ProvincePriceInput("NOPE", "浙江", 1, date(2024, 3, 1))],
                                   APRIL, date(2024, 4, 1))
    from pricewatch.models import ProvincePrice

    assert session.exec(select(ProvincePrice)).all() == []
    [stored] = alerts.add_province_prices(session, a, [good], APRIL, date(2024, 4, 1))
    alerts.withdraw_province_price(session, a, stored.id, "录入错误", APRIL)
    set_rules(session, a, WatchRules(provinces_n=1, non_selected_severity="off"), APRIL)
    _run(session, a)
    assert _alerts(session) == {}


def test_the_peer_median_in_sql_finds_the_hospital_paying_above_it(session, world):
    a, _b = executed(session, world)
    distributing(session, world, LISTED_AT)
    product = list_plain(session, world, "100", LISTED_AT)
    h = [buying.hospital(session, world, f"H{n}", f"H{n} 医院") for n in range(4)]
    # ordered in March as the price moved 100 → 110 → 130 → 200, all received on 2024-04-05:
    # averages per hospital 100, 110, 120 (100×1 and 130×2), 200 → median 115
    lines = [(h[0], 1), (h[2], 1)]
    plan = {"110": [(h[1], 3)], "130": [(h[2], 2)], "200": [(h[3], 5)]}
    march = [ordered(session, buyer, product, packs, aware(2024, 3, 2, 2)) for buyer, packs in lines]
    for day, (price, orders) in enumerate(plan.items(), start=3):
        reprice(session, world, product, price, aware(2024, 3, day, 2))
        march += [ordered(session, buyer, product, packs, aware(2024, 3, day, 2)) for buyer, packs in orders]
    buyers = [lines[0][0], lines[1][0], h[1], h[2], h[3]]
    taken = [received(session, world, buyer, line, aware(2024, 4, 5, 2)) for buyer, line in zip(buyers, march, strict=True)]
    assert [t.price_e4 for t in taken] == [1000000, 1000000, 1100000, 1300000, 2000000]
    _run(session, a)  # reads the order lines where they are
    assert _purchases(session, "2024-04") == sorted(("L", product.id, t.supplier_org_id, t.hospital_org_id,
                                                     t.price_e4, t.quantity) for t in taken)
    [out] = peer_outliers(session, "370000", date(2024, 4, 1), date(2024, 4, 30), Decimal("0.3"), 3)
    assert (out.hospital_org_id, out.price_e4, out.median_e4, out.hospitals) == (h[3].org_id, 2000000,
                                                                                 Decimal(1150000), 4)
    assert peer_outliers(session, "370000", date(2024, 4, 1), date(2024, 4, 30), Decimal("0.3"), 5) == []
    assert peer_outliers(session, "370000", date(2024, 5, 1), date(2024, 5, 31), Decimal("0.3"), 3) == []
    found = _alerts(session)
    assert list(found) == ["peer_median"] and found["peer_median"].hospital_org_id == h[3].org_id
    assert json.loads(found["peer_median"].evidence_json)["median"] == "1150000"
    assert _run(session, a).raised == 0  # the same evidence raises nothing twice
    assert session.exec(select(Observation).where(Observation.source.in_(("order", "vbp")))).all() == []  # not copied


def test_rejected_packs_and_other_months_are_not_observed(session, world):
    a, _b = executed(session, world)
    distributing(session, world, LISTED_AT)
    product = list_plain(session, world, "100", LISTED_AT)
    buyer = buying.hospital(session, world, "H9", "H9 医院")
    line = ordered(session, buyer, product, 4, aware(2024, 4, 2, 2))
    distributor = world.actors[("A", Role.DISTRIBUTOR_REP)]
    decide_lines(session, distributor, line.order_id, [(line.id, True, "")], aware(2024, 4, 2, 2))
    shipment = ship(session, distributor, line.order_id, [ShipInput(line.id, 4, "LOT-9", date(2030, 1, 1))],
                    aware(2024, 4, 2, 2))
    sline = session.exec(select(ShipmentLine).where(ShipmentLine.shipment_id == shipment.id)).one()
    answer_shipment_line(session, buyer, sline.id, 1, False, "包装破损", aware(2024, 4, 3, 2))
    kept = answer_shipment_line(session, buyer, sline.id, 2, True, "", aware(2024, 4, 3, 2))
    answer_shipment_line(session, buyer, sline.id, 1, True, "", aware(2024, 5, 2, 2))  # May: not April's
    assert [(pid, qty, price) for _k, pid, _s, _h, price, qty in _purchases(session, "2024-04")] == [
        (product.id, 2, 1000000)]
    assert kept.quantity == 2


def test_accepted_vbp_lines_are_purchases_at_their_contract_price(session, world):
    a, _b = executed(session, world)
    accepted = deliver(session, world, "NAT9", date(2024, 4, 8), Decimal("0.1"))
    contracts = {c.id: c for c in session.exec(select(Contract)).all()}
    assert _purchases(session, "2024-04") == sorted(
        ("V", contracts[x.contract_id].batch_item_id, contracts[x.contract_id].supplier_org_id, x.hospital_org_id,
         contracts[x.contract_id].ucp_e4, x.quantity - x.returned) for x in accepted)
    assert _purchases(session, "2024-05") == []
    assert _run(session, a).raised == 0


def test_follow_ups_and_closing(session, world):
    a, b = executed(session, world)
    approved_standards(session, a, b)
    product = list_non_selected(session, world, price="30")
    _raised_to_40(session, world, product)
    _run(session, a)
    alert = _alerts(session)["listed_raise"]
    alerts.follow_up(session, a, alert.id, "explain", "请企业说明涨价原因", RUN_AT)
    credit_row = alerts.follow_up(session, a, alert.id, "credit", "涨价幅度超过规定且无合理理由", RUN_AT)
    breach = session.get(Breach, credit_row.breach_id)
    assert breach.kind == "price_manipulation" and breach.supplier_org_id == world.orgs[("A", OrgKind.SUPPLIER)].id
    assert b"400000" in breach.evidence and breach.status == "recorded"
    with pytest.raises(WatchError):
        alerts.close_alert(session, a, alert.id, "", RUN_AT)
    alerts.close_alert(session, a, alert.id, "已移交信用评价", RUN_AT)
    with pytest.raises(WatchError, match="closed"):
        alerts.follow_up(session, a, alert.id, "correct", "x", RUN_AT)
    assert [f.kind for f in session.exec(select(FollowUp).order_by(FollowUp.id)).all()] == ["explain", "credit"]
    from accounts.actor import Forbidden

    with pytest.raises(Forbidden):
        alerts.close_alert(session, world.actors[("B", Role.PRICE_OFFICER)], alert.id, "x", RUN_AT)


def test_the_deep_list_is_watched_weekly_for_its_products_only(session, world):
    a, _b = executed(session, world)
    product = list_non_selected(session, world, price="30")
    list_non_selected(session, world, price="30", code="XL02BBA326A001010102181")
    alerts.watch_product(session, a, product.code, "临床用量大、价格波动", APRIL)
    with pytest.raises(WatchError, match="already"):
        alerts.watch_product(session, a, product.code, "again", APRIL)
    monitor.run_monitoring(session, a, "2024-W14", date(2024, 4, 1), date(2024, 4, 7), RUN_AT, deep=True)
    assert [x.product_id for x in session.exec(select(Alert)).all()] == [product.id]  # non-selected rule
