"""Settlement use cases on the database: deliveries → acceptance → application → reconciliation →
run → approval → bank files → bank return → re-issue; prepayment; scoping; reconciliation sums."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import OrgKind, Role
from core.audit import AuditEntry, verify_chain
from core.money import line_amount_fen
from procurement.models import Batch
from settlement import services
from settlement.models import (
    Acceptance,
    DeductionStatement,
    PaymentInstruction,
    PrepaymentEntry,
    SettlementRun,
    SettlementShare,
)
from settlement.monitoring.queries import overdue
from tests.settlement.fixtures_db import NOW, make_setup, officer_b, settled_lines, setup  # noqa: F401

D = services.DeliveryInput


def actors(world):
    """Province A's supplier, hospital and settlement officer."""
    return (world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)],
            world.actors[("A", Role.SETTLEMENT_OFFICER)])


def deliver_and_accept(session, world, setup, lines):  # noqa: F811
    """Record (contract item, qty shipped, qty accepted, day of October) lines; the acceptances."""
    supplier, hospital, _ = actors(world)
    out = []
    for item, shipped, accepted, day in lines:
        d = services.record_delivery(session, supplier, D(setup.contracts[item].code, shipped, date(2026, 10, day)),
                                     NOW)
        out.append(services.accept_delivery(session, hospital, d.id, accepted, date(2026, 10, day), NOW))
    return out


def test_full_month_reconciles_to_the_fen(session, world, setup, officer_b):  # noqa: F811
    supplier, hospital, officer = actors(world)
    entry = services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    # annual agreed: 100,000 × ¥0.1234 + 50,000 × ¥0.0567 = ¥12,340 + ¥2,835 = ¥15,175 → 30% = ¥4,552.50
    assert entry.amount_fen == 455_250
    accs = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 3), ("YP001", 777, 700, 9),
                                                      ("YP003", 333, 333, 20)])
    assert services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW) == 3
    services.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    outcome = services.run_settlement(session, officer, setup.code, "2026-10", NOW)
    run = outcome.run
    gross = line_amount_fen(1000, 1234) + line_amount_fen(700, 1234) + line_amount_fen(333, 567)
    assert run.gross_fen == gross == 12340 + 8638 + 1888
    assert run.offset_fen == (gross * 3 + 5) // 10  # proportional, 30%, half up
    paid = session.exec(select(func.sum(PaymentInstruction.amount_fen)).where(PaymentInstruction.run_id == run.id)).one()
    assert paid == run.paid_fen == gross - run.offset_fen
    st = session.exec(select(DeductionStatement).where(DeductionStatement.run_id == run.id)).one()
    assert (st.gross_fen, st.net_deducted_fen, st.advance_after_fen) == (gross, paid, 455_250 - run.offset_fen)
    assert services.balances(session, setup.batch_id)[world.orgs[("A", OrgKind.HOSPITAL)].id] == 455_250 - run.offset_fen
    # a second run is a no-op returning the same run
    again = services.run_settlement(session, officer, setup.code, "2026-10", NOW)
    assert (again.created, again.run.id) == (False, run.id)
    assert len(settled_lines(session)) == 3
    # four-eyes, then files
    with pytest.raises(services.SettlementRefused, match="four-eyes"):
        services.approve_run(session, officer, run.id, NOW)
    with pytest.raises(services.SettlementRefused, match="approved"):
        services.release_files(session, officer, run.id, NOW)
    services.approve_run(session, officer_b, run.id, NOW)
    files = services.release_files(session, officer, run.id, NOW).value
    assert {f.kind for f in files} == {"xml", "csv", "summary"}
    summary = next(f for f in files if f.kind == "summary").content.decode("utf-8-sig")
    assert all(f.sha256 in summary for f in files if f.kind != "summary")
    assert verify_chain(session).ok


