"""The demo holds a batch at every stage of the lifecycle, made through the real services at
moved times (every step is in the audit log, whose chain verifies), and every demo login finds
its to-dos with their due dates on the landing page."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from core.audit import AuditEntry, verify_chain
from credit.models import Breach, Rating
from cycles.models import ContractYear
from demo.lifecycle import FROZEN
from notices.models import Notification
from orders.models import OrderAcceptance, OrderLine, PurchaseOrder
from paystd.models import StandardVersion
from pricewatch.models import Alert
from procurement.models import Batch
from results.models import ResultVersion
from review.models import Contract, Objection
from settlement.models import (
    Acceptance,
    Delivery,
    DeliveryReturn,
    PaymentInstruction,
    PrepaymentEntry,
    SettlementRun,
)
from supply.models import Escalation, SupplyProblem, Takeover
from tests.conftest import login

DEMO_PASSWORD = "jicai-demo-2026"


@pytest.fixture
def seeded(app, db):
    """The demo seeded through `flask seed` (small: 20 hospitals, 5 suppliers)."""
    result = app.test_cli_runner().invoke(args=["seed", "--hospitals", "20", "--suppliers", "5"])
    assert result.exit_code == 0, result.output
    return result.output


def _count(s, model, *where) -> int:
    return s.exec(select(func.count()).select_from(model).where(*where)).one()


def test_every_stage_exists_made_by_the_services_and_a_second_seed_adds_nothing(app, db, seeded):
    for stage in ("DEMO-BID", "DEMO-R", "DEMO-P", "DEMO-E", "DEMO-B", "GJ9", "DEMO-S"):
        assert re.search(rf"SD-\d{{4}}-{stage} ", seeded), seeded  # the seed says which batch shows what
    with db.read_session() as s:
        status = {b.code.rsplit("-", 1)[-1]: b.status for b in s.exec(select(Batch)).all()}
        assert status == {"01": "demand", "B": "opened", "BID": "bidding", "R": "review", "P": "publicity",
                          "E": "execution", "GJ9": "execution", "S": "execution"}
        execution = s.exec(select(Batch).where(Batch.status == "execution", Batch.code.endswith("DEMO-E"))).one()
        contracts = s.exec(select(Contract).where(Contract.batch_id == execution.id)).all()
        assert contracts and {c.status for c in contracts} == {"signed"}
        # orders (采购订单): one accepted through the demo distributor (a VBP-selected line among them), one waiting
        orders = s.exec(select(PurchaseOrder).order_by(PurchaseOrder.number)).all()
        assert [(o.number, o.status) for o in orders] == [(1, "sent"), (2, "sent")]
        lines = s.exec(select(OrderLine).order_by(OrderLine.id)).all()
        assert [ln.status for ln in lines] == ["confirmed", "confirmed", "pending"]
        accepted = s.exec(select(OrderAcceptance)).all()
        assert sum(a.amount_fen for a in accepted) == sum(ln.amount_fen for ln in lines[:2])
        assert [a.vbp_batch_code is not None for a in accepted] == [True, False]
        assert _count(s, Delivery, Delivery.batch_id == execution.id) > 0
        assert _count(s, DeliveryReturn) >= 1
        runs = s.exec(select(SettlementRun).where(SettlementRun.batch_id == execution.id)
                      .order_by(SettlementRun.month)).all()
        assert len({r.month for r in runs}) == 3 and {r.status for r in runs} == {"released"}
        assert all(r.offset_fen > 0 for r in runs)  # the prepayment is offset month by month
        assert _count(s, PrepaymentEntry, PrepaymentEntry.batch_id == execution.id) > 0
        failed = s.exec(select(PaymentInstruction).where(PaymentInstruction.status == "failed")).all()
        assert [f.failure_reason for f in failed] == [FROZEN]
        assert _count(s, PaymentInstruction, PaymentInstruction.status == "paid") >= 2
        # last month's lines wait for the suppliers' application; today's delivery for acceptance
        assert _count(s, Acceptance, Acceptance.batch_id == execution.id, Acceptance.applied_month.is_(None)) > 0
        accepted = select(Acceptance.delivery_id)
        assert _count(s, Delivery, Delivery.batch_id == execution.id, Delivery.id.not_in(accepted)) > 0
        assert _count(s, Objection, Objection.answer.is_(None)) == 1
        # the national result put into effect: contracts per city from its version, year 2 agreed
        # (one hospital asked for more, with a reason), year 3 open for the hospitals
        national = s.exec(select(Batch).where(Batch.code.endswith("GJ9"))).one()
        assert national.procedure == "result"
        assert _count(s, ResultVersion, ResultVersion.batch_id == national.id) == 1
        years = s.exec(select(ContractYear).where(ContractYear.batch_id == national.id)).all()
        assert {y.status for y in years if y.year_no == 2} == {"agreed"}
        assert {y.status for y in years if y.year_no == 3} == {"to_confirm"}
        assert [y.hospital_reason for y in years if y.hospital_reason] == ["新院区开诊，预计用量增加"]
        # payment standards of the national batch approved by the second officer, and this month's
        # monitoring raised the non-selected product's alerts
        version = s.exec(select(StandardVersion).where(StandardVersion.batch_id == national.id)).one()
        assert version.status == "approved" and version.decided_by != version.proposed_by
        assert version.effective_on == national.cycle_start
        assert {a.rule for a in s.exec(select(Alert)).all()} == {"non_selected", "paystd_cap"}
        # made by the use cases: each step left its audit entry, and the chain verifies
        actions = set(s.exec(select(AuditEntry.action)).all())
        assert {"bids.open", "evaluation.done", "review.submit", "review.approve", "batch.published", "contract.sign",
                "delivery.record", "delivery.accept", "delivery.return", "settlement.apply", "settlement.confirm",
                "settlement.bank_return", "objection.lodge", "result.load", "result.publicity", "volumes.open",
                "volumes.answer", "volumes.approve", "paystd.propose", "paystd.approve", "pricewatch.run"} <= actions, actions
        # the 保供 batch: a problem answered late and escalated, a takeover approved by the second
        # officer, the taker's contracts signed and delivered, the breach confirmed, the rating proposed
        guarantee = s.exec(select(Batch).where(Batch.code.endswith("DEMO-S"))).one()
        problem = s.exec(select(SupplyProblem).where(SupplyProblem.batch_id == guarantee.id)).one()
        assert problem.answered_late and _count(s, Escalation, Escalation.problem_id == problem.id) == 2
        takeover = s.exec(select(Takeover).where(Takeover.batch_id == guarantee.id)).one()
        assert takeover.status == "approved" and takeover.decided_by != takeover.proposed_by
        taken = s.exec(select(Contract).where(Contract.origin == f"T{takeover.id}")).all()
        assert len(taken) >= 3 and {c.status for c in taken} == {"signed"}
        assert _count(s, Acceptance, Acceptance.contract_id.in_([c.id for c in taken])) == len(taken)
        assert s.exec(select(Breach)).one().status == "confirmed"
        assert s.exec(select(Rating)).one().status == "proposed"
        assert {"supply.problem_report", "supply.takeover_approve", "credit.breach_confirm",
                "credit.rating_propose"} <= actions
        assert verify_chain(s).ok
        before = {m.__name__: _count(s, m) for m in (Batch, Contract, Delivery, SettlementRun, Notification, AuditEntry)}
    again = app.test_cli_runner().invoke(args=["seed"])
    assert again.exit_code == 0 and "already present" in again.output
    with db.read_session() as s:
        assert {m.__name__: _count(s, m) for m in (Batch, Contract, Delivery, SettlementRun, Notification,
                                                   AuditEntry)} == before


#: login → the to-dos (landing test ids) it must see, and which of them carry a due date
TODOS = {
    "officer": ({"task-start_evaluation", "task-answer_objections", "task-awaiting_second_officer"},
                {"due-answer_objections"}),
    "officer2": ({"task-approve_review", "task-answer_objections"}, {"due-answer_objections"}),
    "hospital": ({"task-see_publicity", "task-accept_deliveries"}, {"due-see_publicity"}),
    "supplier": ({"task-submit_bids", "task-see_result", "task-apply_settlement"},
                 {"due-submit_bids", "due-apply_settlement"}),
    "settle": ({"task-run_settlement"}, set()),
}


@pytest.mark.parametrize("username", sorted(TODOS))
def test_each_demo_login_sees_its_todos_with_due_dates(client, seeded, username):
    tasks, due = TODOS[username]
    login(client, username, DEMO_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    shown = set(re.findall(r'data-testid="((?:task|due|since)-[a-z_]+)"', page))
    assert tasks <= shown, (username, shown)
    assert due <= shown, (username, shown)


def test_notices_are_written_at_each_waiting_step(db, seeded):
    with db.read_session() as s:
        kinds = {(n.kind, n.role) for n in s.exec(select(Notification)).all()}
    assert {("review_pending", "price_officer"), ("objection_lodged", "price_officer"),
            ("publicity_started", "hospital_buyer"), ("publicity_started", "supplier_rep"),
            ("execution_due", "price_officer"), ("contracts_to_sign", "hospital_buyer")} <= kinds, kinds
