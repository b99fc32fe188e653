"""settlement: price differences given back to the failed winner for units returned after settlement;
a refund counts its returns and its price differences apart

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-03 08:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import UTCDateTime

revision = "0029"
down_revision = "0027"
branch_labels = None
depends_on = None

T = "settlement_difference_credit"
INDEXED = ("batch_id", "difference_id", "hospital_org_id", "supplier_org_id", "clawback_run_id", "refund_id")


def upgrade() -> None:
    """One row per return after settlement on a taker's line that carried a price difference."""
    op.create_table(
        T,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("difference_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("clawback_run_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["difference_id"], ["settlement_price_difference.id"]),
        sa.ForeignKeyConstraint(["return_id"], ["settlement_return.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["clawback_run_id"], ["settlement_run.id"]),
        sa.ForeignKeyConstraint(["refund_id"], ["settlement_refund.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("return_id"),
    )
    for column in INDEXED:
        op.create_index(f"ix_{T}_{column}", T, [column])
    with op.batch_alter_table("settlement_refund") as batch:
        batch.add_column(sa.Column("difference_count", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop the credits and the refunds' count of differences."""
    with op.batch_alter_table("settlement_refund") as batch:
        batch.drop_column("difference_count")
    for column in INDEXED:
        op.drop_index(f"ix_{T}_{column}", table_name=T)
    op.drop_table(T)
