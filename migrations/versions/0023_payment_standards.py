"""paystd and pricewatch: payment standards (医保支付标准) and price monitoring (医药价格监测)

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.types import UTCDateTime

revision = "0023"
down_revision = "0021"
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Payment-standard versions and lines; monitoring policy, observations, runs, alerts,
    follow-ups, other provinces' prices and the deep-monitoring list."""
    op.create_table('pricewatch_observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', S(length=12), nullable=False),
    sa.Column('source', S(length=12), nullable=False),
    sa.Column('ref', S(length=60), nullable=False),
    sa.Column('product_key', S(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('hospital_org_id', sa.Integer(), nullable=True),
    sa.Column('supplier_org_id', sa.Integer(), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('price_e4', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['hospital_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'ref', name='uq_pricewatch_observation_ref')
    )
    op.create_index('ix_pricewatch_observation_scan', 'pricewatch_observation', ['region_code', 'source', 'observed_on', 'product_key'], unique=False)
    op.create_table('pricewatch_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', S(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rules_json', sa.Text(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=False),
    sa.Column('set_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['set_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('region_code', 'version', name='uq_pricewatch_policy_version')
    )
    op.create_index(op.f('ix_pricewatch_policy_region_code'), 'pricewatch_policy', ['region_code'], unique=False)
    op.create_table('pricewatch_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', S(length=12), nullable=False),
    sa.Column('period', S(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('deep', sa.Boolean(), nullable=False),
    sa.Column('started_by', sa.Integer(), nullable=True),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('collected', sa.Integer(), nullable=False),
    sa.Column('raised', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['started_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pricewatch_run_region_code'), 'pricewatch_run', ['region_code'], unique=False)
    op.create_table('paystd_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', S(length=12), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rules_json', sa.Text(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', S(length=12), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('proposed_at', UTCDateTime(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['proposed_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('batch_id', 'version', name='uq_paystd_version')
    )
    op.create_index(op.f('ix_paystd_version_batch_id'), 'paystd_version', ['batch_id'], unique=False)
    op.create_index(op.f('ix_paystd_version_region_code'), 'paystd_version', ['region_code'], unique=False)
    op.create_index(op.f('ix_paystd_version_status'), 'paystd_version', ['status'], unique=False)
    op.create_table('pricewatch_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', S(length=12), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('rule', S(length=20), nullable=False),
    sa.Column('severity', S(length=10), nullable=False),
    sa.Column('period', S(length=10), nullable=False),
    sa.Column('fingerprint', S(length=64), nullable=False),
    sa.Column('product_key', S(length=40), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('hospital_org_id', sa.Integer(), nullable=True),
    sa.Column('supplier_org_id', sa.Integer(), nullable=True),
    sa.Column('evidence_json', sa.Text(), nullable=False),
    sa.Column('status', S(length=10), nullable=False),
    sa.Column('raised_at', UTCDateTime(), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('close_note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['closed_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['hospital_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['listed_product.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['pricewatch_run.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('region_code', 'fingerprint', name='uq_pricewatch_alert_fingerprint')
    )
    op.create_index(op.f('ix_pricewatch_alert_region_code'), 'pricewatch_alert', ['region_code'], unique=False)
    op.create_index(op.f('ix_pricewatch_alert_run_id'), 'pricewatch_alert', ['run_id'], unique=False)
    op.create_index(op.f('ix_pricewatch_alert_status'), 'pricewatch_alert', ['status'], unique=False)
    op.create_table('pricewatch_province_price',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', S(length=12), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('province', S(length=40), nullable=False),
    sa.Column('price_e4', sa.BigInteger(), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('source', S(length=200), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=False),
    sa.Column('entered_at', UTCDateTime(), nullable=False),
    sa.Column('status', S(length=10), nullable=False),
    sa.Column('withdrawn_by', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
    sa.Column('withdrawn_reason', S(length=200), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['listed_product.id'], ),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pricewatch_province_price_product_id'), 'pricewatch_province_price', ['product_id'], unique=False)
    op.create_index(op.f('ix_pricewatch_province_price_region_code'), 'pricewatch_province_price', ['region_code'], unique=False)
    op.create_table('pricewatch_watched',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', S(length=12), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('reason', S(length=200), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('added_at', UTCDateTime(), nullable=False),
    sa.Column('removed_by', sa.Integer(), nullable=True),
    sa.Column('removed_at', UTCDateTime(), nullable=True),
    sa.Column('removed_reason', S(length=200), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['product_id'], ['listed_product.id'], ),
    sa.ForeignKeyConstraint(['removed_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pricewatch_watched_product_id'), 'pricewatch_watched', ['product_id'], unique=False)
    op.create_index(op.f('ix_pricewatch_watched_region_code'), 'pricewatch_watched', ['region_code'], unique=False)
    op.create_table('paystd_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=True),
    sa.Column('standard_e4', sa.BigInteger(), nullable=False),
    sa.Column('selected_min_e4', sa.BigInteger(), nullable=False),
    sa.Column('selected_max_e4', sa.BigInteger(), nullable=False),
    sa.Column('winners', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['paystd_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'item_id', 'supplier_org_id', name='uq_paystd_line')
    )
    op.create_index(op.f('ix_paystd_line_item_id'), 'paystd_line', ['item_id'], unique=False)
    op.create_index(op.f('ix_paystd_line_version_id'), 'paystd_line', ['version_id'], unique=False)
    op.create_table('pricewatch_followup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('kind', S(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('breach_id', sa.Integer(), nullable=True),
    sa.Column('by', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['pricewatch_alert.id'], ),
    sa.ForeignKeyConstraint(['breach_id'], ['credit_breach.id'], ),
    sa.ForeignKeyConstraint(['by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pricewatch_followup_alert_id'), 'pricewatch_followup', ['alert_id'], unique=False)


def downgrade() -> None:
    """Drop the tables, children first."""
    op.drop_table("pricewatch_followup")
    op.drop_table("paystd_line")
    op.drop_table("pricewatch_watched")
    op.drop_table("pricewatch_province_price")
    op.drop_table("pricewatch_alert")
    op.drop_table("paystd_version")
    op.drop_table("pricewatch_run")
    op.drop_table("pricewatch_policy")
    op.drop_table("pricewatch_observation")
