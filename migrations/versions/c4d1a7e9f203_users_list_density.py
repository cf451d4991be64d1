"""Users choose their list density

Revision ID: c4d1a7e9f203
Revises: a7c3e91f5d20
Create Date: 2026-12-07 16:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "c4d1a7e9f203"
down_revision = "a7c3e91f5d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("list_density", sa.String(length=16), nullable=False,
                                      server_default="comfortable"))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("list_density")
