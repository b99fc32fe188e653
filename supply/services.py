"""The supply use cases in one place (the pages and tests import them from here)."""

from __future__ import annotations

from supply.errors import SupplyError
from supply.planning import Plan, TakeoverInput
from supply.problems import ProblemInput, answer_problem, escalate, next_step, report_problem
from supply.takeovers import (
    decide_takeover,
    decision_refusal,
    preview_takeover,
    propose_takeover,
    restore_primary,
    restore_refusal,
)

__all__ = ["Plan", "ProblemInput", "SupplyError", "TakeoverInput", "answer_problem", "decide_takeover",
           "decision_refusal", "escalate", "next_step", "preview_takeover", "propose_takeover", "report_problem",
           "restore_primary", "restore_refusal"]
