"""savings: retained-savings settings, officer points, assessments and objections (结余留用)

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.types import UTCDateTime

revision = "0026"
down_revision = "0024"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """The four savings tables."""
    op.create_table(
        "savings_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["set_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "version", name="uq_savings_policy_version"),
    )
    op.create_index("ix_savings_policy_batch_id", "savings_policy", ["batch_id"])
    op.create_table(
        "savings_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=False),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["entered_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_savings_points_batch_id", "savings_points", ["batch_id"])
    op.create_index("ix_savings_points_hospital_org_id", "savings_points", ["hospital_org_id"])
    op.create_table(
        "savings_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", S(length=12), nullable=False),
        sa.Column("inputs_json", sa.Text(), nullable=False),
        sa.Column("score", S(length=12), nullable=False),
        sa.Column("rate", S(length=12), nullable=False),
        sa.Column("base_fen", sa.BigInteger(), nullable=False),
        sa.Column("retained_fen", sa.BigInteger(), nullable=False),
        sa.Column("officer_points", sa.Integer(), nullable=False),
        sa.Column("points_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("payment_mode", S(length=12), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.Column("objection_due_at", UTCDateTime(), nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("superseded_at", UTCDateTime(), nullable=True),
        sa.Column("credited_by", sa.Integer(), nullable=True),
        sa.Column("credited_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["superseded_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["credited_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "hospital_org_id", "version", name="uq_savings_assessment_version"),
    )
    op.create_index("ix_savings_assessment_batch_id", "savings_assessment", ["batch_id"])
    op.create_index("ix_savings_assessment_hospital_org_id", "savings_assessment", ["hospital_org_id"])
    op.create_index("ix_savings_assessment_status", "savings_assessment", ["status"])
    op.create_table(
        "savings_objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("lodged_by", sa.Integer(), nullable=False),
        sa.Column("lodged_at", UTCDateTime(), nullable=False),
        sa.Column("status", S(length=10), nullable=False),
        sa.Column("answer", sa.Text(), server_default="", nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["savings_assessment.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["lodged_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["answered_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_savings_objection_assessment_id", "savings_objection", ["assessment_id"])
    op.create_index("ix_savings_objection_hospital_org_id", "savings_objection", ["hospital_org_id"])


def downgrade() -> None:
    """Drop the savings tables."""
    for table in ("savings_objection", "savings_assessment", "savings_points", "savings_policy"):
        op.drop_table(table)
