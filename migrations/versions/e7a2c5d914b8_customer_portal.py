"""Customer portal: account admins among contacts, and what an emailed password link is for

A contact marked portal_account_admin sees every case of their account in the portal.
Invitations gain a purpose: "invitation" (a first password, staff or portal) or "reset"
(the portal's "forgot password" link); both are one-use and stored as token hashes.

Revision ID: e7a2c5d914b8
Revises: 8e501700c660
Create Date: 2026-12-07 19:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "e7a2c5d914b8"
down_revision = "8e501700c660"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN, not batch mode: a batch copy of contacts on SQLite would lose its
# lower(name) and lower(email) expression indexes.
def upgrade():
    op.add_column("contacts", sa.Column("portal_account_admin", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column("invitations", sa.Column("purpose", sa.String(length=20), nullable=False,
                                           server_default="invitation"))


def downgrade():
    op.drop_column("invitations", "purpose")
    op.drop_column("contacts", "portal_account_admin")
