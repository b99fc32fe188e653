"""dashboard rollup: purchases per batch × item × region × day; on-time payments and shares per run

Revision ID: 0025
Revises: 0023
Create Date: 2026-12-03 07:10:00

Existing lines, runs and bank answers are summed into the new tables by
``settlement.monitoring.rollup.rebuild`` in the upgrade itself (plain SQL over the tables).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """The two read-model tables of the dashboard."""
    op.create_table(
        "dashboard_purchase",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("batch_item_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value_e4", sa.BigInteger(), nullable=False),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "batch_item_id", "region_code", "day"),
    )
    op.create_table(
        "dashboard_purchase_month",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("batch_item_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value_e4", sa.BigInteger(), nullable=False),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "batch_item_id", "region_code", "month"),
    )
    op.create_table(
        "dashboard_on_time",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("batch_item_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("on_time_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "batch_item_id", "region_code", "day"),
    )
    op.create_index("ix_dashboard_purchase_day", "dashboard_purchase", ["batch_id", "day"], unique=False)
    op.create_index("ix_dashboard_on_time_day", "dashboard_on_time", ["batch_id", "day"], unique=False)
    op.create_table(
        "dashboard_share",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("instruction_id", sa.Integer(), nullable=True),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.Column("offset_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "region_code", "supplier_org_id"),
    )
    from sqlmodel import Session  # noqa: PLC0415 - the upgrade's own connection

    from settlement.monitoring import rollup  # noqa: PLC0415

    rollup.rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    """Drop the read model (the lines it summed are untouched)."""
    op.drop_index("ix_dashboard_on_time_day", table_name="dashboard_on_time")
    op.drop_index("ix_dashboard_purchase_day", table_name="dashboard_purchase")
    op.drop_table("dashboard_share")
    op.drop_table("dashboard_on_time")
    op.drop_table("dashboard_purchase_month")
    op.drop_table("dashboard_purchase")
