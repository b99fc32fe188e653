"""supply: the price difference a failed winner owes for what its backup delivered

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import UTCDateTime

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None

T = "settlement_price_difference"


def upgrade() -> None:
    """One row per taker's line settled under a ``failed_price`` takeover: what the failed winner owes."""
    op.create_table(
        T,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("acceptance_id", sa.Integer(), nullable=False),
        sa.Column("takeover_line_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("taker_ucp_e4", sa.BigInteger(), nullable=False),
        sa.Column("failed_ucp_e4", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("settled_run_id", sa.Integer(), nullable=True),
        sa.Column("clawback_run_id", sa.Integer(), nullable=True),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["acceptance_id"], ["settlement_acceptance.id"]),
        sa.ForeignKeyConstraint(["takeover_line_id"], ["supply_takeover_line.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["settled_run_id"], ["settlement_run.id"]),
        sa.ForeignKeyConstraint(["clawback_run_id"], ["settlement_run.id"]),
        sa.ForeignKeyConstraint(["refund_id"], ["settlement_refund.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("acceptance_id"),
    )
    for column in ("batch_id", "takeover_line_id", "hospital_org_id", "supplier_org_id", "settled_run_id",
                   "clawback_run_id", "refund_id"):
        op.create_index(f"ix_{T}_{column}", T, [column])


def downgrade() -> None:
    """Drop the price differences."""
    for column in ("batch_id", "takeover_line_id", "hospital_org_id", "supplier_org_id", "settled_run_id",
                   "clawback_run_id", "refund_id"):
        op.drop_index(f"ix_{T}_{column}", table_name=T)
    op.drop_table(T)
