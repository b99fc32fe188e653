"""Landing tasks for settlement: deliveries to accept and lines to reconcile (hospital), runs to
approve (a second settlement officer, never the one who ran it)."""

from __future__ import annotations

from datetime import date

from accounts.roles import Role
from procurement.tasks import tasks_for
from settlement import services
from tests.conftest import login
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401


def _codes(session, actor):
    return {t.code for t in tasks_for(session, actor, NOW)}


def test_settlement_tasks(client, session, world, setup, officer_b):  # noqa: F811
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    d = services.record_delivery(session, supplier, services.DeliveryInput(setup.contracts["YP001"].code, 10,
                                                                           date(2026, 10, 2)), NOW)
    assert "accept_deliveries" in _codes(session, hospital)
    acc = services.accept_delivery(session, hospital, d.id, 10, date(2026, 10, 2), NOW)
    assert "accept_deliveries" not in _codes(session, hospital)
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    assert "reconcile_lines" in _codes(session, hospital)
    services.reconcile(session, hospital, [acc.id], True, "", NOW)
    services.run_settlement(session, officer, setup.code, "2026-10", NOW)
    assert "approve_run" not in _codes(session, officer)
    assert "approve_run" in _codes(session, officer_b)
    assert "approve_run" not in _codes(session, world.actors[("B", Role.SETTLEMENT_OFFICER)])
    session.commit()
    login(client, world.username("A", Role.HOSPITAL_BUYER))
    assert client.get("/").status_code == 200


def test_the_supplier_applies_for_last_month_by_the_apply_day(session, world, setup):  # noqa: F811
    from datetime import UTC, datetime

    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    d = services.record_delivery(session, supplier, services.DeliveryInput(setup.contracts["YP001"].code, 10,
                                                                           date(2026, 10, 20)), NOW)
    services.accept_delivery(session, hospital, d.id, 10, date(2026, 10, 21), NOW)
    # NOW is 2026-11-08: October's line is to be applied for by the 3rd (local) — overdue now
    (task,) = [t for t in tasks_for(session, supplier, NOW) if t.code == "apply_settlement"]
    assert (task.count, task.due, task.overdue) == (1, datetime(2026, 11, 3, 15, 59, tzinfo=UTC), True)
    early = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    (task,) = [t for t in tasks_for(session, supplier, early) if t.code == "apply_settlement"]
    assert not task.overdue
    assert "apply_settlement" not in {t.code for t in tasks_for(session, world.actors[("B", Role.SUPPLIER_REP)], NOW)}
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    assert "apply_settlement" not in _codes(session, supplier)
    (task,) = [t for t in tasks_for(session, hospital, NOW) if t.code == "reconcile_lines"]
    assert task.due == datetime(2026, 11, 5, 15, 59, tzinfo=UTC)  # reconcile by the 5th (local)
