"""execution batches: published results put into effect, contract years, renewal links, demand floors

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types
from core.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

AUTO = sqlmodel.sql.sqltypes.AutoString


def _result_tables() -> None:
    """A published result's versions, items, winners and local allocation."""
    op.create_table(
        "result_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", AUTO(length=12), nullable=False),
        sa.Column("document_no", AUTO(length=100), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("cycle_start", sa.Date(), nullable=False),
        sa.Column("cycle_years", sa.Integer(), nullable=False),
        sa.Column("filename", AUTO(length=255), nullable=False),
        sa.Column("file_format", AUTO(length=8), nullable=False),
        sa.Column("sha256", AUTO(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "version", name="uq_result_version"),
    )
    op.create_index("ix_result_version_batch_id", "result_version", ["batch_id"])
    op.create_table(
        "result_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("batch_item_id", sa.Integer(), nullable=False),
        sa.Column("rep_spec", AUTO(length=60), nullable=False),
        sa.Column("agreed_ratio", core.types.DecimalText(length=40), nullable=True),
        sa.Column("previous_price_e4", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_item_id"], ["batch_item.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["result_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "batch_item_id", name="uq_result_item"),
    )
    op.create_index("ix_result_item_version_id", "result_item", ["version_id"])
    op.create_table(
        "result_winner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("batch_item_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("strength", core.types.DecimalText(length=40), nullable=True),
        sa.Column("units_per_pack", sa.Integer(), nullable=False),
        sa.Column("pack_spec", AUTO(length=60), nullable=False),
        sa.Column("pack_price_e4", sa.Integer(), nullable=False),
        sa.Column("ucp_e4", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_item_id"], ["batch_item.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["result_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "batch_item_id", "supplier_org_id", name="uq_result_winner"),
    )
    op.create_index("ix_result_winner_version_id", "result_winner", ["version_id"])
    op.create_index("ix_result_winner_supplier_org_id", "result_winner", ["supplier_org_id"])
    op.create_table(
        "result_supply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("batch_item_id", sa.Integer(), nullable=False),
        sa.Column("region_code", AUTO(length=12), nullable=False),
        sa.Column("primary_supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("backup_supplier_org_id", sa.Integer(), nullable=True),
        sa.Column("by_rule", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["backup_supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["batch_item_id"], ["batch_item.id"]),
        sa.ForeignKeyConstraint(["primary_supplier_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["region_code"], ["region.code"]),
        sa.ForeignKeyConstraint(["version_id"], ["result_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "batch_item_id", "region_code", name="uq_result_supply"),
    )
    op.create_index("ix_result_supply_version_id", "result_supply", ["version_id"])


def _cycle_tables() -> None:
    """Contract years and the demand floors of renewal batches."""
    op.create_table(
        "contract_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("year_no", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("agreed_volume", sa.BigInteger(), nullable=False),
        sa.Column("status", AUTO(length=16), nullable=False),
        sa.Column("last_actual", sa.BigInteger(), nullable=True),
        sa.Column("floor_volume", sa.BigInteger(), nullable=True),
        sa.Column("proposed_volume", sa.BigInteger(), nullable=True),
        sa.Column("hospital_volume", sa.BigInteger(), nullable=True),
        sa.Column("hospital_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["answered_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["approved_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["opened_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "year_no", name="uq_contract_year"),
    )
    for column in ("contract_id", "batch_id", "status"):
        op.create_index(f"ix_contract_year_{column}", "contract_year", [column])
    op.create_table(
        "demand_floor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("batch_item_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("floor_volume", sa.BigInteger(), nullable=False),
        sa.Column("source_contract_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["batch_item_id"], ["batch_item.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["source_contract_id"], ["contract.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "batch_item_id", "hospital_org_id", name="uq_demand_floor"),
    )
    op.create_index("ix_demand_floor_batch_id", "demand_floor", ["batch_id"])


def upgrade() -> None:
    """The procedure and renewal link of a batch; no maximum price for executed results; the
    result tables; contracts and publicity from a result version; the period rule on contracts;
    contract years; renewal demand floors."""
    with op.batch_alter_table("batch") as batch_op:
        batch_op.add_column(sa.Column("procedure", AUTO(length=12), nullable=False, server_default="tender"))
        batch_op.add_column(sa.Column("renewal_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_batch_renewal_of_id_batch", "batch", ["renewal_of_id"], ["id"])
    with op.batch_alter_table("batch_item") as batch_op:
        batch_op.alter_column("max_valid_price_e4", existing_type=sa.Integer(), nullable=True)
    _result_tables()
    with op.batch_alter_table("publicity") as batch_op:
        batch_op.alter_column("evaluation_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("result_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_publicity_result_version_id", "result_version", ["result_version_id"], ["id"])
    with op.batch_alter_table("contract") as batch_op:
        batch_op.alter_column("evaluation_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("result_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("period_basis", AUTO(length=12), nullable=False, server_default="cycle_end"))
        batch_op.add_column(sa.Column("winner_count", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_contract_result_version_id", "result_version", ["result_version_id"], ["id"])
    _cycle_tables()


def downgrade() -> None:
    """Drop what the upgrade added (executed-result batches and contract years are lost)."""
    op.drop_index("ix_demand_floor_batch_id", table_name="demand_floor")
    op.drop_table("demand_floor")
    for column in ("contract_id", "batch_id", "status"):
        op.drop_index(f"ix_contract_year_{column}", table_name="contract_year")
    op.drop_table("contract_year")
    with op.batch_alter_table("contract") as batch_op:
        batch_op.drop_constraint("fk_contract_result_version_id", type_="foreignkey")
        batch_op.drop_column("winner_count")
        batch_op.drop_column("period_basis")
        batch_op.drop_column("result_version_id")
        batch_op.alter_column("evaluation_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("publicity") as batch_op:
        batch_op.drop_constraint("fk_publicity_result_version_id", type_="foreignkey")
        batch_op.drop_column("result_version_id")
        batch_op.alter_column("evaluation_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_result_supply_version_id", table_name="result_supply")
    op.drop_table("result_supply")
    op.drop_index("ix_result_winner_supplier_org_id", table_name="result_winner")
    op.drop_index("ix_result_winner_version_id", table_name="result_winner")
    op.drop_table("result_winner")
    op.drop_index("ix_result_item_version_id", table_name="result_item")
    op.drop_table("result_item")
    op.drop_index("ix_result_version_batch_id", table_name="result_version")
    op.drop_table("result_version")
    with op.batch_alter_table("batch_item") as batch_op:
        batch_op.alter_column("max_valid_price_e4", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("batch") as batch_op:
        batch_op.drop_constraint("fk_batch_renewal_of_id_batch", type_="foreignkey")
        batch_op.drop_column("renewal_of_id")
        batch_op.drop_column("procedure")