def test_disputed_lines_wait_and_returns_reduce_the_payable(session, world, setup):  # noqa: F811
    supplier, hospital, officer = actors(world)
    a1, a2 = deliver_and_accept(session, world, setup, [("YP001", 100, 100, 2), ("YP003", 50, 40, 2)])
    services.return_goods(session, hospital, a1.id, 30, date(2026, 10, 4), "破损 damaged", NOW)
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a1.id], True, "", NOW)
    services.reconcile(session, hospital, [a2.id], False, "数量不符 quantity mismatch", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    assert (run.line_count, run.carried_count, run.gross_fen) == (1, 1, line_amount_fen(70, 1234))
    # a return after settlement: the overpayment on the line (70 → 69 units) is clawed back next run
    late = services.return_goods(session, hospital, a1.id, 1, date(2026, 10, 5), "召回 recall", NOW)
    assert late.clawback_fen == line_amount_fen(70, 1234) - line_amount_fen(69, 1234) == 13
    services.reconcile(session, hospital, [a2.id], True, "", NOW)
    later = services.run_settlement(session, officer, setup.code, "2026-10", NOW + timedelta(days=1))
    assert later.created and later.run.seq == 2
    assert (later.run.gross_fen, later.run.clawback_fen) == (line_amount_fen(40, 567) - 13, 13)
    session.refresh(late)
    assert late.clawback_run_id == later.run.id
    st = session.exec(select(DeductionStatement).where(DeductionStatement.run_id == later.run.id)).one()
    assert (st.gross_fen, st.clawback_fen) == (line_amount_fen(40, 567) - 13, 13)


def test_refusals(session, world, setup):  # noqa: F811
    supplier, hospital, officer = actors(world)
    code = setup.contracts["YP001"].code
    for line, reason in [(D(code, 0, date(2026, 10, 1)), "positive"), (D(code, 5, date(2027, 1, 1)), "future"),
                         (D(code, 5, date(2026, 9, 1)), "contract period"),
                         (D(setup.foreign_contract.code, 5, date(2026, 10, 1)), "no signed contract")]:
        with pytest.raises(services.SettlementRefused, match=reason):
            services.record_delivery(session, supplier, line, NOW)
    with pytest.raises(Forbidden):
        services.record_delivery(session, hospital, D(code, 5, date(2026, 10, 1)), NOW)
    (acc,) = deliver_and_accept(session, world, setup, [("YP001", 10, 4, 1)])
    with pytest.raises(services.SettlementRefused, match="not yet accepted"):
        services.accept_delivery(session, hospital, acc.delivery_id, 7, date(2026, 10, 2), NOW)
    with pytest.raises(Forbidden):
        services.accept_delivery(session, world.actors[("B", Role.HOSPITAL_BUYER)], acc.delivery_id, 1,
                                 date(2026, 10, 2), NOW)
    with pytest.raises(services.SettlementRefused, match="finished month"):
        services.apply_for_settlement(session, supplier, setup.batch_id, "2026-11", NOW)
    with pytest.raises(services.SettlementRefused, match="not been applied"):
        services.reconcile(session, hospital, [acc.id], True, "", NOW)
    with pytest.raises(services.SettlementRefused, match="nothing to settle"):
        services.run_settlement(session, officer, setup.code, "2026-10", NOW)
    with pytest.raises(Forbidden):
        services.run_settlement(session, world.actors[("B", Role.SETTLEMENT_OFFICER)], setup.code, "2026-10", NOW)
    with pytest.raises(services.SettlementRefused, match="YYYY-MM"):
        services.run_settlement(session, officer, setup.code, "2026-13", NOW)


def test_prepayment_waits_for_every_contract_and_is_granted_once(session, world, setup):  # noqa: F811
    setup.contracts["YP003"].status = "unsigned"
    session.add(setup.contracts["YP003"])
    session.commit()
    assert services.grant_prepayment(session, None, setup.code, "A-hospital", NOW) is None
    setup.contracts["YP003"].status = "signed"
    session.add(setup.contracts["YP003"])
    session.commit()
    first = services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    second = services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    assert first.id == second.id
    assert session.exec(select(func.count()).select_from(PrepaymentEntry)).one() == 1
    assert session.exec(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == "prepayment.grant")).one() == 1


