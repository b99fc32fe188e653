"""The settlement use cases in one place (each lives in its own module; one transaction each).

Deliveries: :mod:`settlement.execution.deliveries`; reconciliation: :mod:`settlement.execution.reconciliation`; prepayment:
:mod:`settlement.execution.prepayment`; runs and approval: :mod:`settlement.runs.services`; bank files and
returns: :mod:`settlement.payments.banking`; clawbacks asked back: :mod:`settlement.execution.refunds`; failed payments re-issued (four-eyes):
:mod:`settlement.payments.reissue`; fund payments outside the monthly run (four-eyes): :mod:`settlement.payments.fund`. Importing this module registers the scope rules.
"""

from __future__ import annotations

import settlement.scoping  # noqa: F401  (registers the scope rules)
from settlement.execution.deliveries import (
    DeliveryInput,
    SettlementRefused,
    accept_delivery,
    apply_for_settlement,
    record_deliveries,
    record_delivery,
    return_goods,
)
from settlement.execution.prepayment import balances, grant_prepayment
from settlement.execution.reconciliation import (
    LineDecision,
    ReconcilePlan,
    plan_reconciliation,
    reconcile,
    reconcile_lines,
)
from settlement.execution.refunds import record_refund, request_refunds, waiting_clawbacks
from settlement.payments.banking import files_of, import_bank_return, release_files
from settlement.payments.fund import (
    FundPaymentKind,
    approve_fund_payment,
    open_fund_payment,
    paid_at,
    propose_fund_payment,
    reject_fund_payment,
)
from settlement.payments.reissue import approve_reissue, reject_reissue, request_reissue
from settlement.runs.services import RunOutcome, approve_run, run_settlement, runs_of

__all__ = [
    "DeliveryInput",
    "FundPaymentKind",
    "LineDecision",
    "ReconcilePlan",
    "RunOutcome",
    "SettlementRefused",
    "accept_delivery",
    "apply_for_settlement",
    "approve_fund_payment",
    "approve_reissue",
    "approve_run",
    "balances",
    "files_of",
    "grant_prepayment",
    "import_bank_return",
    "open_fund_payment",
    "paid_at",
    "plan_reconciliation",
    "propose_fund_payment",
    "reconcile",
    "reconcile_lines",
    "reject_fund_payment",
    "reject_reissue",
    "request_reissue",
    "record_deliveries",
    "record_delivery",
    "record_refund",
    "release_files",
    "request_refunds",
    "return_goods",
    "run_settlement",
    "runs_of",
    "waiting_clawbacks",
]
