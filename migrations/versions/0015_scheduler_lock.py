"""jobs: the one-scheduler lock keyed to the database

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from alembic import op  # noqa: F401

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Placeholder: filled by the change that needs it (no schema change yet)."""


def downgrade() -> None:
    """Placeholder: nothing to undo."""
