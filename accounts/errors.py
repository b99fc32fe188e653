"""The refusal every account use case raises, with a message for the user."""

from __future__ import annotations


class AccountError(ValueError):
    """A refused account change, with a message for the user (Chinese, then English)."""
