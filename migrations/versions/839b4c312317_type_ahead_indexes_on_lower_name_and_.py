"""Type-ahead indexes on lower(name) and lower(email)

Account and contact suggestions find names and addresses by their start as a range over
lower(...), which these expression indexes answer without reading the table.

Revision ID: 839b4c312317
Revises: 10424f85ad91
Create Date: 2026-11-25 20:07:29.931681
"""
import sqlalchemy as sa
from alembic import op

revision = "839b4c312317"
down_revision = "10424f85ad91"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_accounts_name_lower", "accounts", [sa.literal_column("lower(name)")])
    op.create_index("ix_contacts_email_lower", "contacts", [sa.literal_column("lower(email)")])
    op.create_index("ix_contacts_name_lower", "contacts", [sa.literal_column("lower(name)")])


def downgrade():
    op.drop_index("ix_contacts_name_lower", table_name="contacts")
    op.drop_index("ix_contacts_email_lower", table_name="contacts")
    op.drop_index("ix_accounts_name_lower", table_name="accounts")
