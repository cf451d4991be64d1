"""The engine's connection handling: SQLite in WAL mode whose writing requests take the write
lock first, so concurrent writers wait instead of failing; on PostgreSQL a pooled connection
whose server went away is replaced before use; a rolled-back write leaves nothing."""
import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import IS_POSTGRES
from tests.factories import make_case

sqlite_only = pytest.mark.skipif(IS_POSTGRES, reason="SQLite's own locking")
postgres_only = pytest.mark.skipif(not IS_POSTGRES, reason="pooled server connections only")


@pytest.fixture
def file_app(tmp_path):
    """The app on a SQLite file (WAL needs one; the usual test database is in memory)."""
    from tests.conftest import make_test_app

    app = make_test_app(None, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'file.db'}",
                        UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def _begins(statements: list):
    def _before(_conn, _cursor, statement, *_args):
        statements.append(statement)
    return _before


@sqlite_only
def test_a_sqlite_file_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(file_app):
    assert db.session.scalar(sa.text("PRAGMA journal_mode")) == "wal"
    assert db.session.scalar(sa.text("PRAGMA foreign_keys")) == 1
    assert db.session.scalar(sa.text("PRAGMA busy_timeout")) == 10000


@sqlite_only
def test_a_post_takes_the_write_lock_first_and_a_get_does_not(app, login, agent):
    number = make_case(owner=agent).number
    db.session.commit()
    client = login(agent)
    statements: list = []
    listener = _begins(statements)
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.remove()
        assert client.get("/cases/").status_code == 200
        reads = list(statements)
        statements.clear()
        db.session.remove()
        posted = client.post(f"/cases/{number}/feed/posts",
                             data={"post-body": "Swapped the roller.",
                                   "post-visibility": "internal"})
        assert posted.status_code in (200, 302, 303)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert reads[0] == "BEGIN" and "BEGIN IMMEDIATE" not in reads
    assert statements[0] == "BEGIN IMMEDIATE"


@sqlite_only
def test_concurrent_writers_wait_for_each_other_instead_of_failing(file_app):
    """Each writer reads, then writes: with BEGIN IMMEDIATE none sees "database is locked"."""
    from app.database import write_transactions
    from app.models import Setting

    db.session.add(Setting(key="counter", value="0"))
    db.session.commit()
    errors: list = []

    def bump():
        with file_app.app_context(), write_transactions():
            try:
                for _ in range(10):
                    row = db.session.get(Setting, "counter")
                    row.value = str(int(row.value) + 1)
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert db.session.get(Setting, "counter").value == "40"  # no update was lost


def test_a_rolled_back_write_leaves_nothing_behind(app):
    from app.models import Setting

    db.session.add(Setting(key="left_behind", value="never saved"))
    db.session.flush()
    db.session.rollback()
    assert db.session.get(Setting, "left_behind") is None
    if IS_POSTGRES:  # the in-memory SQLite database has only the one connection
        with db.engine.connect() as other:
            assert other.scalar(
                sa.text("SELECT count(*) FROM settings WHERE key = 'left_behind'")) == 0


@postgres_only
def test_a_pooled_connection_whose_server_went_away_is_replaced_before_use(app):
    db.session.remove()
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.commit()  # back to the pool
    outsider = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with outsider.connect() as other:  # what a database restart does to the pooled connection
        assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    outsider.dispose()
    assert db.session.scalar(sa.text("SELECT 1")) == 1  # no error reaches the request
    assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != pid
