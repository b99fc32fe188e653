"""listing: listed products (挂网), their prices, distribution relations (配送关系)

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.types import UTCDateTime

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """The listed products and one row per price (listing price and change requests)."""
    op.create_table(
        "listed_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", S(length=27), nullable=False),
        sa.Column("kind", S(length=12), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=6), nullable=False),
        sa.Column("generic_name", S(length=100), nullable=False),
        sa.Column("dosage_form", S(length=40), nullable=False),
        sa.Column("spec", S(length=100), nullable=False),
        sa.Column("pack", S(length=60), nullable=False),
        sa.Column("mah", S(length=200), nullable=False),
        sa.Column("price_e4", sa.BigInteger(), nullable=False),
        sa.Column("vbp_status", S(length=14), nullable=False),
        sa.Column("vbp_batch_code", S(length=40), nullable=True),
        sa.Column("status", S(length=10), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", S(length=200), nullable=False),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["submitted_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_listed_product_supplier_org_id", "listed_product", ["supplier_org_id"])
    op.create_index("ix_listed_product_region_code", "listed_product", ["region_code"])
    op.create_index("ix_listed_product_status", "listed_product", ["status"])
    op.create_table(
        "listed_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("price_e4", sa.BigInteger(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", S(length=200), nullable=False),
        sa.Column("status", S(length=10), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", S(length=200), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["listed_product.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_listed_price_product_id", "listed_price", ["product_id"])
    op.create_index("ix_listed_price_product_effective", "listed_price", ["product_id", "status", "effective_on"])
    op.create_table(
        "distribution_relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("distributor_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("status", S(length=10), nullable=False),
        sa.Column("named_by", sa.Integer(), nullable=False),
        sa.Column("named_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_note", S(length=200), nullable=False),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["distributor_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["named_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_distribution_relation_supplier_org_id", "distribution_relation", ["supplier_org_id"])
    op.create_index("ix_distribution_relation_distributor_org_id", "distribution_relation", ["distributor_org_id"])
    op.create_index("ix_distribution_relation_region_code", "distribution_relation", ["region_code"])


def downgrade() -> None:
    """Drop the listing tables."""
    op.drop_table("distribution_relation")
    op.drop_table("listed_price")
    op.drop_table("listed_product")
