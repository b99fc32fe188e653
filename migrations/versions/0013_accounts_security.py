"""accounts: region-bounded admins, four-eyes bank-account changes, server-side sessions, atomic login throttle

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from alembic import op  # noqa: F401

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Placeholder: filled by the change that needs it (no schema change yet)."""


def downgrade() -> None:
    """Placeholder: nothing to undo."""
