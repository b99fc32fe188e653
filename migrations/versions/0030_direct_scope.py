"""direct settlement: the scope setting (versions, their common lists) and the claims of the
monthly run over order lines

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.types import UTCDateTime

revision = "0030"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Three tables, nothing migrated: before any version a region is at the default phase."""
    op.create_table(
        "direct_scope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("phase", sa.String(length=12), nullable=False),
        sa.Column("list_name", sa.String(length=100), nullable=False),
        sa.Column("distributor_bps", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_direct_scope_region_day", "direct_scope", ["region_code", "effective_from"])
    op.create_table(
        "direct_scope_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scope_id"], ["direct_scope.id"]),
        sa.ForeignKeyConstraint(["product_id"], ["listed_product.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope_id", "product_id", name="uq_direct_scope_product"),
    )
    op.create_index("ix_direct_scope_product_scope_id", "direct_scope_product", ["scope_id"])
    op.create_table(
        "direct_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("lo", sa.BigInteger(), nullable=True),
        sa.Column("hi", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id"),
        sa.UniqueConstraint("batch_id", "month", "hi", name="uq_direct_claim_hi"),
        sa.UniqueConstraint("batch_id", "month", "lo", name="uq_direct_claim_lo"),
        sa.ForeignKeyConstraint(["batch_id", "month", "lo"], ["direct_claim.batch_id", "direct_claim.month",
                                                              "direct_claim.hi"], name="fk_direct_claim_chain"),
        sa.CheckConstraint("lo IS NULL OR hi > lo", name="ck_direct_claim_range"),
    )
    op.create_index("uq_direct_claim_first", "direct_claim", ["batch_id", "month"], unique=True,
                    sqlite_where=sa.text("lo IS NULL"), postgresql_where=sa.text("lo IS NULL"))


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index("uq_direct_claim_first", table_name="direct_claim")
    op.drop_table("direct_claim")
    op.drop_index("ix_direct_scope_product_scope_id", table_name="direct_scope_product")
    op.drop_table("direct_scope_product")
    op.drop_index("ix_direct_scope_region_day", table_name="direct_scope")
    op.drop_table("direct_scope")
