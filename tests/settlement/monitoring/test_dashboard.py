"""The dashboard's read model on hand-checkable numbers: a batch with two drugs (pre-VBP ¥1.2000
and ¥0.8000, contracts at ¥0.1234 and ¥0.0567), three accepted lines, an advance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.roles import Role
from settlement import services
from settlement.monitoring.dashboard import dashboard
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.test_services import deliver_and_accept

AS_OF = date(2026, 11, 8)


def _bought(session, world, setup):  # noqa: F811
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 3), ("YP001", 777, 700, 9),
                                               ("YP003", 333, 333, 20)])
    session.commit()


def test_the_province_sees_its_figures(session, world, setup):  # noqa: F811
    _bought(session, world, setup)
    d = dashboard(session, world.actors[("A", Role.SETTLEMENT_OFFICER)], AS_OF)
    assert (d.drug_varieties, d.consumable_classes) == (2, 0)  # batch B is another province's
    # 1,700 × (1.2000 − 0.1234) + 333 × (0.8000 − 0.0567) = 2,077.7389 yuan → ¥2,077.74
    assert [(y.year, y.saving_fen, y.cumulative_fen) for y in d.savings] == [(2026, 207_774, 207_774)]
    # cuts 1 − 0.1234/1.2 = 0.8972 and 1 − 0.0567/0.8 = 0.9291 (half up): mean 0.91315 → 0.9132
    (cut,) = d.cuts
    assert (cut.code, cut.items, cut.average_cut) == (setup.code, 2, Decimal("0.9132"))
    # 39 of 365 days: 100,000 × 39/365 → 10,685 and 50,000 × 39/365 → 5,342
    (batch,) = d.by_batch
    assert (batch.agreed, batch.purchased, batch.target) == (150_000, 2_033, 16_027)
    assert batch.completion == Decimal("0.0136") and batch.time_ratio == Decimal("0.1068")
    (city,) = d.by_city
    assert (city.key, city.agreed, city.purchased) == ("370100", 150_000, 2_033)
    # due: accepted before 9 October (30 payment days): the 3 October line, 1,000 × ¥0.1234 = ¥123.40, not paid
    assert (d.payments.due_fen, d.payments.on_time_fen, d.payments.rate) == (12_340, 0, Decimal("0"))
    assert d.prepayment_outstanding_fen == 455_250
    assert d.platform_purchase_share is None and d.non_selected_share is None  # not yet available


def test_a_hospital_sees_only_its_own_and_another_province_nothing(session, world, setup):  # noqa: F811
    _bought(session, world, setup)
    own = dashboard(session, world.actors[("A", Role.HOSPITAL_BUYER)], AS_OF)
    assert own.by_batch[0].purchased == 2_033 and own.prepayment_outstanding_fen == 455_250
    other = dashboard(session, world.actors[("B", Role.HOSPITAL_BUYER)], AS_OF)
    assert other.savings == () and other.prepayment_outstanding_fen == 0
    assert [b.purchased for b in other.by_batch] == [0]  # its own contract in batch B, nothing bought


def test_on_time_payment_counts_each_line_against_its_own_due_date(session, world, setup, officer_b):  # noqa: F811
    from datetime import timedelta

    from sqlmodel import select

    from settlement.models import PaymentInstruction

    supplier, hospital, officer = (world.actors[("A", r)] for r in
                                   (Role.SUPPLIER_REP, Role.HOSPITAL_BUYER, Role.SETTLEMENT_OFFICER))
    accs = deliver_and_accept(session, world, setup, [("YP001", 100, 100, 2), ("YP001", 200, 200, 20)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    services.approve_run(session, officer_b, run.id, NOW)
    services.release_files(session, officer, run.id, NOW)
    (inst,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all()
    services.import_bank_return(session, officer, run.id, f"reference,status\n{inst.reference},paid\n".encode(),
                                "r.csv", NOW)  # paid on 8 November
    session.commit()
    d = dashboard(session, officer, date(2026, 11, 25))
    # due 1 November (¥12.34, paid late) and 19 November (¥24.68, paid on time)
    assert (d.payments.due_fen, d.payments.on_time_fen) == (1_234 + 2_468, 2_468)
    assert d.money.settled_fen == d.money.paid_fen == 3_702 and d.money.waiting_fen == 0
    assert dashboard(session, officer, date(2026, 11, 25) - timedelta(days=20)).payments.due_fen == 1_234
