"""settlement shares: a run's money per hospital × supplier; narrow per-line payable keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 12:30:00

A run's offsets and instructions are now held per hospital × supplier (``settlement_share``);
``settlement_payable`` keeps, per line, only the payable key, the run, the quantity and the
gross, without per-row foreign-key checks — so that a province's month (600,000 lines) is
written by one ``INSERT … SELECT``.
Existing payables are folded into shares (sums per run × hospital × supplier, exact). Returns
after settlement get their clawback columns (return, share, statement, run).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create shares from the old per-line payables, then narrow the payable table."""
    op.create_table(
        "settlement_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.Column("offset_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("clawback_fen", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("instruction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["instruction_id"], ["settlement_instruction.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "hospital_org_id", "supplier_org_id", name="uq_settlement_share"),
    )
    op.create_index("ix_settlement_share_instruction_id", "settlement_share", ["instruction_id"])
    op.execute(
        "INSERT INTO settlement_share (run_id, batch_id, hospital_org_id, supplier_org_id, gross_fen, offset_fen,"
        " paid_fen, clawback_fen, line_count, instruction_id)"
        " SELECT p.run_id, r.batch_id, p.hospital_org_id, p.supplier_org_id, SUM(p.gross_fen), SUM(p.offset_fen),"
        " SUM(p.paid_fen), 0, COUNT(*), MAX(p.instruction_id)"
        " FROM settlement_payable p JOIN settlement_run r ON r.id = p.run_id"
        " GROUP BY p.run_id, r.batch_id, p.hospital_org_id, p.supplier_org_id")
    op.create_table(
        "settlement_payable_v2",
        sa.Column("acceptance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        # no foreign keys: written only by claim_lines, never deleted (see the model)
        sa.PrimaryKeyConstraint("acceptance_id", "kind", name="pk_settlement_payable"),
        sqlite_with_rowid=False,
    )
    op.execute("INSERT INTO settlement_payable_v2 (acceptance_id, kind, run_id, quantity, gross_fen)"
               " SELECT acceptance_id, kind, run_id, quantity, gross_fen FROM settlement_payable")
    op.drop_table("settlement_payable")
    op.rename_table("settlement_payable_v2", "settlement_payable")
    op.create_index("ix_settlement_payable_run_id", "settlement_payable", ["run_id"])
    # returns after settlement: clawed back in a later run
    for table in ("settlement_run", "settlement_statement"):  # referenced tables: a plain ADD COLUMN
        op.add_column(table, sa.Column("clawback_fen", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("settlement_return") as batch_op:
        batch_op.add_column(sa.Column("clawback_fen", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("clawback_run_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_settlement_return_clawback_run", "settlement_run", ["clawback_run_id"], ["id"])
        batch_op.create_index("ix_settlement_return_clawback_run_id", ["clawback_run_id"])


def downgrade() -> None:
    """Back to per-line payables; a line's offset and instruction come back from its share
    (the share's whole offset on its first line: the sums stay exact). Clawback records go."""
    with op.batch_alter_table("settlement_return") as batch_op:
        batch_op.drop_index("ix_settlement_return_clawback_run_id")
        batch_op.drop_constraint("fk_settlement_return_clawback_run", type_="foreignkey")
        batch_op.drop_column("clawback_run_id")
        batch_op.drop_column("clawback_fen")
    for table in ("settlement_run", "settlement_statement"):
        op.drop_column(table, "clawback_fen")
    op.drop_index("ix_settlement_payable_run_id", table_name="settlement_payable")
    op.rename_table("settlement_payable", "settlement_payable_v2")
    op.create_table(
        "settlement_payable",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acceptance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("hospital_org_id", sa.Integer(), nullable=False),
        sa.Column("supplier_org_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_e4", sa.Integer(), nullable=False),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.Column("offset_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("instruction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["acceptance_id"], ["settlement_acceptance.id"]),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["hospital_org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["instruction_id"], ["settlement_instruction.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.id"]),
        sa.ForeignKeyConstraint(["supplier_org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("acceptance_id", "kind", name="uq_settlement_payable_key"),
    )
    op.execute(
        "INSERT INTO settlement_payable (acceptance_id, kind, run_id, contract_id, hospital_org_id, supplier_org_id,"
        " quantity, price_e4, gross_fen, offset_fen, paid_fen, accepted_on, instruction_id)"
        " SELECT p.acceptance_id, p.kind, p.run_id, a.contract_id, a.hospital_org_id, a.supplier_org_id, p.quantity,"
        " c.ucp_e4, p.gross_fen,"
        " CASE WHEN p.acceptance_id = (SELECT MIN(q.acceptance_id) FROM settlement_payable_v2 q"
        "   JOIN settlement_acceptance b ON b.id = q.acceptance_id WHERE q.run_id = p.run_id"
        "   AND b.hospital_org_id = a.hospital_org_id AND b.supplier_org_id = a.supplier_org_id)"
        "   THEN s.offset_fen ELSE 0 END,"
        " p.gross_fen - CASE WHEN p.acceptance_id = (SELECT MIN(q.acceptance_id) FROM settlement_payable_v2 q"
        "   JOIN settlement_acceptance b ON b.id = q.acceptance_id WHERE q.run_id = p.run_id"
        "   AND b.hospital_org_id = a.hospital_org_id AND b.supplier_org_id = a.supplier_org_id)"
        "   THEN s.offset_fen ELSE 0 END,"
        " a.accepted_on, s.instruction_id"
        " FROM settlement_payable_v2 p JOIN settlement_acceptance a ON a.id = p.acceptance_id"
        " JOIN contract c ON c.id = a.contract_id"
        " JOIN settlement_share s ON s.run_id = p.run_id AND s.hospital_org_id = a.hospital_org_id"
        "  AND s.supplier_org_id = a.supplier_org_id")
    op.drop_table("settlement_payable_v2")
    for column in ("contract_id", "hospital_org_id", "instruction_id", "run_id", "supplier_org_id"):
        op.create_index(f"ix_settlement_payable_{column}", "settlement_payable", [column])
    op.drop_index("ix_settlement_share_instruction_id", table_name="settlement_share")
    op.drop_table("settlement_share")
