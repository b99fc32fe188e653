"""Takeovers: the failed winner's remaining volume in three cities moves to the stored backup,
four-eyes; the new contracts are signed like any; deliveries under the old contracts stop for
the moved period; settlement pays each supplier for what it delivered; the primary is restored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import Role
from notices.models import Notification
from procurement.models import Batch
from review import services as review
from review.models import Contract
from settlement import services as settlement
from settlement.models import (
    Acceptance,
    ClawbackRefund,
    DeductionStatement,
    Delivery,
    DifferenceCredit,
    PaymentInstruction,
    PriceDifference,
    SettlementShare,
)
from settlement.monitoring.queries import progress_report
from supply import services
from supply.models import Takeover, TakeoverLine
from supply.queries import takeover_view
from tests.settlement.fixtures_db import second_officer
from tests.supply.fixtures import BACKUP_E4, FAILED_E4, build

THREE = ("370100", "370300", "370400")
T = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
START = date(2026, 5, 1)


def _ship(session, rep, contract, qty, day, now):
    """Record one delivery through the settlement use case."""
    return settlement.record_deliveries(session, rep, [settlement.DeliveryInput(contract.code, qty, day)], now)


def _declare(session, ex, units=THREE, **kw):
    inp = services.TakeoverInput("YP101", "A-supplier", tuple(units), kw.pop("starts_on", START), kw.pop("ends_on", None),
                                 kw.pop("taker_code", None), kw.pop("reason", "连续两周未配送，约谈无效"))
    return services.propose_takeover(session, ex.officer, ex.code, inp, kw.pop("now", T))


def _contract(session, contract_id) -> Contract:
    session.expire_all()
    return session.get(Contract, contract_id)


def test_three_cities_move_to_the_stored_backup_four_eyes(session, ex):
    a = ex.contract(session, "370100")
    _ship(session, ex.failed, a, 1000, date(2026, 4, 10), T - timedelta(days=20))
    takeover = _declare(session, ex)
    assert (takeover.taker_org_id, takeover.taker_basis, takeover.ends_on) == (ex.orgs["A2-supplier"].id, "backup",
                                                                               date(2027, 3, 31))
    lines = {line.hospital_org_id: line.moved_volume for line in
             session.exec(select(TakeoverLine).where(TakeoverLine.takeover_id == takeover.id)).all()}
    assert sorted(lines.values()) == [3600, 4800, 5000]  # A-hospital: 6,000 − 1,000 shipped before the start
    with pytest.raises(services.SupplyError, match="Four-eyes"):
        services.decide_takeover(session, ex.officer, takeover.id, True, "", T)
    assert session.exec(select(func.count()).select_from(Contract)).one() == 4  # nothing moved yet
    services.decide_takeover(session, ex.officer2, takeover.id, True, "同意", T + timedelta(hours=1))
    assert _contract(session, a.id).agreed_volume == 1000
    new = session.exec(select(Contract).where(Contract.origin == f"T{takeover.id}").order_by(Contract.id)).all()
    assert [(c.agreed_volume, c.ucp_e4, c.status, c.period_start, c.supplier_org_id) for c in new] == [
        (v, BACKUP_E4, "unsigned", START, ex.orgs["A2-supplier"].id) for v in (5000, 4800, 3600)]
    untouched = ex.contract(session, "370200")
    assert untouched.agreed_volume == 600  # the backup's own city
    kinds = {(n.org_id, n.kind) for n in session.exec(select(Notification)).all()}
    assert (ex.orgs["A2-supplier"].id, "contracts_to_sign") in kinds and (a.hospital_org_id, "contracts_to_sign") in kinds
    assert (ex.orgs["A-supplier"].id, "takeover_approved") in kinds


def test_rejection_needs_a_reason_and_moves_nothing(session, ex):
    takeover = _declare(session, ex)
    with pytest.raises(services.SupplyError, match="reason"):
        services.decide_takeover(session, ex.officer2, takeover.id, False, " ", T)
    services.decide_takeover(session, ex.officer2, takeover.id, False, "先约谈", T)
    assert session.get(Takeover, takeover.id).status == "rejected"
    assert _contract(session, ex.contract(session, "370100").id).agreed_volume == 6000
    _declare(session, ex)  # a rejected takeover holds no period


def test_deliveries_under_the_old_contract_stop_for_the_moved_period(session, ex):
    a = ex.contract(session, "370100")
    _ship(session, ex.failed, a, 100, date(2026, 4, 20), T - timedelta(days=15))
    _ship(session, ex.failed, a, 50, date(2026, 5, 3), T - timedelta(days=6))  # shipped within the period, not accepted
    takeover = _declare(session, ex)
    services.decide_takeover(session, ex.officer2, takeover.id, True, "", T)
    hospital = ex.hospitals["370100"]
    before, within = session.exec(select(Delivery).where(Delivery.contract_id == a.id).order_by(Delivery.id)).all()
    settlement.accept_delivery(session, hospital, before.id, 100, date(2026, 4, 21), T)  # before the start: accepted
    with pytest.raises(settlement.SettlementRefused) as refused:
        settlement.accept_delivery(session, hospital, within.id, 50, date(2026, 5, 4), T)
    assert takeover.reference in str(refused.value.args[0])
    with pytest.raises(settlement.SettlementRefused):
        _ship(session, ex.failed, a, 10, date(2026, 5, 9), T)


def _sign_new(session, ex, when):
    for actor in [*(ex.hospitals[c] for c in THREE), ex.backup]:
        review.sign_all(session, actor, ex.code, when)


def test_settlement_pays_the_backup_for_the_moved_volume_and_the_failed_winner_for_the_rest(session, world, ex):
    a, c3 = ex.contract(session, "370100"), ex.contract(session, "370300")
    _ship(session, ex.failed, a, 1000, date(2026, 4, 10), datetime(2026, 4, 12, tzinfo=UTC))
    _ship(session, ex.failed, c3, 800, date(2026, 4, 12), datetime(2026, 4, 12, 8, tzinfo=UTC))
    takeover = _declare(session, ex)
    services.decide_takeover(session, ex.officer2, takeover.id, True, "", T)
    _sign_new(session, ex, T + timedelta(hours=2))
    new_a, new_c3 = (ex.contract(session, city, origin=f"T{takeover.id}") for city in ("370100", "370300"))
    assert new_c3.agreed_volume == 4000 and new_c3.status == "signed"
    _ship(session, ex.backup, new_a, 700, date(2026, 5, 12), datetime(2026, 5, 12, 8, tzinfo=UTC))
    _ship(session, ex.backup, new_c3, 300, date(2026, 5, 13), datetime(2026, 5, 13, 8, tzinfo=UTC))
    for d in session.exec(select(Delivery).order_by(Delivery.id)).all():
        hospital = ex.hospitals["370100" if d.hospital_org_id == a.hospital_org_id else "370300"]
        settlement.accept_delivery(session, hospital, d.id, d.quantity, d.shipped_on + timedelta(days=1),
                                   datetime(2026, 5, 20, tzinfo=UTC))
    applied = datetime(2026, 6, 2, 2, tzinfo=UTC)
    batch_id = a.batch_id
    for rep in (ex.failed, ex.backup):
        settlement.apply_for_settlement(session, rep, batch_id, "2026-05", applied)
    for city in ("370100", "370300"):
        ids = session.exec(select(Acceptance.id).where(Acceptance.hospital_org_id == ex.orgs[
            "A-hospital" if city == "370100" else "H-370300"].id)).all()
        settlement.reconcile(session, ex.hospitals[city], list(ids), True, "", applied + timedelta(days=1))
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    run = settlement.run_settlement(session, officer, ex.code, "2026-05", applied + timedelta(days=5)).run
    settlement.approve_run(session, second_officer(session, world), run.id, applied + timedelta(days=5, hours=1))
    gross = dict(session.exec(select(SettlementShare.supplier_org_id, func.sum(SettlementShare.gross_fen))
                              .where(SettlementShare.run_id == run.id).group_by(SettlementShare.supplier_org_id)).all())
    assert gross == {ex.orgs["A-supplier"].id: (1000 + 800) * FAILED_E4 // 100,  # ¥0.1000 × 1,800 = ¥180.00
                     ex.orgs["A2-supplier"].id: (700 + 300) * BACKUP_E4 // 100}  # ¥0.1200 × 1,000 = ¥120.00
    report, _names = progress_report(session, ex.officer, session.get(Batch, batch_id), date(2026, 6, 1))
    rows = {r.hospital_code: r for r in report.rows}
    assert rows["A-hospital"].agreed_volume == 6000 and rows["A-hospital"].purchased_selected == 1700
    assert rows["H-370300"].agreed_volume == 4800 and rows["H-370300"].purchased_selected == 1100


def _approver(session, world):
    """The fund's second settlement officer (made on first use)."""
    from accounts.models import User
    from accounts.services import actor_for

    user = session.exec(select(User).where(User.username == "a_settlement_officer_2")).first()
    return actor_for(session, user) if user else second_officer(session, world)


