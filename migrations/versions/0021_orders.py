"""orders: purchase orders, shipments with lots, acceptances (采购订单, 配送, 验收)

Revision ID: 0021
Revises: 0026
Create Date: 2026-12-03 06:28:19.923583
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types

revision = "0021"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The orders, their lines, shipments, shipment lines and acceptances."""
    op.create_table(
        "purchase_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("distributor_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("sent_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["distributor_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hospital_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hospital_org_id", "number", name="uq_purchase_order_number"),
    )
    with op.batch_alter_table("purchase_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_order_distributor_org_id"), ["distributor_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_order_hospital_org_id"), ["hospital_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_order_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_purchase_order_status"), ["status"], unique=False)

    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("distributor_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("shipped_by", sa.Integer(), nullable=False),
        sa.Column("shipped_at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["distributor_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hospital_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchase_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shipped_by"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "number", name="uq_shipment_number"),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_distributor_org_id"), ["distributor_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_hospital_org_id"), ["hospital_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shipment_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("distributor_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_e4", sa.BigInteger(), nullable=False),
        sa.Column("price_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("shipped", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["distributor_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hospital_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchase_order.id"],
        ),
        sa.ForeignKeyConstraint(
            ["price_id"],
            ["listed_price.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["listed_product.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_org_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "product_id", name="uq_order_line_product"),
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_line_distributor_org_id"), ["distributor_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_line_hospital_org_id"), ["hospital_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_order_line_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_product_id"), ["product_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_order_line_supplier_org_id"), ["supplier_org_id"], unique=False
        )

    op.create_table(
        "shipment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("distributor_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("lot_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("expiry_on", sa.Date(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["distributor_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hospital_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["listed_product.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_org_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shipment_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_line_distributor_org_id"), ["distributor_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_line_hospital_org_id"), ["hospital_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_line_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_line_shipment_id"), ["shipment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipment_line_supplier_org_id"), ["supplier_org_id"], unique=False
        )
        batch_op.create_index("ix_shipment_line_trace", ["product_id", "lot_no"], unique=False)

    op.create_table(
        "order_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_line_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("distributor_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("vbp_batch_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("lot_no", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_e4", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("by_user", sa.Integer(), nullable=False),
        sa.Column("at", core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["distributor_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["hospital_org_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["listed_product.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shipment_line_id"],
            ["shipment_line.id"],
        ),
        sa.ForeignKeyConstraint(
            ["supplier_org_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("order_acceptance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_acceptance_distributor_org_id"),
            ["distributor_org_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_acceptance_hospital_org_id"), ["hospital_org_id"], unique=False
        )
        batch_op.create_index(
            "ix_order_acceptance_month",
            ["month", "hospital_org_id", "supplier_org_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_order_acceptance_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_acceptance_shipment_line_id"), ["shipment_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_acceptance_supplier_org_id"), ["supplier_org_id"], unique=False
        )


def downgrade() -> None:
    """Drop the order tables."""
    op.drop_table("order_acceptance")
    op.drop_table("shipment_line")
    op.drop_table("order_line")
    op.drop_table("shipment")
    op.drop_table("purchase_order")
