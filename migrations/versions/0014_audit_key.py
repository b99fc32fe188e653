"""audit: keyed (HMAC) chain and signed checkpoints; idempotent actions recorded once

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from alembic import op  # noqa: F401

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Placeholder: filled by the change that needs it (no schema change yet)."""


def downgrade() -> None:
    """Placeholder: nothing to undo."""
