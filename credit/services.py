"""The credit use cases in one place (the pages and tests import them from here)."""

from __future__ import annotations

from credit.bars import bar_for, in_force, standing
from credit.breaches import (
    BreachInput,
    decide_breach,
    decision_refusal,
    record_breach,
    state_breach,
)
from credit.errors import CreditError
from credit.ratings import (
    apply_repair,
    confirm_refusal,
    decide_rating,
    decide_repair,
    derivation,
    propose_rating,
    repair_refusal,
)
from credit.store import policy_for, set_policy

__all__ = ["BreachInput", "CreditError", "apply_repair", "bar_for", "confirm_refusal", "decide_breach",
           "decide_rating", "decide_repair", "decision_refusal", "derivation", "in_force", "policy_for",
           "propose_rating", "record_breach", "repair_refusal", "set_policy", "standing", "state_breach"]
