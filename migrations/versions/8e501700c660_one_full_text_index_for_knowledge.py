"""One full-text index for knowledge too, and the words of case subjects

Article versions become documents (kind "article") of the one full-text index,
search_documents, searched apart from the desk's documents: on SQLite through an FTS5 table of
their own (knowledge_fts) fed by triggers that pick documents by kind, on PostgreSQL through a
partial GIN index. Each existing version is indexed here; the knowledge base's own index
(article_versions_fts on SQLite, ix_article_versions_search on PostgreSQL) and the copy of the
text it read (article_versions.search_text) go. case_subject_words holds the significant
words of every case's subject, filled here from the existing cases, so "cases with similar
subjects" read a few index ranges instead of every subject. On PostgreSQL search_documents
gains tsv, the weighted document stored (a generated column), which ranking reads instead of
parsing every match's text again (adding it rewrites the table once: about a minute a million
documents).

Revision ID: 8e501700c660
Revises: c4d8e2f61a93
Create Date: 2026-12-07 19:30:00.000000
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "8e501700c660"
down_revision = "c4d8e2f61a93"
branch_labels = None
depends_on = None

BATCH = 5000
PG_DOCUMENT = ("setweight(to_tsvector('simple', title), 'A') || "
               "setweight(to_tsvector('simple', body), 'B')")
OLD_PG_INDEX = "to_tsvector('simple', translate(search_text, '<>', '  '))"
OLD_SQLITE_FTS = ("CREATE VIRTUAL TABLE article_versions_fts USING fts5(search_text, "
                  "tokenize = 'unicode61 remove_diacritics 2')")
# As app.services.search_index.significant_words (copied: a migration must not change with
# the app).
WORD = re.compile(r"[^\W_]+")
STOP_WORDS = frozenset("""a an and are as at be but by can cannot does for from has have how i
in is it its my no not of on or our please the their there this to was we what when where
which who why will with you your after again all any been before being cant could did do dont
get got help hi hello into just me more need now only out over same so some still than that
them then they too up us very want wants way were would yes issue problem question""".split())

NO_ANGLES = str.maketrans("<>", "  ")
documents = sa.table("search_documents", sa.column("kind"), sa.column("ref_id"),
                     sa.column("case_id"), sa.column("account_id"), sa.column("title"),
                     sa.column("body"))
subject_words = sa.table("case_subject_words", sa.column("word"), sa.column("case_id"))


def significant_words(text, limit=30):
    seen = {}
    for word in WORD.findall((text or "")[:2000].lower()):
        word = word[:60]
        if word not in STOP_WORDS and len(word) > 1:
            seen.setdefault(word, None)
            if len(seen) >= limit:
                break
    return list(seen)


def fts5_triggers(table, when):
    """The triggers that feed one FTS5 table from the search_documents of one family."""
    columns = "title, body"
    return (
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


KNOWLEDGE_FTS = (
    "CREATE VIRTUAL TABLE knowledge_fts USING fts5(title, body, content='search_documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO knowledge_fts(knowledge_fts, rank) VALUES ('rank', 'bm25(4.0, 1.0)')",
)
# The triggers a7c3e91f5d20 made, which fed every document to search_fts.
OLD_TRIGGERS = (
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


def _insert_in_batches(conn, table, rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)


def _fill_subject_words(conn) -> None:
    cases = conn.execute(sa.text("SELECT id, subject FROM cases ORDER BY id")).all()
    _insert_in_batches(conn, subject_words, ({"case_id": case_id, "word": word}
                                             for case_id, subject in cases
                                             for word in significant_words(subject)))


def _index_article_versions(conn) -> None:
    """One document per version: its title, and its fields' text (search_text less the title
    line it began with), angle brackets as spaces (PostgreSQL's parser drops <tag>s' words)."""
    versions = conn.execute(sa.text(
        "SELECT id, title, search_text FROM article_versions ORDER BY id")).all()
    _insert_in_batches(conn, documents, (
        {"kind": "article", "ref_id": version_id, "case_id": None, "account_id": None,
         "title": (title or "").translate(NO_ANGLES),
         "body": (text or "").partition("\n")[2].translate(NO_ANGLES)}
        for version_id, title, text in versions))


def upgrade():
    op.create_table(
        "case_subject_words",
        sa.Column("word", sa.String(60), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_subject_words_case_id_cases"),
        sa.PrimaryKeyConstraint("word", "case_id", name="pk_case_subject_words"),
    )
    op.create_index("ix_case_subject_words_case", "case_subject_words", ["case_id"])
    conn = op.get_bind()
    _fill_subject_words(conn)
    if conn.dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector "
                   f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED")
        op.execute("CREATE INDEX ix_search_documents_article_tsv ON search_documents "
                   f"USING gin (({PG_DOCUMENT})) WHERE kind = 'article'")
        _index_article_versions(conn)
        op.drop_index("ix_article_versions_search", table_name="article_versions",
                      postgresql_using="gin")
        op.drop_column("article_versions", "search_text")
        return
    for name in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER search_documents_{name}")
    for statement in (fts5_triggers("search_fts", "{}.kind <> 'article'") + KNOWLEDGE_FTS
                      + fts5_triggers("knowledge_fts", "{}.kind = 'article'")):
        op.execute(statement)
    _index_article_versions(conn)
    op.execute("DROP TABLE article_versions_fts")
    # Not batch mode: rebuilding the table would drop the old one, and with foreign keys on
    # that deletes its rows first (case_articles.version_id would be set to NULL).
    op.execute("ALTER TABLE article_versions DROP COLUMN search_text")
    op.execute("ANALYZE case_subject_words")


def _restore_search_text(conn) -> None:
    rows = conn.execute(sa.text(
        "SELECT ref_id, title, body FROM search_documents WHERE kind = 'article'")).all()
    for version_id, title, body in rows:
        conn.execute(sa.text("UPDATE article_versions SET search_text = :text WHERE id = :id"),
                     {"id": version_id, "text": "\n".join([title] + ([body] if body else []))})


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.add_column("article_versions", sa.Column("search_text", sa.Text(), nullable=False,
                                                    server_default=""))
        _restore_search_text(conn)
        op.alter_column("article_versions", "search_text", server_default=None)
        op.create_index("ix_article_versions_search", "article_versions",
                        [sa.text(OLD_PG_INDEX)], postgresql_using="gin")
        op.execute("DROP INDEX ix_search_documents_article_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN tsv")
    else:
        op.execute("ALTER TABLE article_versions ADD COLUMN search_text TEXT NOT NULL "
                   "DEFAULT ''")
        _restore_search_text(conn)
        op.execute(OLD_SQLITE_FTS)
        op.execute("INSERT INTO article_versions_fts (rowid, search_text) "
                   "SELECT id, search_text FROM article_versions")
    op.execute("DELETE FROM search_documents WHERE kind = 'article'")
    if conn.dialect.name != "postgresql":
        for table in ("search_fts", "knowledge_fts"):
            for name in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER {table}_{name}")
        op.execute("DROP TABLE knowledge_fts")
        for statement in OLD_TRIGGERS:
            op.execute(statement)
    op.drop_index("ix_case_subject_words_case", table_name="case_subject_words")
    op.drop_table("case_subject_words")
