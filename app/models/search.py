"""The full-text index's documents: one row per case, post or email, account and article
version, and the significant words of each case's subject.

The text lives here in a plain table on both databases. Two families of documents are searched
apart and never together: the desk's (cases, posts and emails, accounts: global search) and
the knowledge base's (article versions). Each family has its own engine index, so a search of
5,000 articles never wades through a million posts: on SQLite an FTS5 table each (search_fts
and knowledge_fts), kept in step by triggers that pick the family by kind; on PostgreSQL a GIN
index over the tsvector, and a partial one over the article documents. All are created with
the table (create_all) and by the migrations.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

ARTICLE_KIND = "article"
# The weighted document PostgreSQL's GIN index holds; queries repeat it to use the index.
PG_DOCUMENT = ("setweight(to_tsvector('simple', title), 'A') || "
               "setweight(to_tsvector('simple', body), 'B')")
ARTICLE_WHERE = f"kind = '{ARTICLE_KIND}'"
# PostgreSQL also stores that document, computed by itself, in the column tsv: ranking reads it
# instead of parsing the text of every match again. Not mapped (SQLite has no tsvector); the
# migrations' comparison leaves it out (app.models.common.include_name).
PG_VECTOR_COLUMN = "tsv"
PG_VECTOR_DDL = (f"ALTER TABLE search_documents ADD COLUMN {PG_VECTOR_COLUMN} tsvector "
                 f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED")


def _fts5_ddl(table: str, when: str) -> tuple[str, ...]:
    """An FTS5 index over the search_documents of one family, and the triggers feeding it."""
    columns = "title, body"
    return (
        f"CREATE VIRTUAL TABLE {table} USING fts5({columns}, content='search_documents', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        # Titles weigh four times the body; the rank column (not bm25()) survives subqueries.
        f"INSERT INTO {table}({table}, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON search_documents WHEN {when.format('new')} "
        f"BEGIN INSERT INTO {table}(rowid, {columns}) VALUES (new.id, new.title, new.body); END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON search_documents WHEN {when.format('old')} "
        f"BEGIN INSERT INTO {table}({table}, rowid, {columns}) "
        "VALUES ('delete', old.id, old.title, old.body); END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON search_documents WHEN {when.format('new')} "
        f"BEGIN INSERT INTO {table}({table}, rowid, {columns}) "
        "VALUES ('delete', old.id, old.title, old.body); "
        f"INSERT INTO {table}(rowid, {columns}) VALUES (new.id, new.title, new.body); END",
    )


SQLITE_DDL = (_fts5_ddl("search_fts", f"{{}}.kind <> '{ARTICLE_KIND}'")
              + _fts5_ddl("knowledge_fts", f"{{}}.kind = '{ARTICLE_KIND}'"))


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_documents_kind_ref"),
        sa.Index("ix_search_documents_case", "case_id"),
        sa.Index("ix_search_documents_tsv", sa.text(f"({PG_DOCUMENT})"),
                 postgresql_using="gin").ddl_if(dialect="postgresql"),
        sa.Index("ix_search_documents_article_tsv", sa.text(f"({PG_DOCUMENT})"),
                 postgresql_using="gin", postgresql_where=sa.text(ARTICLE_WHERE))
        .ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # case, feed, account, article
    ref_id: Mapped[int]
    case_id: Mapped[int | None]
    account_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")


class CaseSubjectWord(db.Model):
    """A significant word of a case's subject: "cases with similar subjects" read these by
    word, newest case first, instead of scanning every subject."""

    __tablename__ = "case_subject_words"
    __table_args__ = (sa.Index("ix_case_subject_words_case", "case_id"),)

    word: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)


for _statement in SQLITE_DDL:
    sa.event.listen(SearchDocument.__table__, "after_create",
                    sa.DDL(_statement).execute_if(dialect="sqlite"))
sa.event.listen(SearchDocument.__table__, "after_create",
                sa.DDL(PG_VECTOR_DDL).execute_if(dialect="postgresql"))
for _table in ("search_fts", "knowledge_fts"):
    sa.event.listen(SearchDocument.__table__, "before_drop",
                    sa.DDL(f"DROP TABLE IF EXISTS {_table}").execute_if(dialect="sqlite"))
