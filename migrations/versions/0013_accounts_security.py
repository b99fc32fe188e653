"""accounts: region-bounded admins, four-eyes bank-account changes, server-side sessions, atomic login throttle

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Sessions, bank-account change requests, and the outcome of each login attempt."""
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _S(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", _S(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", _S(length=20), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_session_token_hash", "user_session", ["token_hash"], unique=True)
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"])
    op.create_table(
        "bank_change_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("status", _S(length=12), nullable=False),
        sa.Column("bank_name", _S(length=100), nullable=True),
        sa.Column("bank_cnaps", _S(length=12), nullable=False),
        sa.Column("bank_account", _S(length=40), nullable=False),
        sa.Column("old_bank_name", _S(length=100), nullable=True),
        sa.Column("old_bank_cnaps", _S(length=12), nullable=True),
        sa.Column("old_bank_account", _S(length=40), nullable=True),
        sa.Column("reason", _S(length=200), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", _S(length=200), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bank_change_request_org_id", "bank_change_request", ["org_id"])
    op.create_index("ix_bank_change_request_status", "bank_change_request", ["status"])
    with op.batch_alter_table("login_attempt") as batch_op:
        batch_op.add_column(sa.Column("outcome", _S(length=10), nullable=False, server_default="failed"))


def downgrade() -> None:
    """Drop sessions and change requests (pending changes are lost; confirmed ones stay applied)."""
    with op.batch_alter_table("login_attempt") as batch_op:
        batch_op.drop_column("outcome")
    op.drop_index("ix_bank_change_request_status", "bank_change_request")
    op.drop_index("ix_bank_change_request_org_id", "bank_change_request")
    op.drop_table("bank_change_request")
    op.drop_index("ix_user_session_user_id", "user_session")
    op.drop_index("ix_user_session_token_hash", "user_session")
    op.drop_table("user_session")
