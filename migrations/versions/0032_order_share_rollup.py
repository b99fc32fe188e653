"""order_share_month: accepted order amounts per hospital × month × kind × VBP class (the bureau's
share figures), order_share_class: the class each product is summed under; acceptances by product

Revision ID: 0032
Revises: 0029
Create Date: 2026-12-04 21:10:00

Existing acceptance rows are summed into the new tables by ``orders.rollup.rebuild`` in the
upgrade itself (plain SQL over the tables).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0032"
down_revision = "0029"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """The two tables, the product index of order_acceptance, and the rollup of existing rows."""
    op.create_table(
        "order_share_month",
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("region_code", S(length=12), nullable=False),
        sa.Column("month", S(length=7), nullable=False),
        sa.Column("kind", S(length=12), nullable=False),
        sa.Column("cls", S(length=14), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("hospital_org_id", "region_code", "month", "kind", "cls"),
    )
    op.create_index("ix_order_share_month_month", "order_share_month", ["month", "region_code"], unique=False)
    op.create_table(
        "order_share_class",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("kind", S(length=12), nullable=False),
        sa.Column("cls", S(length=14), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["listed_product.id"]),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_index("ix_order_acceptance_product", "order_acceptance", ["product_id", "month"], unique=False)
    from sqlmodel import Session  # noqa: PLC0415 - the upgrade's own connection

    from orders import rollup  # noqa: PLC0415

    rollup.rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    """Drop the rollup (the acceptance rows it summed are untouched)."""
    op.drop_index("ix_order_acceptance_product", table_name="order_acceptance")
    op.drop_table("order_share_class")
    op.drop_index("ix_order_share_month_month", table_name="order_share_month")
    op.drop_table("order_share_month")
