"""Mode "payment instruction and bank file": the approved amount, after its objection period, is
proposed as a fund payment of kind savings, approved by a second officer into one instruction,
released to the bank and paid — once per version, whatever is repeated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from accounts.roles import OrgKind
from savings import services
from savings.models import SavingsAssessment
from savings.queries import batch_rows
from savings.settings import SavingsSettings
from settlement import services as settlement
from settlement.execution.deliveries import SettlementRefused
from settlement.models import FundPayment, PaymentInstruction
from tests.savings.fixtures import AFTER, cycle  # noqa: F401
from tests.settlement.payments.test_fund import HOSPITAL_ACCOUNT, give_account


def test_paid_by_instruction_and_bank_file(session, world, cycle):  # noqa: F811
    give_account(session, world, world.orgs[("A", OrgKind.HOSPITAL)])
    services.set_settings(session, cycle.officer, cycle.code, SavingsSettings(payment_mode="instruction"), AFTER)
    services.propose(session, cycle.officer, cycle.code, AFTER)
    services.approve(session, cycle.officer2, cycle.code, AFTER)
    with pytest.raises(services.SavingsError):  # within the objection period
        services.request_payments(session, cycle.officer, cycle.code, AFTER + timedelta(days=9))
    later = AFTER + timedelta(days=10)
    with pytest.raises(services.SavingsError):  # the crediting step is for the other mode
        services.credit(session, cycle.officer, cycle.code, later)
    assert services.request_payments(session, cycle.officer, cycle.code, later) == 1
    assert services.request_payments(session, cycle.officer, cycle.code, later) == 1  # a repeat: the same payment
    (payment,) = session.exec(select(FundPayment)).all()
    a = session.exec(select(SavingsAssessment)).one()
    assert (payment.kind, payment.amount_fen, payment.source_ref, payment.payee_account) == (
        "savings", a.retained_fen, f"savings:{cycle.batch_id}:{a.hospital_org_id}:v1", HOSPITAL_ACCOUNT)
    assert [r.state for r in batch_rows(session, cycle.officer, _batch(session, cycle), later)] == ["payment_proposed"]
    with pytest.raises(services.SavingsError, match="payment"):  # no second version while it is being paid
        services.revise(session, cycle.officer, cycle.code, "A-hospital", 0, "更正", later)
    with pytest.raises(SettlementRefused):  # four-eyes
        services.approve_payments(session, cycle.officer, cycle.code, later)
    assert services.approve_payments(session, cycle.officer2, cycle.code, later) == 1
    (inst,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.amount_fen == 53_830)).all()
    assert [r.state for r in batch_rows(session, cycle.officer, _batch(session, cycle), later)] == ["instructed"]
    files = settlement.release_files(session, cycle.officer, inst.run_id, later).value
    assert "538.30" in next(f for f in files if f.kind == "xml").content.decode()
    settlement.import_bank_return(session, cycle.officer, inst.run_id,
                                  f"指令编号,状态\n{inst.reference},成功\n".encode(), "r.csv", later)
    assert [r.state for r in batch_rows(session, cycle.officer, _batch(session, cycle), later)] == ["paid"]
    assert services.undecided(session, cycle.batch_id, later) == []


def _batch(session, cycle):  # noqa: F811
    from procurement.models import Batch

    return session.get(Batch, cycle.batch_id)
