"""hospital_spend: hospitals' reported monthly total spend, the denominator of the platform share

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-03 08:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types

revision = "0028"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The reported spend rows (a correction is a new row, the old one superseded)."""
    op.create_table(
        "hospital_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column("reported_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("superseded_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["reported_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["superseded_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hospital_spend_hospital_org_id", "hospital_spend", ["hospital_org_id"])
    op.create_index("ix_hospital_spend_month", "hospital_spend", ["month", "region_code"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_hospital_spend_month", table_name="hospital_spend")
    op.drop_index("ix_hospital_spend_hospital_org_id", table_name="hospital_spend")
    op.drop_table("hospital_spend")
