"""The refusal of a supply step, with its reason (a ``core.i18n`` msgid)."""

from __future__ import annotations


class SupplyError(ValueError):
    """A supply problem, escalation or takeover step refused by the rules, with the reason."""
