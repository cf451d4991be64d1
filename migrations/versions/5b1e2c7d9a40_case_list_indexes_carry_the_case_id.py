"""Case list indexes carry the case id on PostgreSQL

A list page picks its page of case ids from the index that fits its view and order. SQLite's
indexes hold the row id already; PostgreSQL's did not, so it read the table row of every case
it skipped (2,450 of them for page 50 of Closed) just to learn its id. With the id included in
the index the page ids come from the index alone (an index-only scan).

Revision ID: 5b1e2c7d9a40
Revises: 839b4c312317
Create Date: 2026-12-01 21:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = "5b1e2c7d9a40"
down_revision = "839b4c312317"
branch_labels = None
depends_on = None

OPEN = sa.text("status <> 'Closed'")
# name: (columns, partial on open cases)
INDEXES = {
    "ix_cases_status_updated": (["status", "updated_at", "number"], False),
    "ix_cases_open_updated": (["updated_at", "number"], True),
    "ix_cases_owner_open_updated": (["owner_id", "updated_at", "number"], True),
    "ix_cases_open_priority_created": (["priority", "created_at", "number"], True),
}


def _rebuild(include: list[str]) -> None:
    for name, (columns, partial) in INDEXES.items():
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", columns, postgresql_include=include,
                        postgresql_where=OPEN if partial else None)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(["id"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _rebuild([])
