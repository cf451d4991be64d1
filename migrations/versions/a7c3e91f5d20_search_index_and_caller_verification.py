"""Search index, search columns and caller verification

Global search finds people by their folded name and phone digits, and everything else
through the database's own full-text engine: a search_documents table searched through an
FTS5 table (SQLite) or a GIN index over its tsvector (PostgreSQL). Verifications record how
a caller proved who they were; a case remembers the one it was opened with. The new columns
and the index are filled from the existing rows.

Revision ID: a7c3e91f5d20
Revises: 5b1e2c7d9a40
Create Date: 2026-12-07 16:30:00.000000
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "a7c3e91f5d20"
down_revision = "5b1e2c7d9a40"
branch_labels = None
depends_on = None

PG_DOCUMENT = ("setweight(to_tsvector('simple', title), 'A') || "
               "setweight(to_tsvector('simple', body), 'B')")
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
BACKFILL = (
    "INSERT INTO search_documents (kind, ref_id, case_id, account_id, title, body) "
    "SELECT 'case', id, id, account_id, subject, coalesce(description, '') FROM cases",
    "INSERT INTO search_documents (kind, ref_id, case_id, account_id, title, body) "
    "SELECT 'feed', id, case_id, NULL, '', body FROM feed_items "
    "WHERE kind IN ('post', 'email') AND body <> ''",
    "INSERT INTO search_documents (kind, ref_id, case_id, account_id, title, body) "
    "SELECT 'account', id, NULL, id, name, coalesce(support_notes, '') FROM accounts",
)


def fold(text):
    """As app.services.search_index.fold (copied: a migration must not change with the app)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def digits_of(text):
    return "".join(ch for ch in (text or "") if ch.isdigit() and ch.isascii())


def _backfill_search_columns(conn) -> None:
    for table, has_phone in (("accounts", True), ("contacts", True), ("users", False)):
        columns = "id, name, phone" if has_phone else "id, name"
        rows = conn.execute(sa.text(f"SELECT {columns} FROM {table}")).all()
        for row in rows:
            values = {"id": row[0], "name": fold(row[1])}
            sets = "search_name = :name"
            if has_phone:
                values["digits"] = digits_of(row[2])
                sets += ", phone_digits = :digits"
            conn.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"), values)


def upgrade():
    for table, size in (("accounts", 200), ("contacts", 200)):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("search_name", sa.String(size), nullable=False,
                                          server_default=""))
            batch_op.add_column(sa.Column("phone_digits", sa.String(40), nullable=False,
                                          server_default=""))
            batch_op.create_index(f"ix_{table}_phone_digits", ["phone_digits"])
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("search_name", sa.String(120), nullable=False,
                                      server_default=""))

    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE",
                                name="fk_verifications_account_id_accounts"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE",
                                name="fk_verifications_contact_id_contacts"),
        sa.ForeignKeyConstraint(["verified_by_id"], ["users.id"], ondelete="SET NULL",
                                name="fk_verifications_verified_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_verifications"),
    )
    op.create_index("ix_verifications_account_created", "verifications",
                    ["account_id", "created_at"])
    op.create_index("ix_verifications_contact_created", "verifications",
                    ["contact_id", "created_at"])
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("verification_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_cases_verification_id_verifications", "verifications",
                                    ["verification_id"], ["id"])

    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_documents"),
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_documents_kind_ref"),
    )
    op.create_index("ix_search_documents_case", "search_documents", ["case_id"])
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_search_documents_tsv ON search_documents "
                   f"USING gin (({PG_DOCUMENT}))")
    else:
        for statement in SQLITE_DDL:
            op.execute(statement)
    for statement in BACKFILL:
        op.execute(statement)
    _backfill_search_columns(conn)
    if conn.dialect.name == "sqlite":
        # Rebuilding cases for its new column dropped the table's statistics; without them
        # SQLite no longer picks the case lists' indexes (a list took 23 ms instead of 0.5).
        op.execute("ANALYZE")


def downgrade():
    op.drop_table("search_documents")
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_constraint("fk_cases_verification_id_verifications", type_="foreignkey")
        batch_op.drop_column("verification_id")
    op.drop_table("verifications")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("search_name")
    for table in ("contacts", "accounts"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(f"ix_{table}_phone_digits")
            batch_op.drop_column("phone_digits")
            batch_op.drop_column("search_name")
