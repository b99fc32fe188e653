"""A province A batch whose cycle (2026-10-01 … 2027-09-30) has run: YP001 (pre-VBP ¥1.2000,
contract ¥0.1234, agreed 1,000) bought in full, YP003 (pre-VBP ¥0.8000, contract ¥0.0567, agreed
500) bought 400; October applied on 2 November, reconciled on 4 November (on time: due the 5th),
settled on 8 November. Officers: ``officer`` proposes, ``officer2`` is the second officer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from accounts.actor import Actor
from accounts.roles import Role
from settlement import services as settlement
from tests.settlement.fixtures_db import (
    NOW,
    _batch_in_execution,
    _contract,
    make_items,
    second_officer,
)
from tests.settlement.test_services import D

SHIPPED = datetime(2026, 10, 15, 2, tzinfo=UTC)
APPLIED = datetime(2026, 11, 2, 2, tzinfo=UTC)
RECONCILED = datetime(2026, 11, 4, 2, tzinfo=UTC)
AFTER = datetime(2027, 10, 10, 2, tzinfo=UTC)  # after the cycle's end


@dataclass
class Cycle:
    """The batch and who acts on it."""

    code: str
    batch_id: int
    officer: Actor
    officer2: Actor
    hospital: Actor
    foreign_hospital: Actor


def run_cycle(session, world, code: str = "JY2026") -> Cycle:
    """Build the batch and settle October."""
    make_items(session)
    batch_id = _batch_in_execution(session, world, code)
    c1 = _contract(session, world, batch_id, "YP001", "A", 1234, 1000)
    c3 = _contract(session, world, batch_id, "YP003", "A", 567, 500)
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    accs = []
    for contract, qty in ((c1, 1000), (c3, 400)):
        d = settlement.record_delivery(session, supplier, D(contract.code, qty, date(2026, 10, 10)), SHIPPED)
        accs.append(settlement.accept_delivery(session, hospital, d.id, qty, date(2026, 10, 12), SHIPPED))
    settlement.apply_for_settlement(session, supplier, batch_id, "2026-10", APPLIED)
    settlement.reconcile(session, hospital, [a.id for a in accs], True, "", RECONCILED)
    run = settlement.run_settlement(session, officer, code, "2026-10", NOW).run
    officer2 = second_officer(session, world)
    settlement.approve_run(session, officer2, run.id, NOW)
    session.commit()
    return Cycle(code, batch_id, officer, officer2, hospital, world.actors[("B", Role.HOSPITAL_BUYER)])


@pytest.fixture
def cycle(session, world) -> Cycle:
    """The batch after its cycle, October settled."""
    return run_cycle(session, world)
