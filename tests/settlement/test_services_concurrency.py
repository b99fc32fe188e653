"""Two officers running the same month at once settle each line once (SQLite and PostgreSQL),
and a hypothesis property: Σ instructions = Σ accepted × price − offsets, to the fen, over
random deliveries, partial acceptances, returns, disputes and reruns."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from accounts.roles import Role
from core.money import line_amount_fen
from settlement import services
from settlement.models import (
    Acceptance,
    DeliveryReturn,
    PaymentInstruction,
    PrepaymentEntry,
    SettlementClaim,
    SettlementRun,
    SettlementShare,
)
from tests.settlement.fixtures_db import NOW, make_setup, settled_lines, setup  # noqa: F401

D = services.DeliveryInput


def _prepare(session, world, setup, n):  # noqa: F811
    """``n`` accepted, applied, confirmed lines."""
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    services.record_deliveries(session, supplier, [D(setup.contracts["YP001"].code, 10 + k, date(2026, 10, 1 + k % 28))
                                                   for k in range(n)], NOW)
    from settlement.models import Delivery

    for d in session.exec(select(Delivery).order_by(Delivery.id)).all():
        services.accept_delivery(session, hospital, d.id, d.quantity, d.shipped_on, NOW)
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    ids = session.exec(select(Acceptance.id)).all()
    services.reconcile(session, hospital, ids, True, "", NOW)


def test_two_officers_running_the_same_month_at_once(db, session, world, setup):  # noqa: F811
    _prepare(session, world, setup, 40)
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    barrier, outcomes, errors = threading.Barrier(4), [], []

    def officer_runs() -> None:
        with db.write_session() as s:
            barrier.wait()
            try:
                outcomes.append(services.run_settlement(s, officer, setup.code, "2026-10", NOW).created)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=officer_runs) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == [False, False, False, True]
    session.expire_all()
    assert session.exec(select(func.count()).select_from(SettlementRun)).one() == 1
    assert len(settled_lines(session)) == 40
    assert session.exec(select(func.count()).select_from(SettlementClaim)).one() == 1
    assert session.exec(select(func.count()).select_from(PaymentInstruction)).one() == 1
    assert session.exec(select(func.count()).select_from(PrepaymentEntry)).one() == 2  # advance + one offset


LINE = st.tuples(st.sampled_from(["YP001", "YP003"]), st.integers(1, 5000), st.integers(0, 100),
                 st.integers(0, 100), st.booleans())


@settings(max_examples=12, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINE, min_size=1, max_size=6), rule=st.sampled_from(["proportional", "first", "none"]),
       grant=st.booleans(), reruns=st.integers(1, 3),
       late=st.integers(0, 100))
def test_instructions_equal_accepted_times_price_minus_offsets(fresh_world, lines, rule, grant, reruns, late):
    session, world = fresh_world()
    s = make_setup(session, world, rules={"prepayment_offset": rule})
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    if grant:
        services.grant_prepayment(session, None, s.code, "A-hospital", NOW)
    expected, disputed = {}, []
    for n, (item, shipped, acc_pct, ret_pct, dispute) in enumerate(lines):
        d = services.record_delivery(session, supplier, D(s.contracts[item].code, shipped, date(2026, 10, 1 + n)), NOW)
        accepted = shipped * acc_pct // 100
        if accepted == 0:
            continue
        acc = services.accept_delivery(session, hospital, d.id, accepted, date(2026, 10, 1 + n), NOW)
        returned = accepted * ret_pct // 100
        if returned:
            services.return_goods(session, hospital, acc.id, returned, date(2026, 10, 1 + n), "退货", NOW)
        expected[acc.id] = line_amount_fen(accepted - returned, s.contracts[item].ucp_e4)
        (disputed if dispute else []).append(acc.id)
    if expected and any(v > 0 for v in expected.values()):
        services.apply_for_settlement(session, supplier, s.batch_id, "2026-10", NOW)
        applied = session.exec(select(Acceptance.id).where(Acceptance.applied_month.is_not(None))).all()
        confirm = [a for a in applied if a not in disputed]
        if confirm:
            services.reconcile(session, hospital, confirm, True, "", NOW)
        if [a for a in applied if a in disputed]:
            services.reconcile(session, hospital, [a for a in applied if a in disputed], False, "异议", NOW)
        for k in range(reruns + 1):  # the last run settles the lines whose dispute was resolved
            try:
                services.run_settlement(session, officer, s.code, "2026-10", NOW + timedelta(hours=k))
            except services.SettlementRefused:
                pass
            if k == 0 and [a for a in applied if a in disputed]:
                services.reconcile(session, hospital, [a for a in applied if a in disputed], True, "", NOW)
            if k == 0 and late:  # goods returned after settlement: clawed back when new gross covers it
                first = min((a for a, (_r, g) in settled_lines(session).items() if g), default=None)
                settled = session.get(Acceptance, first) if first else None
                qty = (settled.quantity - settled.returned) * late // 100 if settled else 0
                if qty:
                    services.return_goods(session, hospital, settled.id, qty, settled.accepted_on, "召回", NOW)
    session.expire_all()
    lines = settled_lines(session)
    for run in session.exec(select(SettlementRun)).all():
        pays = [gross for r, gross in lines.values() if r == run.id and gross > 0]
        shares = session.exec(select(SettlementShare).where(SettlementShare.run_id == run.id)).all()
        fresh = session.exec(select(func.coalesce(func.sum(PaymentInstruction.amount_fen), 0)).where(
            PaymentInstruction.run_id == run.id, PaymentInstruction.reissue_of_id.is_(None))).one()
        assert fresh == run.paid_fen == sum(pays) - run.clawback_fen - sum(
            x.offset_fen for x in shares)
        assert all(x.gross_fen == x.offset_fen + x.paid_fen for x in shares)
        assert sum(x.gross_fen for x in shares) == sum(pays) - run.clawback_fen
        assert run.clawback_fen == sum(x.clawback_fen for x in shares) == sum(r.clawback_fen for r in session.exec(
            select(DeliveryReturn).where(DeliveryReturn.clawback_run_id == run.id)))
        assert sum(x.line_count for x in shares) == len(pays) == run.line_count
    assert {a: gross for a, (_r, gross) in lines.items() if gross} == {a: v for a, v in expected.items() if v > 0}
    total_paid = session.exec(select(func.coalesce(func.sum(PaymentInstruction.amount_fen), 0))
                              .where(PaymentInstruction.reissue_of_id.is_(None))).one()
    advance = sum(e.amount_fen for e in session.exec(select(PrepaymentEntry).where(PrepaymentEntry.kind == "advance")))
    offsets = -sum(e.amount_fen for e in session.exec(select(PrepaymentEntry).where(PrepaymentEntry.kind == "offset")))
    returns = session.exec(select(DeliveryReturn)).all()
    netted = sum(r.clawback_fen for r in returns if r.clawback_run_id is not None)
    event("clawback netted" if netted else "clawback waiting" if any(r.clawback_fen for r in returns) else "no clawback")
    assert total_paid == sum(expected.values()) - netted - offsets
    # every clawback, netted or waiting, is exactly what the line was overpaid (it telescopes)
    final = {a.id: line_amount_fen(a.quantity - a.returned, s.contracts["YP001" if a.contract_id ==
                                   s.contracts["YP001"].id else "YP003"].ucp_e4)
             for a in session.exec(select(Acceptance)).all() if a.id in lines}
    assert sum(gross for _r, gross in lines.values()) - sum(r.clawback_fen for r in returns) == sum(final.values())
    assert 0 <= offsets <= advance
    if rule == "none":
        assert offsets == 0
