"""The dashboard's rollup, kept by the writes, equals the lines it sums: after a story of
acceptances, returns (before and after settlement), runs, a share wholly offset and bank answers
paid on time and late, the maintained rows equal a rebuild from the lines, and the bureau's
dashboard read from them equals the one computed from the lines (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from accounts.roles import Role
from settlement import services
from settlement.models import PaymentInstruction
from settlement.monitoring import rollup
from settlement.monitoring.dashboard import dashboard
from tests.settlement.fixtures_db import NOW, make_setup, second_officer
from tests.settlement.test_services import D


def _rows(session) -> list[list]:
    """Every rollup row, in key order (ints: the same on both databases)."""
    purchases = session.execute(text("SELECT batch_id, batch_item_id, region_code, day, quantity, value_e4, gross_fen"
                                     " FROM dashboard_purchase ORDER BY 1, 2, 3, 4")).all()
    on_time = session.execute(text("SELECT run_id, batch_id, batch_item_id, region_code, day, on_time_fen"
                                   " FROM dashboard_on_time ORDER BY 1, 2, 3, 4, 5")).all()
    shares = session.execute(text("SELECT run_id, region_code, supplier_org_id, instruction_id, gross_fen, offset_fen,"
                                  " paid_fen FROM dashboard_share ORDER BY 1, 2, 3")).all()
    months = session.execute(text("SELECT batch_id, batch_item_id, region_code, month, quantity, value_e4, gross_fen"
                                  " FROM dashboard_purchase_month ORDER BY 1, 2, 3, 4")).all()
    return [[tuple(r) for r in rows] for rows in (purchases, months, on_time, shares)]


def _lines(session, world, setup, lines, now):
    """Record and accept (item, qty shipped, qty accepted, day) lines; the acceptances."""
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    out = []
    for item, shipped, accepted, day in lines:
        d = services.record_delivery(session, supplier, D(setup.contracts[item].code, shipped, day), now)
        out.append(services.accept_delivery(session, hospital, d.id, accepted, day, now))
    return out


def _settle(session, world, officer_b, setup, month: str, accs, now, paid: str | None):
    """Apply, confirm, run, approve, release ``month``; answer the bank (``paid``: "paid"/"failed"/None)."""
    supplier, hospital, officer = (world.actors[("A", r)] for r in
                                   (Role.SUPPLIER_REP, Role.HOSPITAL_BUYER, Role.SETTLEMENT_OFFICER))
    services.apply_for_settlement(session, supplier, setup.batch_id, month, now)
    services.reconcile(session, hospital, [a.id for a in accs], True, "", now)
    run = services.run_settlement(session, officer, setup.code, month, now).run
    services.approve_run(session, officer_b, run.id, now)
    refs = session.exec(select(PaymentInstruction.reference).where(PaymentInstruction.run_id == run.id)).all()
    if not refs:  # wholly offset by the advance: nothing for the bank
        return run
    services.release_files(session, officer, run.id, now)
    if paid:
        body = "reference,status\n" + "".join(f"{r},{paid}\n" for r in refs)
        services.import_bank_return(session, officer, run.id, body.encode(), f"{month}.csv", now)
    return run


@pytest.mark.parametrize("offset_rule", ["proportional", "first"])
def test_the_maintained_rollup_equals_the_lines_after_a_story_of_writes(session, world, offset_rule):
    setup = make_setup(session, world, rules={"prepayment_offset": offset_rule, "prepayment_ratio": "0.3"})
    officer_b = second_officer(session, world)
    officer, hospital = world.actors[("A", Role.SETTLEMENT_OFFICER)], world.actors[("A", Role.HOSPITAL_BUYER)]
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)  # ¥4,552.50: "first" offsets October whole
    october = _lines(session, world, setup, [("YP001", 1000, 1000, date(2026, 10, 3)),
                                             ("YP001", 777, 700, date(2026, 10, 9)),
                                             ("YP003", 333, 333, date(2026, 10, 20)),
                                             ("YP003", 5, 1, date(2026, 10, 20))], NOW)  # ¥0.0567: 0 fen
    services.return_goods(session, hospital, october[1].id, 50, date(2026, 10, 10), "破损", NOW)  # before settlement
    _settle(session, world, officer_b, setup, "2026-10", october, NOW, paid="paid")  # paid on 8 November
    services.return_goods(session, hospital, october[0].id, 3, date(2026, 11, 8), "过期", NOW)  # after, paid line
    later = NOW + timedelta(days=31)  # 9 December
    november = _lines(session, world, setup, [("YP001", 40_000, 40_000, date(2026, 11, 2)),
                                              ("YP003", 20_000, 19_999, date(2026, 11, 28))], later)
    _settle(session, world, officer_b, setup, "2026-11", november, later, paid=None)
    _lines(session, world, setup, [("YP001", 10, 10, date(2026, 12, 1))], later)  # open, unsettled
    answer_at = datetime(2027, 1, 5, 2, tzinfo=NOW.tzinfo)  # November's instruction paid late for the 2 Nov line
    run = session.exec(select(PaymentInstruction).order_by(PaymentInstruction.id.desc())).first().run_id
    services.import_bank_return(session, officer, run, "".join(
        ["reference,status\n"] + [f"{i.reference},paid\n" for i in session.exec(
            select(PaymentInstruction).where(PaymentInstruction.run_id == run))]).encode(), "nov.csv", answer_at)
    services.return_goods(session, hospital, november[1].id, 1, date(2027, 1, 5), "退回", answer_at)
    session.commit()

    maintained = _rows(session)
    assert all(maintained)  # the story reached every table
    rollup.rebuild(session)
    session.commit()
    assert _rows(session) == maintained
    for as_of in (date(2026, 10, 2), date(2026, 10, 31), date(2026, 11, 8), date(2026, 11, 30), date(2026, 12, 1),
                  date(2026, 12, 15), date(2027, 1, 31), date(2027, 3, 1), date(2027, 10, 30)):
        rolled, lines = dashboard(session, officer, as_of), dashboard(session, officer, as_of, from_lines=True)
        assert rolled == lines, as_of
    d = dashboard(session, officer, date(2027, 3, 1))
    assert d.payments.due_fen > d.payments.on_time_fen > 0  # late and on-time lines both counted
    own = dashboard(session, hospital, date(2027, 3, 1))  # from its lines; the story's only hospital
    assert (own.money, own.payments, own.savings, own.by_batch) == (d.money, d.payments, d.savings, d.by_batch)