def _settle_month(session, world, ex, month, applied):
    """Apply (both suppliers), reconcile (every hospital), run and approve ``month``."""
    batch_id = session.exec(select(Batch.id).where(Batch.code == ex.code)).one()
    for rep in (ex.failed, ex.backup):
        try:
            settlement.apply_for_settlement(session, rep, batch_id, month, applied)
        except settlement.SettlementRefused:
            session.rollback()  # nothing of this supplier's to apply
    for hospital in ex.hospitals.values():
        ids = session.exec(select(Acceptance.id).where(Acceptance.hospital_org_id == hospital.org_id,
                                                       Acceptance.batch_id == batch_id,
                                                       Acceptance.reconcile_status == "pending")).all()
        if ids:
            settlement.reconcile(session, hospital, list(ids), True, "", applied + timedelta(days=1))
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    outcome = settlement.run_settlement(session, officer, ex.code, month, applied + timedelta(days=5))
    if outcome.created:
        settlement.approve_run(session, _approver(session, world), outcome.run.id, applied + timedelta(days=5, hours=1))
    return outcome


@pytest.mark.parametrize("python_path", [False, True], ids=["sql", "python"])
def test_failed_price_rule_pays_the_backup_its_price_and_collects_the_difference(db, session, world, ring, ex,
                                                                                 monkeypatch, python_path):
    """The moved-clock story of 差价由原中选企业承担: A2 (¥0.1200) takes over A (¥0.1000) in three
    cities; the May run pays A2 its own price for what it delivered, deducts the difference from
    A's payment for A-hospital (A still delivered there before the takeover), and — where A has
    nothing left to be paid (H-370400) — the difference waits and is asked back as a refund. The
    same money on the run's SQL path and on its pure-core path (large hospitals)."""
    if python_path:
        monkeypatch.setattr("settlement.runs.shares.SAFE_GROSS_FEN", 0)
    other = build(db, session, world, ring, datetime(2026, 3, 2, 2, tzinfo=UTC), code="BG3",
                  rules={"takeover_price": "failed_price"}, ex=ex)
    a, d = other.contract(session, "370100"), other.contract(session, "370400")
    _ship(session, other.failed, a, 1000, date(2026, 4, 28), datetime(2026, 4, 28, 8, tzinfo=UTC))
    takeover = _declare(session, other)
    services.decide_takeover(session, other.officer2, takeover.id, True, "", T)
    _sign_new(session, other, T + timedelta(hours=2))
    new_a, new_d = (other.contract(session, c, origin=f"T{takeover.id}") for c in ("370100", "370400"))
    assert (new_d.ucp_e4, new_d.pack_price_e4 is not None) == (BACKUP_E4, True)  # the taker is paid what it bid
    _ship(session, other.backup, new_a, 700, date(2026, 5, 12), datetime(2026, 5, 12, 8, tzinfo=UTC))
    _ship(session, other.backup, new_d, 501, date(2026, 5, 12), datetime(2026, 5, 12, 9, tzinfo=UTC))
    for delivery in session.exec(select(Delivery).where(Delivery.contract_id.in_([a.id, new_a.id, new_d.id]))).all():
        city = "370100" if delivery.hospital_org_id == a.hospital_org_id else "370400"
        settlement.accept_delivery(session, other.hospitals[city], delivery.id, delivery.quantity,
                                   delivery.shipped_on + timedelta(days=1), datetime(2026, 5, 20, tzinfo=UTC))
    view = takeover_view(session, other.officer, takeover.id)
    assert view.difference_fen == 700 * 200 // 100 + (501 * 1200 + 50) // 100 - (501 * 1000 + 50) // 100  # accruing
    assert view.charged_fen == 0  # nothing settled yet

    run = _settle_month(session, world, other, "2026-05", datetime(2026, 6, 2, 2, tzinfo=UTC)).run
    shares = {(x.hospital_org_id, x.supplier_org_id): x for x in
              session.exec(select(SettlementShare).where(SettlementShare.run_id == run.id)).all()}
    hosp_a, hosp_d = a.hospital_org_id, d.hospital_org_id
    failed_id, backup_id = other.orgs["A-supplier"].id, other.orgs["A2-supplier"].id
    # the backup is paid its own price for the moved volume: 700 and 501 units at ¥0.1200
    assert shares[(hosp_a, backup_id)].gross_fen == 700 * BACKUP_E4 // 100 == 8400
    assert shares[(hosp_d, backup_id)].gross_fen == (501 * BACKUP_E4 + 50) // 100 == 6012
    # the failed winner: 1,000 units at ¥0.1000 = ¥100.00 less the difference 700 × ¥0.0200 = ¥14.00
    assert (shares[(hosp_a, failed_id)].gross_fen, shares[(hosp_a, failed_id)].clawback_fen) == (8600, 1400)
    # A-hospital's cost stays the failed winner's price: 1,700 units at ¥0.1000
    statement = session.exec(select(DeductionStatement).where(DeductionStatement.run_id == run.id,
                                                              DeductionStatement.hospital_org_id == hosp_a)).one()
    assert statement.gross_fen == 1700 * FAILED_E4 // 100 == 17000
    # totals reconcile to the fen: instructions = Σ lines at contract price − differences netted − offsets
    lines = 1000 * FAILED_E4 // 100 + 8400 + 6012
    assert run.gross_fen == lines - 1400 and run.clawback_fen == 1400
    paid = session.exec(select(func.sum(PaymentInstruction.amount_fen)).where(PaymentInstruction.run_id == run.id)).one()
    assert paid == run.paid_fen == run.gross_fen - run.offset_fen
    charges = {c.hospital_org_id: c for c in session.exec(select(PriceDifference)).all()}
    assert {h: (c.amount_fen, c.supplier_org_id, c.settled_run_id, c.clawback_run_id) for h, c in charges.items()} == {
        hosp_a: (1400, failed_id, run.id, run.id), hosp_d: (6012 - 5010, failed_id, run.id, None)}
    view = takeover_view(session, other.officer, takeover.id)
    assert (view.charged_fen, view.collected_fen) == (2402, 1400)
    from settlement.runs.queries import differences_netted

    (line,) = differences_netted(session, run)  # its own line on the run's page
    assert (line[0].amount_fen, line[0].quantity, line[3]) == (1400, 700, takeover.reference)

    # a second run of the month is a no-op: nothing charged twice
    again = _settle_month(session, world, other, "2026-05", datetime(2026, 6, 2, 2, tzinfo=UTC))
    assert not again.created and session.exec(select(func.count()).select_from(PriceDifference)).one() == 2

    # H-370400: the failed winner has nothing left to be paid there — the difference is asked back
    fund = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    (waiting,) = settlement.waiting_clawbacks(session, run.batch_id)
    assert (waiting.supplier_code, waiting.amount_fen) == ("A-supplier", 1002)
    (refund,) = settlement.request_refunds(session, fund, other.code, datetime(2026, 6, 10, 2, tzinfo=UTC))
    assert (refund.hospital_org_id, refund.supplier_org_id, refund.amount_fen) == (hosp_d, failed_id, 1002)
    notice = session.exec(select(Notification).where(Notification.org_id == failed_id,
                                                     Notification.kind == "settlement_refund_requested")).one()
    assert "备供价差" in str(notice.text)
    settlement.record_refund(session, fund, refund.id, "BK20260612-77", date(2026, 6, 12),
                             datetime(2026, 6, 12, 8, tzinfo=UTC))
    session.expire_all()
    assert session.get(PriceDifference, charges[hosp_d].id).refund_id == refund.id
    assert session.get(ClawbackRefund, refund.id).bank_ref == "BK20260612-77"
    assert settlement.waiting_clawbacks(session, run.batch_id) == []

    # June: the hospitals return part of the backup's settled lines; the failed winner, restored,
    # supplies again. The difference charged for the returned units is given back to it.
    _returns_after_settlement_credit_the_failed_winner(session, world, other, takeover, a, d, run)


