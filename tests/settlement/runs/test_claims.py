"""The settlement queue and its claims: a line is settled once, by the run whose range holds its
place; the database refuses claims that would overlap (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from settlement import services
from settlement.models import Acceptance, SettlementClaim, SettlementRun
from settlement.runs.claims import is_settled
from tests.settlement.fixtures_db import NOW, settled_lines, setup  # noqa: F401
from tests.settlement.test_services import actors, deliver_and_accept

DECEMBER = NOW + timedelta(days=30)  # 2026-12-08: October and November have ended


def _settle_one(session, world, setup):  # noqa: F811
    """One October line, confirmed and settled; the run and its claim."""
    supplier, hospital, officer = actors(world)
    (acc,) = deliver_and_accept(session, world, setup, [("YP001", 100, 100, 2)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [acc.id], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    return run, session.exec(select(SettlementClaim).where(SettlementClaim.run_id == run.id)).one()


def _other_run(session, run, seq: int) -> int:
    """Another run row of the batch (a claim needs a run of its own)."""
    other = SettlementRun(batch_id=run.batch_id, month=run.month, seq=seq, run_ref=f"X{seq}", computed_at=NOW)
    session.add(other)
    session.flush()
    return other.id


@pytest.mark.parametrize("lo_step, hi_step", [(None, 5), (1, 5), (0, 0), (0, -1)],
                         ids=["second-first-claim", "starts-where-no-claim-ends", "empty", "backwards"])
def test_the_database_refuses_a_claim_outside_the_chain(session, world, setup, lo_step, hi_step):  # noqa: F811
    run, claim = _settle_one(session, world, setup)
    assert (claim.lo, claim.line_count) == (None, 1)
    other = _other_run(session, run, 2)
    session.add(SettlementClaim(batch_id=run.batch_id, run_id=other, line_count=1, hi=claim.hi + hi_step,
                                lo=None if lo_step is None else claim.hi + lo_step))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_claims_chain_and_no_two_start_from_the_same_place(session, world, setup):  # noqa: F811
    run, claim = _settle_one(session, world, setup)
    session.add(SettlementClaim(batch_id=run.batch_id, run_id=_other_run(session, run, 2), lo=claim.hi,
                                hi=claim.hi + 5, line_count=1))
    session.flush()  # the next link of the chain is accepted
    session.add(SettlementClaim(batch_id=run.batch_id, run_id=_other_run(session, run, 3), lo=claim.hi,
                                hi=claim.hi + 9, line_count=1))
    with pytest.raises(IntegrityError):  # a second claim from the same place would settle lines twice
        session.flush()
    session.rollback()


def _october_and_november(session, world, setup, *, one_go: bool = True):  # noqa: F811
    """An October and a November line, applied for their months and confirmed (in one go: one
    place for both; else October's first, so November's line alone holds the top place)."""
    supplier, hospital, _officer = actors(world)
    oct_line, nov_line = deliver_and_accept(session, world, setup, [("YP001", 100, 100, 2), ("YP003", 50, 50, 3)])
    nov = session.get(Acceptance, nov_line.id)
    nov.accepted_on = date(2026, 11, 3)  # accepted in November
    session.add(nov)
    session.commit()
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", DECEMBER)
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-11", DECEMBER)
    for group in ([oct_line.id, nov_line.id],) if one_go else ([oct_line.id], [nov_line.id]):
        services.reconcile(session, hospital, group, True, "", DECEMBER)
    return oct_line.id, nov_line.id


def test_a_late_run_of_an_earlier_month_leaves_the_later_month_open(session, world, setup):  # noqa: F811
    _supplier, _hospital, officer = actors(world)
    oct_id, nov_id = _october_and_november(session, world, setup)
    october = services.run_settlement(session, officer, setup.code, "2026-10", DECEMBER).run
    assert october.line_count == 1 and settled_lines(session).keys() == {oct_id}
    assert not is_settled(session, nov_id)  # moved above October's claim, still open
    november = services.run_settlement(session, officer, setup.code, "2026-11", DECEMBER).run
    assert {k: run for k, (run, _g) in settled_lines(session).items()} == {oct_id: october.id, nov_id: november.id}


def test_a_line_confirmed_again_gets_a_place_above_every_claim(session, world, setup):  # noqa: F811
    """The November line held the top place; October's run moved it up and then the hospital
    disputed it. Confirmed again, it must not take a place inside October's claim."""
    _supplier, hospital, officer = actors(world)
    oct_id, nov_id = _october_and_november(session, world, setup, one_go=False)
    october = services.run_settlement(session, officer, setup.code, "2026-10", DECEMBER).run
    claim = session.exec(select(SettlementClaim).where(SettlementClaim.run_id == october.id)).one()
    services.reconcile(session, hospital, [nov_id], False, "数量不符", DECEMBER)
    services.reconcile(session, hospital, [nov_id], True, "", DECEMBER)
    assert session.get(Acceptance, nov_id).claim_seq > claim.hi
    assert not is_settled(session, nov_id)
    november = services.run_settlement(session, officer, setup.code, "2026-11", DECEMBER).run
    assert settled_lines(session)[nov_id][0] == november.id and settled_lines(session)[oct_id][0] == october.id


def test_a_settled_line_is_frozen(session, world, setup):  # noqa: F811
    _supplier, hospital, _officer = actors(world)
    run, _claim = _settle_one(session, world, setup)
    (line,) = settled_lines(session)
    with pytest.raises(services.SettlementRefused, match="already settled"):
        services.reconcile(session, hospital, [line], False, "迟到的异议", NOW)
    assert settled_lines(session)[line][0] == run.id
