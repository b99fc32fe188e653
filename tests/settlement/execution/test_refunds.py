"""Clawbacks no later run could net are asked back from the supplier (退货款追回): by an officer,
or by the calendar once the cycle's last month is settled; recorded when the money arrives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import Role
from core.audit import AuditEntry, verify_chain
from core.money import line_amount_fen
from notices.models import Notification
from procurement.models import Batch
from settlement import services
from settlement.execution import queries
from settlement.execution.refunds import RECEIVED, REFUND_REQUESTED, REQUESTED
from settlement.models import Acceptance, ClawbackRefund, DeliveryReturn
from settlement.runs.calendar import run_calendar_step
from tests.conftest import csrf_token, login
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.test_services import D, _released_run, actors

LATER = NOW + timedelta(days=40)  # 2026-12-18


def _waiting_clawback(session, world, setup, officer_b):  # noqa: F811
    """October settled and paid, then 10 of its 100 units returned: 123 fen waiting."""
    _supplier, hospital, _officer = actors(world)
    _released_run(session, world, setup, officer_b)
    (acc,) = session.exec(select(Acceptance)).all()
    ret = services.return_goods(session, hospital, acc.id, 10, date(2026, 10, 20), "召回 recall", NOW)
    assert ret.clawback_fen == 123
    return ret


def test_an_officer_asks_a_waiting_clawback_back_and_records_it(session, world, setup, officer_b):  # noqa: F811
    supplier, hospital, officer = actors(world)
    ret = _waiting_clawback(session, world, setup, officer_b)
    (waiting,) = services.waiting_clawbacks(session, setup.batch_id)
    assert (waiting.hospital_code, waiting.amount_fen, waiting.return_count) == ("A-hospital", 123, 1)
    with pytest.raises(Forbidden):
        services.request_refunds(session, hospital, setup.code, LATER)
    (refund,) = services.request_refunds(session, officer, setup.code, LATER)
    assert (refund.amount_fen, refund.return_count, refund.status) == (123, 1, REQUESTED)
    session.refresh(ret)
    assert ret.refund_id == refund.id and services.waiting_clawbacks(session, setup.batch_id) == []
    (notice,) = session.exec(select(Notification).where(Notification.kind == REFUND_REQUESTED)).all()
    assert notice.org_id == supplier.org_id and "1.23" in notice.text
    with pytest.raises(services.SettlementRefused, match="no clawback"):
        services.request_refunds(session, officer, setup.code, LATER)
    # a later run with new gross for the pair no longer nets it: it is being refunded
    d = services.record_delivery(session, supplier, D(setup.contracts["YP001"].code, 200, date(2026, 11, 3)), LATER)
    new = services.accept_delivery(session, hospital, d.id, 200, date(2026, 11, 3), LATER)
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-11", LATER)
    services.reconcile(session, hospital, [new.id], True, "", LATER)
    nov = services.run_settlement(session, officer, setup.code, "2026-11", LATER).run
    assert (nov.gross_fen, nov.clawback_fen) == (line_amount_fen(200, 1234), 0)
    # recording the money: the officer's region only, a bank reference, a date from the request to today
    for who, ref, day, error in ((hospital, "B1", LATER.date(), Forbidden),
                                 (world.actors[("B", Role.SETTLEMENT_OFFICER)], "B1", LATER.date(), Forbidden),
                                 (officer, "  ", LATER.date(), services.SettlementRefused),
                                 (officer, "B1", LATER.date() + timedelta(days=1), services.SettlementRefused),
                                 (officer, "B1", NOW.date(), services.SettlementRefused)):
        with pytest.raises(error):
            services.record_refund(session, who, refund.id, ref, day, LATER)
        session.rollback()
    done = services.record_refund(session, officer, refund.id, "ICBC20261218001", LATER.date(), LATER)
    assert (done.status, done.bank_ref, done.received_on) == (RECEIVED, "ICBC20261218001", LATER.date())
    with pytest.raises(services.SettlementRefused, match="already recorded"):
        services.record_refund(session, officer, refund.id, "again", LATER.date(), LATER)
    actions = session.exec(select(AuditEntry.action).where(AuditEntry.action.like("settlement.refund%"))).all()
    assert sorted(actions) == ["settlement.refund_received", "settlement.refund_request"]
    assert verify_chain(session).ok


def test_each_party_sees_its_own_refunds(session, world, setup, officer_b):  # noqa: F811
    supplier, hospital, officer = actors(world)
    _waiting_clawback(session, world, setup, officer_b)
    services.request_refunds(session, officer, setup.code, LATER)
    for actor in (supplier, hospital, officer):
        assert [r.amount_fen for r, *_x in queries.refunds(session, actor)] == [123]
    for role in (Role.SUPPLIER_REP, Role.HOSPITAL_BUYER, Role.SETTLEMENT_OFFICER):
        assert queries.refunds(session, world.actors[("B", role)]) == []


def test_the_calendar_asks_back_what_the_cycles_last_run_could_not_net(session, world, setup, officer_b):  # noqa: F811
    _waiting_clawback(session, world, setup, officer_b)
    batch = session.get(Batch, setup.batch_id)
    december_pay_day = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # settles November
    assert run_calendar_step(session, setup.code, december_pay_day).refunds == 0  # the cycle goes on
    assert session.exec(select(func.count()).select_from(ClawbackRefund)).one() == 0
    batch = session.get(Batch, setup.batch_id)
    batch.cycle_end = date(2026, 11, 30)  # November is the cycle's last month
    session.add(batch)
    session.commit()
    outcome = run_calendar_step(session, setup.code, december_pay_day + timedelta(hours=1))
    assert outcome.refunds == 1 and "refunds 1" in outcome.summary()
    (refund,) = session.exec(select(ClawbackRefund)).all()
    assert (refund.amount_fen, refund.requested_by) == (123, None)  # the system asked
    assert run_calendar_step(session, setup.code, december_pay_day + timedelta(hours=2)).refunds == 0


def test_refunds_through_the_pages(client, session, world, setup, officer_b):  # noqa: F811
    ret = _waiting_clawback(session, world, setup, officer_b)
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = f"/settlement/officer/batches/{setup.code}"
    token = csrf_token(client, page)
    assert 'data-testid="waiting-clawbacks"' in client.get(page).get_data(as_text=True)
    client.post(f"{page}/refunds", data={"csrf_token": token})
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="refunds"' in html and "已通知企业退款" in html and "没有待追回的退货款" in html
    refund_id = session.exec(select(DeliveryReturn.refund_id).where(DeliveryReturn.id == ret.id)).one()
    session.close()  # the test's write session would hold SQLite's lock
    refused = client.post(f"/settlement/officer/refunds/{refund_id}/received",
                          data={"csrf_token": token, "bank_ref": "", "received_on": "2026-12-01"},
                          follow_redirects=True)
    assert "已通知企业退款" in refused.get_data(as_text=True)  # nothing recorded without a reference
    today = datetime.now(UTC).date().isoformat()
    client.post(f"/settlement/officer/refunds/{refund_id}/received",
                data={"csrf_token": token, "bank_ref": "ICBC001", "received_on": today})
    assert "ICBC001" in client.get(page).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token})
    login(client, world.username("A", Role.SUPPLIER_REP))
    assert "结算后退货退款" in client.get("/settlement/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    assert "已到账" in client.get("/settlement/statements").get_data(as_text=True)
