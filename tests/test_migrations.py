"""The migrations build the schema from empty, and the models match them."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models.common import include_name, is_created_on, render_migration_item
from tests.conftest import DB_URI, IS_POSTGRES

CHECK_SCHEMA = "migration_check"


def _empty_database_uri(tmp_path) -> str:
    if not IS_POSTGRES:
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    engine = sa.create_engine(DB_URI.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {CHECK_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {CHECK_SCHEMA}"))
    engine.dispose()
    separator = "&" if "?" in DB_URI else "?"
    return f"{DB_URI}{separator}options=-csearch_path%3D{CHECK_SCHEMA}"


def _index_names(conn) -> set[str]:
    """Every index in the database, read from the catalogue: reflection skips expression
    indexes (lower(name)) on SQLite, so the comparison below cannot see them there."""
    if conn.dialect.name == "postgresql":
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    return set(conn.execute(sa.text(sql)).scalars())


def _app_on_an_empty_database(tmp_path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = _empty_database_uri(tmp_path)

    return create_app(Config)


# Expected: SQLite cannot reflect expression indexes; _index_names() checks them instead.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_upgrade_from_empty_builds_a_schema_the_models_match(tmp_path):
    app = _app_on_an_empty_database(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "render_item": render_migration_item,
                "include_name": include_name})
            diff = compare_metadata(context, db.metadata)
            indexes = _index_names(conn)
        db.engine.dispose()
    assert {"cases", "feed_items", "users", "alembic_version"} <= tables
    assert diff == [], f"models and migrations differ: {diff}"
    dialect = "postgresql" if IS_POSTGRES else "sqlite"
    modelled = {index.name for table in db.metadata.tables.values() for index in table.indexes
                if is_created_on(index, dialect)}
    assert modelled - indexes == set(), "indexes the models declare but no migration creates"


LIST_INDEXES = ("ix_cases_status_updated", "ix_cases_open_updated",
                "ix_cases_owner_open_updated", "ix_cases_open_priority_created")


def _list_index_definitions(conn) -> dict[str, str]:
    rows = conn.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND indexname IN :names").bindparams(sa.bindparam("names", expanding=True)),
        {"names": list(LIST_INDEXES)})
    return dict(rows.tuples().all())


@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite's indexes hold the row id by themselves")
def test_case_list_indexes_carry_the_id_and_the_migration_reverses(tmp_path):
    """A list page's ids come from its index alone on PostgreSQL too (no table reads)."""
    from flask_migrate import downgrade

    app = _app_on_an_empty_database(tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            built = _list_index_definitions(conn)
        downgrade(revision="839b4c312317")
        with db.engine.connect() as conn:
            reversed_ = _list_index_definitions(conn)
        upgrade()
        with db.engine.connect() as conn:
            again = _list_index_definitions(conn)
        db.engine.dispose()
    assert set(built) == set(LIST_INDEXES)
    assert all(definition.endswith("INCLUDE (id)") or "INCLUDE (id) WHERE" in definition
               for definition in built.values()), built
    assert set(reversed_) == set(LIST_INDEXES)
    assert not any("INCLUDE" in definition for definition in reversed_.values()), reversed_
    assert again == built


PREVIOUS_HEAD = "c4d8e2f61a93"


def _desk_with_articles_at_the_previous_head(conn) -> None:
    """What a desk made before the knowledge base joined the one index holds: versions with
    their search_text, the knowledge base's own index, attachments."""
    tables = db.metadata.tables
    now = sa.func.now() if IS_POSTGRES else sa.text("CURRENT_TIMESTAMP")
    conn.execute(tables["users"].insert(), [{"id": 1, "email": "a@example.com", "name": "Ann",
                                             "role": "agent", "password_hash": "x"}])
    conn.execute(tables["cases"].insert(), [
        {"id": n, "number": 1000 + n, "subject": subject, "description": "", "status": "New",
         "priority": "Medium", "origin": "Phone", "type": "Problem", "owner_id": 1,
         "created_by_id": 1, "version": 1}
        for n, subject in ((1, "Printer toner warning on floor 2"),
                           (2, "Printer toner warning again"))])
    conn.execute(tables["articles"].insert(), [{"id": 1, "slug": "clear-a-paper-jam",
                                                "type_id": 1, "attach_count": 1}])
    text = "Clear a paper jam\nPaper <b>jammed</b>?\nOpen tray 2."
    conn.execute(sa.text(
        "INSERT INTO article_versions (id, article_id, language, number, title, fields, status, "
        "change_note, review_comment, search_text, created_at, published_at) VALUES (1, 1, 'en', "
        "1, 'Clear a paper jam', :fields, 'published', '', '', :text, " + str(now) + ", "
        + str(now) + ")"), {"fields": '{"question": "Paper <b>jammed</b>?", "answer": '
                                      '"Open tray 2."}', "text": text})
    if not IS_POSTGRES:
        conn.execute(sa.text("INSERT INTO article_versions_fts (rowid, search_text) "
                             "VALUES (1, :text)"), {"text": text})
    conn.execute(tables["case_articles"].insert(), [{"case_id": 1, "article_id": 1,
                                                     "version_id": 1, "attached_by_id": 1}])


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_a_desk_from_the_previous_release_keeps_its_articles_and_finds_them(tmp_path):
    from app.models import Case, User
    from app.models.knowledge import ArticleVersion, CaseArticle
    from app.services import knowledge_cases, knowledge_search

    app = _app_on_an_empty_database(tmp_path)
    with app.app_context():
        upgrade(revision=PREVIOUS_HEAD)
        with db.engine.begin() as conn:
            _desk_with_articles_at_the_previous_head(conn)
        upgrade()
        version = db.session.get(ArticleVersion, 1)
        found = knowledge_search.search_articles("jam")
        jammed = knowledge_search.search_articles("jammed tray")
        agent = db.session.get(User, 1)
        case = db.session.get(Case, 2)
        suggested = knowledge_cases.suggest_articles(case.subject, agent, exclude_case=case)
        attached = db.session.scalar(sa.select(CaseArticle.version_id))
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("article_versions")}
            indexes = _index_names(conn)
            tables = set(sa.inspect(conn).get_table_names())
        db.session.remove()
        db.engine.dispose()
    assert version.fields == {"question": "Paper <b>jammed</b>?", "answer": "Open tray 2."}
    assert [v.id for v, _ in found] == [1] and [v.id for v, _ in jammed] == [1]
    assert [(s.version.id, s.reasons) for s in suggested] == [(1, ["attached to 1 similar case"])]
    assert attached == 1
    assert "search_text" not in columns
    assert "ix_article_versions_search" not in indexes and "article_versions_fts" not in tables
