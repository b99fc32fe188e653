"""supply guarantee and credit (issue 19): supply problems, escalations, takeovers and their
lines; breaches, ratings, repairs and the regions' credit policies; contracts gain ``origin``
(award | T<takeover>) so a takeover adds a second contract per hospital × item

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-02 17:17:09
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The new tables; the contract's origin and its widened uniqueness."""
    op.create_table('credit_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rules_json', sa.Text(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=False),
    sa.Column('set_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('region_code', 'version', name='uq_credit_policy_version')
    )
    with op.batch_alter_table('credit_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_policy_region_code'), ['region_code'], unique=False)

    op.create_table('credit_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('grade', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('consequence', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('basis_json', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('proposed_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['proposed_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('credit_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_rating_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_rating_supplier_org_id'), ['supplier_org_id'], unique=False)

    op.create_table('credit_repair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('applied_by', sa.Integer(), nullable=False),
    sa.Column('applied_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['applied_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['rating_id'], ['credit_rating.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('credit_repair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_repair_rating_id'), ['rating_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_repair_supplier_org_id'), ['supplier_org_id'], unique=False)

    op.create_table('supply_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('hospital_org_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('ordered_qty', sa.Integer(), nullable=True),
    sa.Column('received_qty', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('evidence_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('evidence', sa.LargeBinary(), nullable=True),
    sa.Column('reported_by', sa.Integer(), nullable=False),
    sa.Column('reported_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer_due_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('recovery_on', sa.Date(), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], ),
    sa.ForeignKeyConstraint(['contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['hospital_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['reported_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supply_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supply_problem_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_problem_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_problem_hospital_org_id'), ['hospital_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_problem_supplier_org_id'), ['supplier_org_id'], unique=False)

    op.create_table('supply_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['supply_problem.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('problem_id', 'step', name='uq_supply_escalation_step')
    )
    with op.batch_alter_table('supply_escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supply_escalation_problem_id'), ['problem_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_escalation_supplier_org_id'), ['supplier_org_id'], unique=False)

    op.create_table('supply_takeover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('batch_item_id', sa.Integer(), nullable=False),
    sa.Column('failed_org_id', sa.Integer(), nullable=False),
    sa.Column('taker_org_id', sa.Integer(), nullable=False),
    sa.Column('taker_basis', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('price_rule', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('proposed_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.Column('restored_on', sa.Date(), nullable=True),
    sa.Column('restored_by', sa.Integer(), nullable=True),
    sa.Column('restored_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], ),
    sa.ForeignKeyConstraint(['batch_item_id'], ['batch_item.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['failed_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['problem_id'], ['supply_problem.id'], ),
    sa.ForeignKeyConstraint(['proposed_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['restored_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['taker_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('supply_takeover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supply_takeover_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_takeover_batch_item_id'), ['batch_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_takeover_failed_org_id'), ['failed_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_takeover_taker_org_id'), ['taker_org_id'], unique=False)

    op.create_table('credit_breach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('supplier_org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('evidence_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('evidence', sa.LargeBinary(), nullable=True),
    sa.Column('takeover_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('statement_due_at', core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.Column('stated_by', sa.Integer(), nullable=True),
    sa.Column('stated_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('decision_note', sa.Text(), server_default='', nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['stated_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['supplier_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['takeover_id'], ['supply_takeover.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('credit_breach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_breach_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_breach_supplier_org_id'), ['supplier_org_id'], unique=False)

    op.create_table('supply_takeover_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('takeover_id', sa.Integer(), nullable=False),
    sa.Column('old_contract_id', sa.Integer(), nullable=False),
    sa.Column('new_contract_id', sa.Integer(), nullable=True),
    sa.Column('hospital_org_id', sa.Integer(), nullable=False),
    sa.Column('moved_volume', sa.Integer(), nullable=False),
    sa.Column('returned_volume', sa.Integer(), nullable=False),
    sa.Column('failed_ucp_e4', sa.Integer(), nullable=False),
    sa.Column('taker_ucp_e4', sa.Integer(), nullable=False),
    sa.Column('contract_ucp_e4', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hospital_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['new_contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['old_contract_id'], ['contract.id'], ),
    sa.ForeignKeyConstraint(['takeover_id'], ['supply_takeover.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('takeover_id', 'old_contract_id', name='uq_supply_takeover_line')
    )
    with op.batch_alter_table('supply_takeover_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supply_takeover_line_hospital_org_id'), ['hospital_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_takeover_line_new_contract_id'), ['new_contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_takeover_line_old_contract_id'), ['old_contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_takeover_line_takeover_id'), ['takeover_id'], unique=False)

    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=20), server_default='award', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_contract_item_hospital'), type_='unique')
        batch_op.create_unique_constraint('uq_contract_item_hospital_origin', ['batch_item_id', 'hospital_org_id', 'origin'])



def downgrade() -> None:
    """Back to one contract per hospital × item; drop the new tables. Refused while takeover
    contracts exist: deliveries and payments stand on them, and nothing is ever deleted."""
    if op.get_bind().execute(sa.text("SELECT COUNT(*) FROM contract WHERE origin != 'award'")).scalar():
        raise RuntimeError("takeover contracts exist: revision 0018 cannot be downgraded without losing them")
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint('uq_contract_item_hospital_origin', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_contract_item_hospital'), ['batch_item_id', 'hospital_org_id'])
        batch_op.drop_column('origin')

    with op.batch_alter_table('supply_takeover_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supply_takeover_line_takeover_id'))
        batch_op.drop_index(batch_op.f('ix_supply_takeover_line_old_contract_id'))
        batch_op.drop_index(batch_op.f('ix_supply_takeover_line_new_contract_id'))
        batch_op.drop_index(batch_op.f('ix_supply_takeover_line_hospital_org_id'))

    op.drop_table('supply_takeover_line')
    with op.batch_alter_table('credit_breach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_breach_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_credit_breach_region_code'))

    op.drop_table('credit_breach')
    with op.batch_alter_table('supply_takeover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supply_takeover_taker_org_id'))
        batch_op.drop_index(batch_op.f('ix_supply_takeover_failed_org_id'))
        batch_op.drop_index(batch_op.f('ix_supply_takeover_batch_item_id'))
        batch_op.drop_index(batch_op.f('ix_supply_takeover_batch_id'))

    op.drop_table('supply_takeover')
    with op.batch_alter_table('supply_escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supply_escalation_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_supply_escalation_problem_id'))

    op.drop_table('supply_escalation')
    with op.batch_alter_table('supply_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supply_problem_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_supply_problem_hospital_org_id'))
        batch_op.drop_index(batch_op.f('ix_supply_problem_contract_id'))
        batch_op.drop_index(batch_op.f('ix_supply_problem_batch_id'))

    op.drop_table('supply_problem')
    with op.batch_alter_table('credit_repair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_repair_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_credit_repair_rating_id'))

    op.drop_table('credit_repair')
    with op.batch_alter_table('credit_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_rating_supplier_org_id'))
        batch_op.drop_index(batch_op.f('ix_credit_rating_region_code'))

    op.drop_table('credit_rating')
    with op.batch_alter_table('credit_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_policy_region_code'))

    op.drop_table('credit_policy')
