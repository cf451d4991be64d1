"""Service contracts, entitlements, processes, business hours and case milestones

Cases gain the entitlement they were opened under (or the reason there was none). On SQLite
the new foreign key goes inline with ADD COLUMN, so the cases table and its partial list
indexes are not rebuilt.

Revision ID: 7af0fb84a1a9
Revises: 18178426ea74
Create Date: 2026-12-07 16:05:00.550420
"""
import sqlalchemy as sa
from alembic import op

revision = '7af0fb84a1a9'
down_revision = '18178426ea74'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('business_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_calendars')),
    sa.UniqueConstraint('name', name=op.f('uq_business_calendars_name'))
    )
    op.create_table('entitlement_processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement_processes')),
    sa.UniqueConstraint('name', name=op.f('uq_entitlement_processes_name'))
    )
    op.create_table('business_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('yearly', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['business_calendars.id'], name=op.f('fk_business_holidays_calendar_id_business_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_holidays'))
    )
    with op.batch_alter_table('business_holidays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_holidays_calendar_id'), ['calendar_id'], unique=False)

    op.create_table('business_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['business_calendars.id'], name=op.f('fk_business_windows_calendar_id_business_calendars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_windows'))
    )
    with op.batch_alter_table('business_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_windows_calendar_id'), ['calendar_id'], unique=False)

    op.create_table('entitlement_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('term_days', sa.Integer(), nullable=False),
    sa.Column('allowance', sa.Integer(), nullable=True),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['entitlement_processes.id'], name=op.f('fk_entitlement_templates_process_id_entitlement_processes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_entitlement_templates_name'))
    )
    op.create_table('process_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('minutes_low', sa.Integer(), nullable=False),
    sa.Column('minutes_medium', sa.Integer(), nullable=False),
    sa.Column('minutes_high', sa.Integer(), nullable=False),
    sa.Column('minutes_critical', sa.Integer(), nullable=False),
    sa.Column('pause_statuses', sa.JSON(), nullable=False),
    sa.Column('warn_percent', sa.Integer(), nullable=True),
    sa.Column('warn_recipients', sa.JSON(), nullable=True),
    sa.Column('violation_recipients', sa.JSON(), nullable=True),
    sa.Column('violation_status', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['business_calendars.id'], name=op.f('fk_process_milestones_calendar_id_business_calendars')),
    sa.ForeignKeyConstraint(['process_id'], ['entitlement_processes.id'], name=op.f('fk_process_milestones_process_id_entitlement_processes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_milestones'))
    )
    with op.batch_alter_table('process_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_milestones_calendar_id'), ['calendar_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_milestones_process_id'), ['process_id'], unique=False)

    op.create_table('service_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('renewed_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_service_contracts_account_id_accounts')),
    sa.ForeignKeyConstraint(['renewed_from_id'], ['service_contracts.id'], name=op.f('fk_service_contracts_renewed_from_id_service_contracts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_contracts')),
    sa.UniqueConstraint('number', name=op.f('uq_service_contracts_number'))
    )
    with op.batch_alter_table('service_contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_contracts_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_contracts_end_date'), ['end_date'], unique=False)

    op.create_table('contract_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_contract_lines_asset_id_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contract_id'], ['service_contracts.id'], name=op.f('fk_contract_lines_contract_id_service_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_contract_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_lines'))
    )
    with op.batch_alter_table('contract_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_lines_contract_id'), ['contract_id'], unique=False)

    op.create_table('entitlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('contract_line_id', sa.Integer(), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('allowance', sa.Integer(), nullable=True),
    sa.Column('remaining', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_entitlements_account_id_accounts')),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_entitlements_asset_id_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contract_line_id'], ['contract_lines.id'], name=op.f('fk_entitlements_contract_line_id_contract_lines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['process_id'], ['entitlement_processes.id'], name=op.f('fk_entitlements_process_id_entitlement_processes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['entitlement_templates.id'], name=op.f('fk_entitlements_template_id_entitlement_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlements'))
    )
    with op.batch_alter_table('entitlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entitlements_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entitlements_contract_line_id'), ['contract_line_id'], unique=False)

    op.create_table('case_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('target_minutes', sa.Integer(), nullable=False),
    sa.Column('target_at', sa.DateTime(), nullable=True),
    sa.Column('warn_at', sa.DateTime(), nullable=True),
    sa.Column('paused_since', sa.DateTime(), nullable=True),
    sa.Column('paused_minutes', sa.Float(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('warned_at', sa.DateTime(), nullable=True),
    sa.Column('violated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_milestones_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['process_milestones.id'], name=op.f('fk_case_milestones_milestone_id_process_milestones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_milestones')),
    sa.UniqueConstraint('case_id', 'milestone_id', name=op.f('uq_case_milestones_case_id_milestone_id'))
    )
    with op.batch_alter_table('case_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_milestones_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_milestones_due_target', ['target_at'], unique=False, sqlite_where=sa.text('violated_at IS NULL AND completed_at IS NULL'), postgresql_where=sa.text('violated_at IS NULL AND completed_at IS NULL'))
        batch_op.create_index('ix_case_milestones_due_warn', ['warn_at'], unique=False, sqlite_where=sa.text('warned_at IS NULL AND completed_at IS NULL'), postgresql_where=sa.text('warned_at IS NULL AND completed_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_case_milestones_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('entitlement_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entitlement_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_entitlement_uses_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entitlement_id'], ['entitlements.id'], name=op.f('fk_entitlement_uses_entitlement_id_entitlements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement_uses')),
    sa.UniqueConstraint('case_id', name=op.f('uq_entitlement_uses_case_id'))
    )
    with op.batch_alter_table('entitlement_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entitlement_uses_entitlement_id'), ['entitlement_id'], unique=False)

    fk_name = 'fk_cases_entitlement_id_entitlements'
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE cases ADD COLUMN entitlement_id INTEGER CONSTRAINT {fk_name} '
                   'REFERENCES entitlements (id)')
    else:
        op.add_column('cases', sa.Column('entitlement_id', sa.Integer(), nullable=True))
        op.create_foreign_key(fk_name, 'cases', 'entitlements', ['entitlement_id'], ['id'])
    op.add_column('cases', sa.Column('no_entitlement_reason', sa.Text(), nullable=False,
                                     server_default=''))
    op.create_index('ix_cases_entitlement_id', 'cases', ['entitlement_id'], unique=False)


def downgrade():
    op.drop_index('ix_cases_entitlement_id', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':
            batch_op.drop_constraint('fk_cases_entitlement_id_entitlements', type_='foreignkey')
        batch_op.drop_column('no_entitlement_reason')
        batch_op.drop_column('entitlement_id')

    with op.batch_alter_table('entitlement_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entitlement_uses_entitlement_id'))

    op.drop_table('entitlement_uses')
    with op.batch_alter_table('case_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_milestones_milestone_id'))
        batch_op.drop_index('ix_case_milestones_due_warn', sqlite_where=sa.text('warned_at IS NULL AND completed_at IS NULL'), postgresql_where=sa.text('warned_at IS NULL AND completed_at IS NULL'))
        batch_op.drop_index('ix_case_milestones_due_target', sqlite_where=sa.text('violated_at IS NULL AND completed_at IS NULL'), postgresql_where=sa.text('violated_at IS NULL AND completed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_case_milestones_case_id'))

    op.drop_table('case_milestones')
    with op.batch_alter_table('entitlements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entitlements_contract_line_id'))
        batch_op.drop_index(batch_op.f('ix_entitlements_account_id'))

    op.drop_table('entitlements')
    with op.batch_alter_table('contract_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_lines_contract_id'))

    op.drop_table('contract_lines')
    with op.batch_alter_table('service_contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_contracts_end_date'))
        batch_op.drop_index(batch_op.f('ix_service_contracts_account_id'))

    op.drop_table('service_contracts')
    with op.batch_alter_table('process_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_milestones_process_id'))
        batch_op.drop_index(batch_op.f('ix_process_milestones_calendar_id'))

    op.drop_table('process_milestones')
    op.drop_table('entitlement_templates')
    with op.batch_alter_table('business_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_windows_calendar_id'))

    op.drop_table('business_windows')
    with op.batch_alter_table('business_holidays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_holidays_calendar_id'))

    op.drop_table('business_holidays')
    op.drop_table('entitlement_processes')
    op.drop_table('business_calendars')
