"""Form submissions and the rule's "also notify the person who made the change"

A create form carries a one-time token; form_submissions records the token of each saved form
with where it led, so a double click or a browser retry creates one record. Workflow rules
gain notify_actor (off): an alert skips the person whose own change fired it unless asked.

Revision ID: c4d8e2f61a93
Revises: 7af0fb84a1a9
Create Date: 2026-12-07 17:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "c4d8e2f61a93"
down_revision = "7af0fb84a1a9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("result_url", sa.String(length=500), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_form_submissions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
        sa.UniqueConstraint("token", name=op.f("uq_form_submissions_token")),
    )
    op.create_index(op.f("ix_form_submissions_user_id"), "form_submissions", ["user_id"])
    with op.batch_alter_table("workflow_rules") as batch:
        batch.add_column(sa.Column("notify_actor", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("workflow_rules") as batch:
        batch.drop_column("notify_actor")
    op.drop_index("ix_form_submissions_user_id", table_name="form_submissions")
    op.drop_table("form_submissions")