def _released_run(session, world, setup, officer_b):  # noqa: F811
    """A released run of October with one instruction."""
    supplier, hospital, officer = actors(world)
    accs = deliver_and_accept(session, world, setup, [("YP001", 100, 100, 2)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    services.approve_run(session, officer_b, run.id, NOW)
    services.release_files(session, officer, run.id, NOW)
    return run


def test_failed_payment_is_reissued_once_never_paid_twice(session, world, setup, officer_b):  # noqa: F811
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    run = _released_run(session, world, setup, officer_b)
    (inst,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all()
    bad = f"reference,status\n{inst.reference},paid\nNOPE-1,paid\n".encode()
    with pytest.raises(services.SettlementRefused, match="unknown"):
        services.import_bank_return(session, officer, run.id, bad, "r.csv", NOW)
    failed = f"指令编号,状态,失败原因\n{inst.reference},失败,账户已销户\n".encode()
    services.import_bank_return(session, officer, run.id, failed, "r.csv", NOW)
    services.import_bank_return(session, officer, run.id, failed, "r.csv", NOW)  # same answer twice: no-op
    session.refresh(inst)
    assert inst.status == "failed" and inst.failure_reason == "账户已销户"
    with pytest.raises(services.SettlementRefused, match="paid"):
        services.import_bank_return(session, officer, run.id, f"reference,status\n{inst.reference},paid\n".encode(),
                                    "r.csv", NOW)
    # a run never re-issues by itself: the failed payment waits for a four-eyes re-issue (test_reissue.py)
    nov = services.run_settlement(session, officer, setup.code, "2026-10", NOW + timedelta(days=2))
    assert not nov.created and nov.run.id == run.id
    session.refresh(inst)
    assert inst.status == "failed"
    request = services.request_reissue(session, officer, inst.id, "", NOW + timedelta(days=2)).value
    new = services.approve_reissue(session, officer_b, request.id, NOW + timedelta(days=2)).value
    session.refresh(inst)
    assert inst.status == "reissued" and new.reissue_of_id == inst.id
    assert session.exec(select(SettlementShare.instruction_id)).all() == [new.id]  # the lines follow
    third = services.run_settlement(session, officer, setup.code, "2026-10", NOW + timedelta(days=3))
    assert not third.created  # nothing failed any more: no second re-issue
    assert session.exec(select(func.count()).select_from(PaymentInstruction)
                        .where(PaymentInstruction.reissue_of_id == inst.id)).one() == 1


def test_scopes(session, world, setup):  # noqa: F811
    from accounts.scoping import scope

    deliver_and_accept(session, world, setup, [("YP001", 10, 10, 1)])
    for side, role, seen in [("A", Role.HOSPITAL_BUYER, 1), ("A", Role.SUPPLIER_REP, 1), ("A", Role.SETTLEMENT_OFFICER, 1),
                             ("B", Role.HOSPITAL_BUYER, 0), ("B", Role.SUPPLIER_REP, 0),
                             ("B", Role.SETTLEMENT_OFFICER, 0)]:
        rows = session.exec(scope(select(Acceptance), world.actors[(side, role)], Acceptance)).all()
        assert len(rows) == seen, (side, role)
    assert session.exec(scope(select(SettlementRun), world.actors[("A", Role.HOSPITAL_BUYER)], SettlementRun)).all() == []


def test_amounts_beyond_32_bits_are_stored_exactly(session, world, setup):  # noqa: F811
    supplier, hospital, officer = actors(world)
    (acc,) = deliver_and_accept(session, world, setup, [("YP001", 10**9, 10**9, 2)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [acc.id], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    session.expire_all()
    stored = session.get(SettlementRun, run.id)
    assert stored.gross_fen == stored.paid_fen == 10**9 * 1234 // 100 > 2**31
    assert session.exec(select(PaymentInstruction.amount_fen)).one() == 12_340_000_000


def test_overdue_lines_are_counted_and_summed_until_paid(session, world, setup, officer_b):  # noqa: F811
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    deliver_and_accept(session, world, setup, [("YP003", 333, 333, 20)])  # due 11-19: not yet late on 11-15
    run = _released_run(session, world, setup, officer_b)  # 100 × ¥0.1234 accepted 10-02, due 11-01
    b = session.get(Batch, setup.batch_id)
    late = overdue(session, b, date(2026, 11, 15))
    assert (late.count, late.total_fen, late.max_days_overdue) == (1, 1234, 14)
    assert [x.amount_fen for x in late.worst] == [1234]
    assert overdue(session, b, date(2026, 11, 25)).count == 2  # the YP003 line is late too (unapplied)
    (inst,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all()
    services.import_bank_return(session, officer, run.id, f"指令编号,状态\n{inst.reference},成功\n".encode(),
                                "r.csv", NOW)
    after = overdue(session, b, date(2026, 11, 25))
    assert (after.count, after.total_fen) == (1, line_amount_fen(333, 567))  # paid lines are no longer late


def test_a_line_paid_wholly_out_of_the_advance_is_not_overdue(fresh_world):
    session, world = fresh_world()
    s = make_setup(session, world, rules={"prepayment_offset": "first"})  # the advance pays first
    supplier, hospital, officer = actors(world)
    services.grant_prepayment(session, None, s.code, "A-hospital", NOW)
    (acc,) = deliver_and_accept(session, world, s, [("YP001", 100, 100, 2)])
    services.apply_for_settlement(session, supplier, s.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [acc.id], True, "", NOW)
    run = services.run_settlement(session, officer, s.code, "2026-10", NOW).run
    assert (run.offset_fen, run.paid_fen) == (1234, 0)  # no instruction: nothing left for the fund to pay
    assert overdue(session, session.get(Batch, s.batch_id), date(2026, 11, 25)).count == 0


def test_clawbacks_are_netted_only_when_the_pair_has_enough_new_gross():
    from settlement.runs.open_lines import DIFFERENCE, RETURN, Owed, net_clawbacks

    owed = {(1, 9): [Owed(RETURN, 11, 30), Owed(DIFFERENCE, 12, 20)], (2, 9): [Owed(RETURN, 13, 500)],
            (3, 9): [Owed(RETURN, 14, 5)]}
    rows, netted = net_clawbacks([(1, 9, 100, 4), (2, 9, 400, 2), (4, 9, 70, 1)], owed)
    # (1, 9): 100 covers 30 + 20; (2, 9): 400 does not cover 500 → waits; (3, 9) has no new lines → waits
    assert rows == [(1, 9, 50, 4, 50), (2, 9, 400, 2, 0), (4, 9, 70, 1, 0)]
    assert netted == [Owed(RETURN, 11, 30), Owed(DIFFERENCE, 12, 20)]  # a price difference nets like a return


def test_a_clawback_without_new_lines_waits_and_is_never_taken_twice(session, world, setup, officer_b):  # noqa: F811
    supplier, hospital, officer = actors(world)
    run = _released_run(session, world, setup, officer_b)  # 100 × ¥0.1234 settled in October
    (acc,) = session.exec(select(Acceptance)).all()
    ret = services.return_goods(session, hospital, acc.id, 10, date(2026, 10, 20), "召回 recall", NOW)
    assert ret.clawback_fen == line_amount_fen(100, 1234) - line_amount_fen(90, 1234) == 123
    with pytest.raises(services.SettlementRefused):  # nothing new to settle: the clawback waits
        services.run_settlement(session, officer, setup.code, "2026-11", NOW + timedelta(days=40))
    session.refresh(ret)
    assert ret.clawback_run_id is None
    deliver = services.record_delivery(session, supplier, D(setup.contracts["YP001"].code, 200, date(2026, 11, 3)),
                                       NOW + timedelta(days=5))
    new = services.accept_delivery(session, hospital, deliver.id, 200, date(2026, 11, 3), NOW + timedelta(days=5))
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-11", NOW + timedelta(days=40))
    services.reconcile(session, hospital, [new.id], True, "", NOW + timedelta(days=40))
    nov = services.run_settlement(session, officer, setup.code, "2026-11", NOW + timedelta(days=40)).run
    assert (nov.gross_fen, nov.clawback_fen) == (line_amount_fen(200, 1234) - 123, 123)
    assert nov.paid_fen == nov.gross_fen - nov.offset_fen != run.paid_fen
    session.refresh(ret)
    assert ret.clawback_run_id == nov.id
    again = services.run_settlement(session, officer, setup.code, "2026-11", NOW + timedelta(days=41))
    assert not again.created  # taken once
