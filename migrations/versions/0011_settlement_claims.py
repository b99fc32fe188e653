"""settlement claims: a run claims a range of the batch's settlement queue, not one row per line

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 15:00:00

A confirmed line takes a place in its batch's settlement queue (``claim_seq``); a run records
one ``settlement_claim`` row for the range of places it settled, and the database keeps a
batch's claims one chain of disjoint ranges. ``settlement_payable`` (one row per settled line)
goes: lines settled before keep their run as their place (runs in id order form the chain),
confirmed lines not yet settled go above the batch's last claim. ``settlement_share`` drops its
``batch_id`` (the run's) and its foreign keys (see the model). Downgrade writes
the per-line payables back, with the quantity and gross each line had when settled (today's +
what returns since clawed back).
"""

# ruff: noqa: S608 - the SQL is built from constants of this file only

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: runs that settled lines (had payables), per batch in id order
_SETTLING_RUNS = "EXISTS (SELECT 1 FROM settlement_payable p WHERE p.run_id = {run}.id)"


def upgrade() -> None:
    """Places for the lines, one claim per settling run, then the per-line payables go."""
    op.add_column("settlement_acceptance", sa.Column("claim_seq", sa.BigInteger(), nullable=True))
    op.create_index("ix_settlement_acceptance_claim", "settlement_acceptance", ["batch_id", "claim_seq"])
    op.execute("UPDATE settlement_acceptance SET claim_seq = (SELECT p.run_id FROM settlement_payable p"
               " WHERE p.acceptance_id = settlement_acceptance.id AND p.kind = 'delivery')"
               " WHERE id IN (SELECT acceptance_id FROM settlement_payable WHERE kind = 'delivery')")
    op.execute("UPDATE settlement_acceptance SET claim_seq = 1 + COALESCE((SELECT MAX(p.run_id)"
               " FROM settlement_payable p JOIN settlement_acceptance b ON b.id = p.acceptance_id"
               " WHERE b.batch_id = settlement_acceptance.batch_id), 0)"
               " WHERE reconcile_status = 'confirmed' AND claim_seq IS NULL")
    op.create_table(
        "settlement_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("lo", sa.BigInteger(), nullable=True),
        sa.Column("hi", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("lo IS NULL OR hi > lo", name="ck_settlement_claim_range"),
        sa.CheckConstraint("hi > 0", name="ck_settlement_claim_hi"),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.id"]),
        sa.ForeignKeyConstraint(["batch_id", "lo"], ["settlement_claim.batch_id", "settlement_claim.hi"],
                                name="fk_settlement_claim_chain"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "hi", name="uq_settlement_claim_hi"),
        sa.UniqueConstraint("batch_id", "lo", name="uq_settlement_claim_lo"),
        sa.UniqueConstraint("run_id"),
    )
    op.create_index("uq_settlement_claim_first", "settlement_claim", ["batch_id"], unique=True,
                    sqlite_where=sa.text("lo IS NULL"), postgresql_where=sa.text("lo IS NULL"))
    op.execute(
        "INSERT INTO settlement_claim (batch_id, run_id, lo, hi, line_count)"
        " SELECT r.batch_id, r.id, (SELECT MAX(q.id) FROM settlement_run q WHERE q.batch_id = r.batch_id"
        f"  AND q.id < r.id AND {_SETTLING_RUNS.format(run='q')}),"
        " r.id, (SELECT COUNT(*) FROM settlement_payable p WHERE p.run_id = r.id)"
        f" FROM settlement_run r WHERE {_SETTLING_RUNS.format(run='r')} ORDER BY r.id")
    op.drop_index("ix_settlement_payable_run_id", table_name="settlement_payable")
    op.drop_table("settlement_payable")
    _share_keys(drop=True)


#: the share's foreign keys that go (see the model): column → referenced table
_SHARE_FKS = {"batch_id": "batch", "run_id": "settlement_run", "hospital_org_id": "organisation",
              "supplier_org_id": "organisation", "instruction_id": "settlement_instruction"}
#: names for SQLite's unnamed constraints in batch mode (PostgreSQL named them itself)
_NAMES = {"fk": "settlement_share_%(column_0_name)s_fkey"}


def _share_keys(*, drop: bool) -> None:
    """Drop (or restore) the share's batch column and the foreign keys the model no longer has."""
    with op.batch_alter_table("settlement_share", naming_convention=_NAMES) as batch_op:
        for column, table in _SHARE_FKS.items():
            if drop:
                batch_op.drop_constraint(f"settlement_share_{column}_fkey", type_="foreignkey")
            elif column != "batch_id":
                batch_op.create_foreign_key(f"settlement_share_{column}_fkey", table, [column], ["id"])
        if drop:
            batch_op.drop_column("batch_id")
        else:
            batch_op.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
    if not drop:
        op.execute("UPDATE settlement_share SET batch_id = (SELECT r.batch_id FROM settlement_run r"
                   " WHERE r.id = settlement_share.run_id)")
        with op.batch_alter_table("settlement_share", naming_convention=_NAMES) as batch_op:
            batch_op.alter_column("batch_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key("settlement_share_batch_id_fkey", "batch", ["batch_id"], ["id"])


def downgrade() -> None:
    """Per-line payables again, from the claims; the queue places and claims go."""
    _share_keys(drop=False)
    op.create_table(
        "settlement_payable",
        sa.Column("acceptance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("gross_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("acceptance_id", "kind", name="pk_settlement_payable"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_settlement_payable_run_id", "settlement_payable", ["run_id"])
    returned = ("COALESCE((SELECT SUM(r.{col}) FROM settlement_return r WHERE r.acceptance_id = a.id"
                " AND r.clawback_fen > 0), 0)")
    gross = (f"(CAST(a.quantity - a.returned AS BIGINT) * c.ucp_e4 + 50) / 100"
             f" + {returned.format(col='clawback_fen')}")
    op.execute(
        "INSERT INTO settlement_payable (acceptance_id, kind, run_id, quantity, gross_fen)"
        f" SELECT a.id, 'delivery', k.run_id, a.quantity - a.returned + {returned.format(col='quantity')}, {gross}"
        " FROM settlement_acceptance a JOIN contract c ON c.id = a.contract_id"
        " JOIN settlement_claim k ON k.batch_id = a.batch_id AND a.claim_seq > COALESCE(k.lo, 0)"
        "  AND a.claim_seq <= k.hi"
        f" WHERE a.reconcile_status = 'confirmed' AND {gross} > 0")
    op.drop_index("uq_settlement_claim_first", table_name="settlement_claim")
    op.drop_table("settlement_claim")
    op.drop_index("ix_settlement_acceptance_claim", table_name="settlement_acceptance")
    op.drop_column("settlement_acceptance", "claim_seq")  # a referenced table: a plain DROP COLUMN
