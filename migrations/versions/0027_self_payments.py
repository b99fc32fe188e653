"""self payments: a hospital's own payments for accepted order lines outside direct settlement

Revision ID: 0027
Revises: 0028
Create Date: 2026-12-03 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types

revision = "0027"
down_revision = "0028"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """The payments and the accepted rows each covers (each row at most once)."""
    op.create_table(
        "self_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("bank_ref", S(length=40), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_self_payment_hospital_org_id", "self_payment", ["hospital_org_id"])
    op.create_index("ix_self_payment_supplier_org_id", "self_payment", ["supplier_org_id"])
    op.create_index("ix_self_payment_region_code", "self_payment", ["region_code"])
    op.create_table(
        "self_payment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("acceptance_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["self_payment.id"]),
        sa.ForeignKeyConstraint(["acceptance_id"], ["order_acceptance.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("acceptance_id"),
    )
    op.create_index("ix_self_payment_line_payment_id", "self_payment_line", ["payment_id"])
    op.create_index("ix_self_payment_line_hospital_org_id", "self_payment_line", ["hospital_org_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("self_payment_line")
    op.drop_table("self_payment")
