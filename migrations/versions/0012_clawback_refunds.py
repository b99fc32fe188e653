"""clawback refunds: open clawbacks no later run could net, asked back from the supplier

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The refund table, and the link from a return to the refund that recovered it."""
    op.create_table(
        "settlement_refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("return_count", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("bank_ref", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("received_by", sa.Integer(), nullable=True),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["received_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    for column in ("batch_id", "hospital_org_id", "supplier_org_id"):
        op.create_index(f"ix_settlement_refund_{column}", "settlement_refund", [column])
    with op.batch_alter_table("settlement_return") as batch_op:
        batch_op.add_column(sa.Column("refund_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_settlement_return_refund", "settlement_refund", ["refund_id"], ["id"])
        batch_op.create_index("ix_settlement_return_refund_id", ["refund_id"])


def downgrade() -> None:
    """Drop the refunds (their returns' clawbacks become open again)."""
    with op.batch_alter_table("settlement_return") as batch_op:
        batch_op.drop_index("ix_settlement_return_refund_id")
        batch_op.drop_constraint("fk_settlement_return_refund", type_="foreignkey")
        batch_op.drop_column("refund_id")
    for column in ("batch_id", "hospital_org_id", "supplier_org_id"):
        op.drop_index(f"ix_settlement_refund_{column}", table_name="settlement_refund")
    op.drop_table("settlement_refund")
