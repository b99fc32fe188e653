"""audit: keyed (HMAC) chain and signed checkpoints; idempotent actions recorded once

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Each audit entry names the audit key of its HMAC; entries already written keep NULL
    (legacy, unkeyed SHA-256) and the first keyed entry's HMAC covers the last of them."""
    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    """Drop the key id (keyed entries then no longer verify: restore the backup instead)."""
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_column("key_id")
