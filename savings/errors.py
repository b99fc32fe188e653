"""The refusal of a retained-savings step, with its reason (a ``core.i18n`` msgid)."""

from __future__ import annotations


class SavingsError(ValueError):
    """A settings, points, proposal, approval, objection or payment step refused by the rules."""
