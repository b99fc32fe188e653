"""The retained-savings use cases in one place (the pages, tests and the cycle-close check import
them from here)."""

from __future__ import annotations

from savings.decisions import (
    answer_objection,
    approve,
    credit,
    enter_points,
    estimates,
    lodge_objection,
    payable,
    propose,
    revise,
    send_back,
    state,
    undecided,
)
from savings.errors import SavingsError
from savings.payment import approve_payments, request_payments
from savings.store import set_settings, settings_for

__all__ = ["SavingsError", "answer_objection", "approve", "credit", "enter_points", "estimates", "lodge_objection",
           "payable", "propose", "request_payments", "approve_payments", "revise", "send_back", "set_settings", "settings_for", "state", "undecided"]
