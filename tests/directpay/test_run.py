"""The monthly run over in-scope order lines that are not VBP-contract lines, in the province's
container batch: sums equal the accepted in-scope amounts to the fen, nothing is paid twice, the
scope's phase and dates decide which rows are paid, out-of-scope rows are the hospital's own (in
selfpay's ledger), and the run goes the one payment path (four-eyes, bank files, bank return)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from directpay import container
from directpay.models import DirectClaim
from directpay.queries import direct_ids, scope_in_force
from selfpay.queries import ledger
from settlement import services
from settlement.models import DeductionStatement, PaymentInstruction, SettlementShare
from settlement.payments.queries import payments
from settlement.runs.services import NothingToSettle
from tests.conftest import aware
from tests.directpay.conftest import scope_of
from tests.selfpay.conftest import accept_all

DEC = "2026-12"
PAY_DAY = aware(2027, 1, 5, 2)
CODE = "DS-370000"


def _officer(world):
    return world.actors[("A", Role.SETTLEMENT_OFFICER)]


def _ledger_ids(session, world, today=date(2027, 1, 5)):
    return {r.acceptance_id for r in ledger(session, world.actors[("A", Role.HOSPITAL_BUYER)], today)}


def _instructions(session, run):
    return session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)
                        .order_by(PaymentInstruction.reference)).all()


def test_phase_all_pays_the_plain_lines_of_the_month_to_the_fen_and_once(session, world, shop):
    scope_of(session, world, "all", "2026-12-01")
    first = accept_all(session, shop, aware(2026, 12, 1, 2), plain=4)
    second = accept_all(session, shop, aware(2026, 12, 30, 2), plain=3)
    outcome = services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY)
    run = outcome.run
    expected = first.plain.amount_fen + second.plain.amount_fen  # the VBP rows go through their batch
    assert outcome.created and run.run_ref.startswith("D") and (run.gross_fen, run.paid_fen) == (expected, expected)
    assert run.line_count == 2 and run.offset_fen == 0
    [inst] = _instructions(session, run)
    assert (inst.supplier_org_id, inst.amount_fen, inst.line_count) == (shop.plain.supplier_org_id, expected, 2)
    assert "挂网货款" in inst.remittance
    [share] = session.exec(select(SettlementShare).where(SettlementShare.run_id == run.id)).all()
    [statement] = session.exec(select(DeductionStatement).where(DeductionStatement.run_id == run.id)).all()
    assert share.gross_fen == share.paid_fen == statement.gross_fen == statement.net_deducted_fen == expected
    # a re-run finds nothing new: the same run, nothing written
    again = services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY)
    assert not again.created and again.run.id == run.id
    assert len(session.exec(select(DirectClaim)).all()) == 1
    # the in-scope rows are not the hospital's to pay; the VBP rows neither
    assert _ledger_ids(session, world).isdisjoint({first.plain.id, second.plain.id, first.vbp.id})


def test_a_line_recorded_after_a_run_is_paid_by_the_next_run_only(session, world, shop):
    scope_of(session, world, "all", "2026-12-01")
    first = accept_all(session, shop, aware(2026, 12, 1, 2), plain=4)
    run1 = services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY).run
    late = accept_all(session, shop, aware(2026, 12, 31, 2), plain=2)  # recorded after the run (a moved clock)
    run2 = services.run_settlement(session, _officer(world), CODE, DEC, aware(2027, 1, 6, 2)).run
    assert run2.id != run1.id and run2.seq == run1.seq + 1
    assert (run1.gross_fen, run2.gross_fen) == (first.plain.amount_fen, late.plain.amount_fen)
    claims = session.exec(select(DirectClaim).order_by(DirectClaim.id)).all()
    assert claims[0].lo is None and claims[1].lo == claims[0].hi and claims[1].hi > claims[0].hi


def test_the_default_scope_pays_no_plain_line_and_leaves_it_to_the_hospital(session, world, shop):
    rows = accept_all(session, shop, aware(2026, 12, 1, 2))
    assert container.find(session, "370000") is None  # no version settles listed products yet
    assert _ledger_ids(session, world) == {rows.plain.id}
    scope_of(session, world, "provincial", "2027-01-01")
    assert container.find(session, "370000") is None


def test_the_scope_takes_effect_on_its_first_day(session, world, shop):
    scope_of(session, world, "all", "2026-12-15")
    before = accept_all(session, shop, aware(2026, 12, 14, 2))  # 12-14 10:00 in Shanghai: still the default
    after = accept_all(session, shop, aware(2026, 12, 15, 2))
    run = services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY).run
    assert run.gross_fen == after.plain.amount_fen and run.line_count == 1
    assert _ledger_ids(session, world) == {before.plain.id}
    assert direct_ids(session, [before.plain.id, after.plain.id, before.vbp.id]) == {after.plain.id, before.vbp.id}


def test_a_citys_own_scope_wins_over_its_provinces(session, world, shop):
    scope_of(session, world, "all", "2026-12-01")
    scope_of(session, world, "provincial", "2026-12-10", region="370100")  # the hospital's city stays behind
    paid = accept_all(session, shop, aware(2026, 12, 5, 2))
    kept = accept_all(session, shop, aware(2026, 12, 20, 2))
    run = services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY).run
    assert run.gross_fen == paid.plain.amount_fen
    assert _ledger_ids(session, world) == {kept.plain.id}
    assert scope_in_force(session, "370102", date(2026, 12, 20)).phase == "provincial"
    assert scope_in_force(session, "370202", date(2026, 12, 20)).phase == "all"


def test_the_common_list_pays_its_products_only(session, world, shop):
    scope_of(session, world, "common", "2026-12-01", products=[shop.vbp.code], list_name="常用目录（第一版）")
    out = accept_all(session, shop, aware(2026, 12, 2, 2))
    with pytest.raises(NothingToSettle):
        services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY)
    scope_of(session, world, "common", "2026-12-10", products=[shop.vbp.code, shop.plain.code],
             list_name="常用目录（第二版）", at=aware(2026, 12, 5, 2))
    inside = accept_all(session, shop, aware(2026, 12, 11, 2))
    run = services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY).run
    assert run.gross_fen == inside.plain.amount_fen
    assert _ledger_ids(session, world) == {out.plain.id}
    assert [c for _i, c, _n in scope_in_force(session, "370102", date(2026, 12, 11)).products] == sorted(
        [shop.vbp.code, shop.plain.code])


def test_the_distributors_share_is_its_own_instruction_and_the_parts_add_up(session, world, shop):
    distributor = world.orgs[("A", OrgKind.DISTRIBUTOR)]
    org = session.get(Organisation, distributor.id)  # the distributor's bank account (reference data of the world)
    org.bank_account, org.bank_cnaps, org.bank_name = "6222000033334444", "102100099996", "工商银行"
    session.add(org)
    session.commit()
    scope_of(session, world, "all", "2026-12-01", bps=150)
    rows = [accept_all(session, shop, aware(2026, 12, d, 2), plain=q) for d, q in ((1, 4), (2, 3), (3, 7))]
    run = services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY).run
    total = sum(r.plain.amount_fen for r in rows)
    fee = (total * 150 + 5000) // 10000
    by_payee = {i.supplier_org_id: i.amount_fen for i in _instructions(session, run)}
    assert by_payee == {shop.plain.supplier_org_id: total - fee, distributor.id: fee}
    assert run.gross_fen == run.paid_fen == total == sum(by_payee.values())


def test_a_payee_without_a_bank_account_refuses_the_run_and_nothing_is_written(session, world, shop):
    scope_of(session, world, "all", "2026-12-01", bps=100)  # the distributor has no account
    accept_all(session, shop, aware(2026, 12, 1, 2))
    with pytest.raises(services.SettlementRefused, match="A-distributor"):
        services.run_settlement(session, _officer(world), CODE, DEC, PAY_DAY)
    session.rollback()
    assert session.exec(select(DirectClaim)).all() == []


def test_the_run_goes_the_one_payment_path(session, world, shop, second_officer):
    scope_of(session, world, "all", "2026-12-01")
    accept_all(session, shop, aware(2026, 12, 1, 2))
    officer = _officer(world)
    run = services.run_settlement(session, officer, CODE, DEC, PAY_DAY).run
    with pytest.raises(services.SettlementRefused, match="four-eyes"):
        services.approve_run(session, officer, run.id, PAY_DAY)
    session.rollback()
    services.approve_run(session, second_officer, run.id, PAY_DAY)
    files = services.release_files(session, officer, run.id, PAY_DAY).value
    assert {f.kind for f in files} >= {"xml", "csv", "summary"}
    [inst] = _instructions(session, run)
    outcome = services.import_bank_return(session, officer, run.id, f"reference,status\n{inst.reference},paid\n".encode(),
                                          "return.csv", PAY_DAY)
    assert outcome.paid == 1
    rows = payments(session, world.actors[("A", Role.SUPPLIER_REP)])  # the supplier's payments page
    assert [(r.instruction.reference, r.instruction.status) for r in rows] == [(inst.reference, "paid")]


def test_the_container_is_for_the_bureau_only(session, world, shop):
    from procurement.queries import find_batch, list_batches

    scope_of(session, world, "all", "2026-12-01")
    officer, hospital = _officer(world), world.actors[("A", Role.HOSPITAL_BUYER)]
    assert find_batch(session, officer, CODE) is not None
    assert CODE not in [b.code for b in list_batches(session, officer)]
    assert CODE in [b.code for b in list_batches(session, officer, containers=True)]
    assert find_batch(session, hospital, CODE) is None
    assert find_batch(session, world.actors[("A", Role.SUPPLIER_REP)], CODE) is None
