"""payment re-issue: four-eyes re-issue requests, the bank's reference, one successor per instruction

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 05:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OPEN = sa.text("status != 'rejected'")


def upgrade() -> None:
    """The re-issue requests; the bank's reference on an instruction; a failed instruction has at
    most one successor."""
    with op.batch_alter_table("settlement_instruction") as batch_op:
        batch_op.add_column(sa.Column("bank_ref", sa.String(length=60), nullable=False, server_default=""))
        batch_op.create_index("uq_settlement_instruction_reissue_of", ["reissue_of_id"], unique=True)
    op.create_table(
        "settlement_reissue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instruction_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("payee_account", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("payee_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("payee_cnaps", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("payee_bank", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("new_instruction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["instruction_id"], ["settlement_instruction.id"]),
        sa.ForeignKeyConstraint(["new_instruction_id"], ["settlement_instruction.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("instruction_id", "batch_id", "supplier_org_id"):
        op.create_index(f"ix_settlement_reissue_{column}", "settlement_reissue", [column])
    op.create_index("uq_settlement_reissue_open", "settlement_reissue", ["instruction_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    """Drop the requests, the reference and the one-successor index."""
    op.drop_index("uq_settlement_reissue_open", table_name="settlement_reissue")
    for column in ("instruction_id", "batch_id", "supplier_org_id"):
        op.drop_index(f"ix_settlement_reissue_{column}", table_name="settlement_reissue")
    op.drop_table("settlement_reissue")
    with op.batch_alter_table("settlement_instruction") as batch_op:
        batch_op.drop_index("uq_settlement_instruction_reissue_of")
        batch_op.drop_column("bank_ref")
