"""The dashboard's read model on hand-checkable numbers: a batch with two drugs (pre-VBP ¥1.2000
and ¥0.8000, contracts at ¥0.1234 and ¥0.0567), three accepted lines, an advance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.roles import Role
from settlement import services
from settlement.monitoring.dashboard import dashboard
from tests.settlement.fixtures_db import NOW, setup  # noqa: F401
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