def _returns_after_settlement_credit_the_failed_winner(session, world, other, takeover, a, d, may):
    """The return story of issue 19 on the takeover above (May settled: A-hospital's difference
    ¥14.00 netted, H-370400's ¥10.02 refunded)."""
    hosp_a, hosp_d = a.hospital_org_id, d.hospital_org_id
    failed_id, backup_id = other.orgs["A-supplier"].id, other.orgs["A2-supplier"].id
    june = datetime(2026, 6, 10, 2, tzinfo=UTC)
    line_of = {h: session.exec(select(Acceptance).where(Acceptance.hospital_org_id == h,
                                                        Acceptance.supplier_org_id == backup_id)).one()
               for h in (hosp_a, hosp_d)}
    settlement.return_goods(session, other.hospitals["370100"], line_of[hosp_a].id, 300, date(2026, 6, 8), "破损", june)
    ret = settlement.return_goods(session, other.hospitals["370400"], line_of[hosp_d].id, 101, date(2026, 6, 8),
                                  "近效期", june)
    assert ret.clawback_fen == (501 * BACKUP_E4 + 50) // 100 - 400 * BACKUP_E4 // 100 == 1212  # from the backup
    credits = {c.hospital_org_id: c for c in session.exec(select(DifferenceCredit)).all()}
    # the failed winner is given back the difference of the returned units, to the fen:
    # A-hospital 700 → 400 units: ¥14.00 − ¥8.00; H-370400 501 → 400: ¥10.02 − (¥48.00 − ¥40.00)
    assert {h: (c.amount_fen, c.quantity, c.supplier_org_id) for h, c in credits.items()} == {
        hosp_a: (1400 - 800, 300, failed_id), hosp_d: (1002 - 800, 101, failed_id)}
    # a credit is not asked back: only the backup's clawbacks wait as refunds
    assert {(w.supplier_code, w.amount_fen, w.return_count, w.difference_count)
            for w in settlement.waiting_clawbacks(session, may.batch_id)} == {
        ("A2-supplier", 300 * BACKUP_E4 // 100, 1, 0), ("A2-supplier", 1212, 1, 0)}
    services.restore_primary(session, other.officer, takeover.id, date(2026, 6, 1), "已恢复生产", june)
    _ship(session, other.failed, _contract(session, a.id), 200, date(2026, 6, 12), datetime(2026, 6, 12, 8, tzinfo=UTC))
    _ship(session, other.failed, _contract(session, d.id), 100, date(2026, 6, 12), datetime(2026, 6, 12, 9, tzinfo=UTC))
    for delivery in session.exec(select(Delivery).where(Delivery.shipped_on == date(2026, 6, 12))).all():
        city = "370100" if delivery.hospital_org_id == hosp_a else "370400"
        settlement.accept_delivery(session, other.hospitals[city], delivery.id, delivery.quantity,
                                   date(2026, 6, 13), datetime(2026, 6, 20, tzinfo=UTC))
    run = _settle_month(session, world, other, "2026-06", datetime(2026, 7, 2, 2, tzinfo=UTC)).run
    shares = {(x.hospital_org_id, x.supplier_org_id): x for x in
              session.exec(select(SettlementShare).where(SettlementShare.run_id == run.id)).all()}
    # the failed winner is paid its June lines plus the credit: 200 × ¥0.1000 + ¥6.00; 100 × ¥0.1000 + ¥2.02
    assert {k: (x.gross_fen, x.clawback_fen) for k, x in shares.items()} == {
        (hosp_a, failed_id): (2000 + 600, -600), (hosp_d, failed_id): (1000 + 202, -202)}
    assert run.clawback_fen == -802 and run.gross_fen == 3000 + 802
    paid = session.exec(select(func.sum(PaymentInstruction.amount_fen)).where(PaymentInstruction.run_id == run.id)).one()
    assert paid == run.paid_fen == run.gross_fen - run.offset_fen
    session.expire_all()
    assert {c.clawback_run_id for c in session.exec(select(DifferenceCredit)).all()} == {run.id}
    from settlement.runs.queries import credits_netted, netted_parts

    # the run page labels the parts apart: no return of June's own, the credits against the differences
    assert (netted_parts(session, may), netted_parts(session, run)) == ((0, 1400), (0, -802))
    assert sorted((c.amount_fen, ref) for c, _h, _s, ref in credits_netted(session, run)) == [
        (202, takeover.reference), (600, takeover.reference)]
    view = takeover_view(session, other.officer, takeover.id)
    assert (view.charged_fen, view.credited_fen, view.net_charged_fen) == (2402, 802, 1600) == (
        view.charged_fen, view.credited_fen, view.difference_fen)
    # nothing twice: a second run of June is a no-op
    assert not _settle_month(session, world, other, "2026-06", datetime(2026, 7, 2, 2, tzinfo=UTC)).created
    # the backup's clawbacks asked back, the fund gives the hospitals what they had paid for them
    fund = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    refunds = settlement.request_refunds(session, fund, other.code, datetime(2026, 7, 10, 2, tzinfo=UTC))
    assert sorted((r.supplier_org_id, r.amount_fen, r.return_count) for r in refunds) == [
        (backup_id, 1212, 1), (backup_id, 3600, 1)]
    # to the fen: what each hospital bore over May + June = what it kept at the failed winner's price
    statements = dict(session.exec(select(DeductionStatement.hospital_org_id, func.sum(DeductionStatement.gross_fen))
                                   .group_by(DeductionStatement.hospital_org_id)).all())
    refunded = dict(session.exec(select(ClawbackRefund.hospital_org_id, func.sum(ClawbackRefund.amount_fen))
                                 .group_by(ClawbackRefund.hospital_org_id)).all())
    # (a refund received is given back to its hospital: the backup's clawbacks, May's difference at H-370400)
    assert statements[hosp_a] - refunded[hosp_a] == (1000 + 200 + 400) * FAILED_E4 // 100 == 16000
    assert statements[hosp_d] - refunded[hosp_d] == (100 + 400) * FAILED_E4 // 100 == 5000
    # the failed winner was charged, net, only the difference of the units the hospitals kept
    charged = session.exec(select(func.sum(PriceDifference.amount_fen))).one()
    given_back = session.exec(select(func.sum(DifferenceCredit.amount_fen))).one()
    assert charged - given_back == 400 * (BACKUP_E4 - FAILED_E4) // 100 * 2 == 1600


def test_a_period_that_overlaps_another_takeover_is_refused(session, ex):
    first = _declare(session, ex, units=("370100",), ends_on=date(2026, 6, 30))
    with pytest.raises(services.SupplyError, match=first.reference):
        _declare(session, ex, units=("370100", "370300"), starts_on=date(2026, 6, 15))
    services.decide_takeover(session, ex.officer2, first.id, True, "", T)
    second = _declare(session, ex, units=("370100",), starts_on=date(2026, 7, 1))  # right after: allowed
    assert second.status == "proposed"


def test_a_taker_without_capacity_left_is_refused(db, session, world, ring, ex):
    other = build(db, session, world, ring, datetime(2026, 3, 2, 2, tzinfo=UTC), code="BG4", backup_capacity=10_000, ex=ex)
    with pytest.raises(services.SupplyError, match="no capacity left") as refused:
        _declare(session, other)  # 14,400 units to move; it declared 10,000 and carries 600
    assert refused.value.args[0].params == {"name": "A2 备供药业", "n": "14,400", "cap": "10,000", "carried": "600"}
    assert _declare(session, other, units=("370400",)).status == "proposed"  # 3,600 fit
    with pytest.raises(services.SupplyError, match="no capacity left"):
        _declare(session, other, units=("370100",))  # 6,000 more do not: 10,000 − 600 − 3,600 pending = 5,800


def test_without_a_stored_backup_the_candidates_the_rules_allow_are_proposed(db, session, world, ring, ex):
    other = build(db, session, world, ring, datetime(2026, 3, 2, 2, tzinfo=UTC), code="BG5", rules={"backup": False},
                  ex=ex)
    with pytest.raises(services.SupplyError, match="choose one of the candidates"):
        _declare(session, other)
    plan = services.preview_takeover(session, other.officer, other.code, services.TakeoverInput(
        "YP101", "A-supplier", THREE, START, taker_code="A2-supplier"))
    assert [c.org.code for c in plan.candidates] == ["A2-supplier"] and plan.basis == "candidate"
    with pytest.raises(services.SupplyError, match="not one of the candidates"):
        _declare(session, other, taker_code="A-supplier")


def test_the_next_ranked_rule_and_the_stored_backup_rule_name_their_taker(db, session, world, ring, ex):
    other = build(db, session, world, ring, datetime(2026, 3, 2, 2, tzinfo=UTC), code="BG6",
                  rules={"takeover_supplier": "next_ranked"}, ex=ex)
    assert _declare(session, other).taker_basis == "next_ranked"
    with pytest.raises(services.SupplyError, match="stored backup"):
        _declare(session, ex, taker_code="A-supplier")


@pytest.mark.parametrize(("kw", "why"), [
    ({"units": ()}, "Choose the cities"),
    ({"units": ("370200",)}, "no signed contract"),
    ({"starts_on": date(2026, 3, 1)}, "within contract"),
    ({"ends_on": date(2026, 4, 1)}, "ends before it starts"),
    ({"reason": " "}, "reason"),
])
def test_bad_declarations_are_refused_with_the_reason(session, ex, kw, why):
    with pytest.raises(services.SupplyError, match=why):
        _declare(session, ex, **kw)
    assert session.exec(select(Takeover)).all() == []


def test_restoring_the_primary_returns_what_the_taker_had_not_delivered(session, ex):
    takeover = _declare(session, ex, units=("370400",))
    services.decide_takeover(session, ex.officer2, takeover.id, True, "", T)
    _sign_new(session, ex, T + timedelta(hours=2))
    new = ex.contract(session, "370400", origin=f"T{takeover.id}")
    _ship(session, ex.backup, new, 600, date(2026, 5, 20), datetime(2026, 5, 21, tzinfo=UTC))
    later = datetime(2026, 6, 10, 2, tzinfo=UTC)
    with pytest.raises(services.SupplyError, match="up to today"):
        services.restore_primary(session, ex.officer, takeover.id, date(2026, 6, 11), "", later)
    services.restore_primary(session, ex.officer, takeover.id, date(2026, 6, 1), "已恢复生产", later)
    old = ex.contract(session, "370400")
    new = _contract(session, new.id)
    assert (old.agreed_volume, new.agreed_volume, new.period_end) == (3000, 600, date(2026, 5, 31))
    line = session.exec(select(TakeoverLine).where(TakeoverLine.takeover_id == takeover.id)).one()
    assert (line.moved_volume, line.returned_volume) == (3600, 3000)
    _ship(session, ex.failed, old, 200, date(2026, 6, 5), later)  # the primary supplies again
    with pytest.raises(settlement.SettlementRefused):
        _ship(session, ex.backup, new, 10, date(2026, 6, 5), later)
    with pytest.raises(services.SupplyError, match="Only an approved"):
        services.restore_primary(session, ex.officer, takeover.id, date(2026, 6, 2), "", later)


def test_only_officers_of_the_batch_region_declare_and_decide(session, world, ex):
    with pytest.raises(Forbidden):
        services.propose_takeover(session, world.actors[("B", Role.PRICE_OFFICER)], ex.code, services.TakeoverInput(
            "YP101", "A-supplier", THREE, START, reason="x"), T)
    takeover = _declare(session, ex)
    with pytest.raises(Forbidden):
        services.decide_takeover(session, world.actors[("B", Role.PRICE_OFFICER)], takeover.id, True, "", T)
    with pytest.raises(Forbidden):
        services.decide_takeover(session, ex.failed, takeover.id, True, "", T)


def test_two_officers_approving_at_once_move_the_volume_once(db, session, world, ex):
    from accounts import services as accounts
    from accounts.roles import OrgKind
    from tests.conftest import PASSWORD, run_together

    third = accounts.actor_for(session, accounts.create_user(
        session, None, username="a_officer_3", display_name="第三", password=PASSWORD, role=Role.PRICE_OFFICER,
        org_id=world.orgs[("A", OrgKind.BUREAU)].id))
    takeover = _declare(session, ex)
    session.commit()

    def approve(i, start):
        start()
        with db.write_session() as s:
            try:
                services.decide_takeover(s, (ex.officer2, third)[i], takeover.id, True, "", T)
                return "approved"
            except services.SupplyError:
                return "refused"

    assert sorted(run_together(2, approve)) == ["approved", "refused"]
    session.expire_all()
    assert len(session.exec(select(Contract).where(Contract.origin == f"T{takeover.id}")).all()) == 3
    assert ex.contract(session, "370100").agreed_volume == 0  # moved once (nothing had been shipped)


def test_the_form_offers_only_what_the_officers_scope_holds(session, world, ex):
    from supply.queries import form_choices, taker_choices

    batch = session.exec(select(Batch).where(Batch.code == ex.code)).one()
    mine = form_choices(session, ex.officer, batch, "YP101", "A-supplier")
    assert [s.code for s in mine.suppliers] == ["A-supplier", "A2-supplier"]
    assert [code for _r, code, _hs in mine.cities] == ["370100", "370300", "370400"]
    assert [c.org.code for c in taker_choices(session, ex.officer, batch, "YP101", "A-supplier")] == ["A2-supplier"]
    foreign = world.actors[("B", Role.PRICE_OFFICER)]  # handed the batch by mistake: its scope holds nothing
    theirs = form_choices(session, foreign, batch, "YP101", "A-supplier")
    assert (theirs.suppliers, theirs.cities) == ([], [])
    assert taker_choices(session, foreign, batch, "YP101", "A-supplier") == []


def test_a_declaration_moves_only_hospitals_inside_the_officers_region(session, ex):
    from supply.planning import plan_takeover

    batch = session.exec(select(Batch).where(Batch.code == ex.code)).one()
    inp = services.TakeoverInput("YP101", "A-supplier", THREE, START, None, None, "未配送")
    assert len(plan_takeover(session, batch, inp).lines) == 3
    assert [line.hospital.code for line in plan_takeover(session, batch, inp, "370300").lines] == ["H-370300"]


def test_the_takeover_and_run_pages_show_each_price_difference_and_where_it_went(app, client, db, session, world,
                                                                                  ring, ex):
    from tests.conftest import csrf_token, login

    other = build(db, session, world, ring, datetime(2026, 3, 2, 2, tzinfo=UTC), code="BG4",
                  rules={"takeover_price": "failed_price"}, ex=ex)
    a = other.contract(session, "370100")
    _ship(session, other.failed, a, 1000, date(2026, 4, 28), datetime(2026, 4, 28, 8, tzinfo=UTC))
    takeover = _declare(session, other, units=("370100",))
    services.decide_takeover(session, other.officer2, takeover.id, True, "", T)
    review.sign_all(session, other.hospitals["370100"], other.code, T + timedelta(hours=2))
    review.sign_all(session, other.backup, other.code, T + timedelta(hours=2))
    new_a = other.contract(session, "370100", origin=f"T{takeover.id}")
    _ship(session, other.backup, new_a, 700, date(2026, 5, 12), datetime(2026, 5, 12, 8, tzinfo=UTC))
    for delivery in session.exec(select(Delivery).where(Delivery.contract_id.in_([a.id, new_a.id]))).all():
        settlement.accept_delivery(session, other.hospitals["370100"], delivery.id, delivery.quantity,
                                   delivery.shipped_on + timedelta(days=1), datetime(2026, 5, 20, tzinfo=UTC))
    run = _settle_month(session, world, other, "2026-05", datetime(2026, 6, 2, 2, tzinfo=UTC)).run
    takeover_id, run_id, ref, run_ref = takeover.id, run.id, takeover.reference, run.run_ref
    session.commit()
    login(client, "a_price_officer")
    page = client.get(f"/takeovers/{takeover_id}").get_data(as_text=True)
    assert "向原中选企业收取的差价" in page and "¥14.00" in page and f"已在结算 {run_ref} 中扣减" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "a_settlement_officer")
    page = client.get(f"/settlement/officer/runs/{run_id}").get_data(as_text=True)
    assert 'data-testid="run-differences"' in page and ref in page and "-¥14.00" in page
    # the price difference is labelled as such, not as a return
    assert "备供价差扣回（已从应付中扣除）" in page and "退货扣回（已从应付中扣除）" not in page
    # a return of 300 of the backup's 700 settled units: ¥6.00 given back to the failed winner
    line = session.exec(select(Acceptance).where(Acceptance.contract_id == new_a.id)).one()
    settlement.return_goods(session, other.hospitals["370100"], line.id, 300, date(2026, 6, 8), "破损",
                            datetime(2026, 6, 10, 2, tzinfo=UTC))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "a_price_officer")
    page = client.get(f"/takeovers/{takeover_id}").get_data(as_text=True)
    assert 'data-testid="takeover-credit"' in page and "退货部分价差退还" in page and "-¥6.00" in page
    assert 'data-testid="charged-total">¥8.00<' in page
