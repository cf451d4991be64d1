"""Satisfaction surveys after a case closes, and articles that deflected a portal case

satisfaction_surveys: one question (1-5 and a comment) per closing; a partial unique index
keeps at most one unanswered survey per case. article_deflections: a customer opening a case
in the portal said a suggested article answered their question.

Revision ID: f3b9d6a2c718
Revises: e7a2c5d914b8
Create Date: 2026-12-07 19:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "f3b9d6a2c718"
down_revision = "e7a2c5d914b8"
branch_labels = None
depends_on = None

OPEN = sa.text("answered_at IS NULL")


def upgrade():
    op.create_table(
        "satisfaction_surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_via", sa.String(length=10), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_satisfaction_surveys_account_id_accounts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_satisfaction_surveys_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_satisfaction_surveys_contact_id_contacts"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_surveys")),
    )
    op.create_index("ix_satisfaction_surveys_account_answered", "satisfaction_surveys",
                    ["account_id", "answered_at"])
    op.create_index(op.f("ix_satisfaction_surveys_case_id"), "satisfaction_surveys", ["case_id"])
    op.create_index("uq_satisfaction_surveys_open_case", "satisfaction_surveys", ["case_id"],
                    unique=True, sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_table(
        "article_deflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_deflections_article_id_articles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_article_deflections_contact_id_contacts"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_deflections")),
    )
    op.create_index(op.f("ix_article_deflections_article_id"), "article_deflections",
                    ["article_id"])
    op.create_index(op.f("ix_article_deflections_contact_id"), "article_deflections",
                    ["contact_id"])


def downgrade():
    op.drop_index(op.f("ix_article_deflections_contact_id"), table_name="article_deflections")
    op.drop_index(op.f("ix_article_deflections_article_id"), table_name="article_deflections")
    op.drop_table("article_deflections")
    op.drop_index("uq_satisfaction_surveys_open_case", table_name="satisfaction_surveys")
    op.drop_index(op.f("ix_satisfaction_surveys_case_id"), table_name="satisfaction_surveys")
    op.drop_index("ix_satisfaction_surveys_account_answered", table_name="satisfaction_surveys")
    op.drop_table("satisfaction_surveys")
