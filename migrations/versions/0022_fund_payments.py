"""fund payments outside the monthly run: the run's kind, four-eyes fund payments

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.types import UTCDateTime

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
OPEN = sa.text("status != 'rejected'")


def upgrade() -> None:
    """``settlement_run.kind`` (every existing run is monthly) and the fund payments."""
    with op.batch_alter_table("settlement_run") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=12), nullable=False, server_default="monthly"))
    op.create_table(
        "settlement_fund_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=12), nullable=False),
        sa.Column("payee_org_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("remittance", S(length=140), nullable=False),
        sa.Column("source_ref", S(length=80), nullable=False),
        sa.Column("status", S(length=10), nullable=False),
        sa.Column("payee_account", S(length=40), nullable=False),
        sa.Column("payee_name", S(length=200), nullable=False),
        sa.Column("payee_cnaps", S(length=12), nullable=False),
        sa.Column("payee_bank", S(length=100), nullable=False),
        sa.Column("note", S(length=200), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", S(length=200), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("instruction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["payee_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.id"]),
        sa.ForeignKeyConstraint(["instruction_id"], ["settlement_instruction.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_settlement_fund_payment_batch_id", "settlement_fund_payment", ["batch_id"])
    op.create_index("ix_settlement_fund_payment_payee_org_id", "settlement_fund_payment", ["payee_org_id"])
    op.create_index("uq_settlement_fund_payment_open", "settlement_fund_payment", ["kind", "source_ref"],
                    unique=True, sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    """Drop the fund payments and the run's kind."""
    op.drop_table("settlement_fund_payment")
    with op.batch_alter_table("settlement_run") as batch_op:
        batch_op.drop_column("kind")
