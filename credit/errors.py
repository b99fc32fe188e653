"""The refusal of a credit step, with its reason (a ``core.i18n`` msgid)."""

from __future__ import annotations


class CreditError(ValueError):
    """A breach, rating, repair or policy step refused by the rules, with the reason."""
