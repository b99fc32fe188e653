"""The refusal of a monitoring step, with its reason (a ``core.i18n`` msgid)."""

from __future__ import annotations


class WatchError(ValueError):
    """A monitoring step refused by the rules, with the reason."""
