"""The refusal of a payment-standard step, with its reason (a ``core.i18n`` msgid)."""

from __future__ import annotations


class StandardError(ValueError):
    """A derivation or decision refused by the rules, with the reason."""
