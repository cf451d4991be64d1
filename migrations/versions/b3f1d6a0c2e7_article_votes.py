"""Article votes: one "helpful" or "not helpful" per signed-in reader and article

Signed-in readers (portal customers, staff at /kb) vote once per article and may change their
mind; the article's helpful and unhelpful counters keep adding up every vote, as before.

Revision ID: b3f1d6a0c2e7
Revises: f3b9d6a2c718
Create Date: 2026-12-07 19:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "b3f1d6a0c2e7"
down_revision = "f3b9d6a2c718"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "article_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("voted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_votes_article_id_articles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_article_votes_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_votes")),
        sa.UniqueConstraint("article_id", "user_id", name="uq_article_votes_article_user"),
    )
    op.create_index(op.f("ix_article_votes_user_id"), "article_votes", ["user_id"])


def downgrade():
    op.drop_index("ix_article_votes_user_id", table_name="article_votes")
    op.drop_table("article_votes")
