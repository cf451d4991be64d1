"""The full-text index's documents: one row per case, post or email, and account.

The text lives here in a plain table on both databases. SQLite searches it through an FTS5
table kept in step by triggers; PostgreSQL through a GIN index over its tsvector. Both are
created with the table (create_all) and by the migration.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# The weighted document PostgreSQL's GIN index holds; queries repeat it to use the index.
PG_DOCUMENT = ("setweight(to_tsvector('simple', title), 'A') || "
               "setweight(to_tsvector('simple', body), 'B')")

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    # Titles weigh four times the body; the rank column (not bm25()) survives subqueries.
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


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_documents_kind_ref"),
        sa.Index("ix_search_documents_case", "case_id"),
        sa.Index("ix_search_documents_tsv", sa.text(f"({PG_DOCUMENT})"),
                 postgresql_using="gin").ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # case, feed, account
    ref_id: Mapped[int]
    case_id: Mapped[int | None]
    account_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")


for _statement in SQLITE_DDL:
    sa.event.listen(SearchDocument.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="sqlite"))
sa.event.listen(SearchDocument.__table__, "before_drop",
                sa.DDL("DROP TABLE IF EXISTS search_fts").execute_if(dialect="sqlite"))
