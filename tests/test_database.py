"""The engine's connection handling on PostgreSQL: idle connections are checked before use,
plans outlive transactions that only read, pages that only read run without a transaction,
results are described only when asked."""
import pytest
import sqlalchemy as sa

from app import database
from app.extensions import db
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="pooled server connections only")


def _backend_pid() -> int:
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.commit()  # back to the pool
    return pid


def _kill(pid: int) -> None:
    """What a database restart does to a pooled connection: its server side is gone."""
    outsider = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    with outsider.connect() as other:
        assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    outsider.dispose()


def test_an_idle_connection_whose_server_went_away_is_replaced_before_use(app, monkeypatch):
    db.session.remove()
    pid = _backend_pid()
    _kill(pid)
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0)  # every checkout counts as idle
    assert db.session.scalar(sa.text("SELECT 1")) == 1  # no error reaches the request
    assert _backend_pid() != pid


def test_a_connection_in_steady_use_is_not_pinged(app, monkeypatch):
    db.session.remove()
    pid = _backend_pid()
    _kill(pid)
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 3600)
    # Without the ping the dead connection is handed out, and the first query finds out.
    with pytest.raises(sa.exc.OperationalError):
        db.session.scalar(sa.text("SELECT 1"))
    db.session.rollback()
    assert db.session.scalar(sa.text("SELECT 1")) == 1  # the pool started afresh


def _prepared_statements() -> int:
    return db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))


def test_plans_survive_a_transaction_that_only_read(app):
    """A request that only read ends its transaction; its statements stay prepared."""
    from app.models import User

    lookup = sa.select(User.id).where(User.email == sa.bindparam("email"))
    for attempt in range(8):
        db.session.scalar(lookup, {"email": f"nobody{attempt}@example.com"})
        db.session.rollback()  # what the end of a request does
    assert _prepared_statements() >= 1


def test_a_transaction_that_wrote_is_still_rolled_back(app):
    from app.models import Setting

    db.session.add(Setting(key="left_behind", value="never saved"))
    db.session.flush()
    db.session.rollback()
    assert db.session.get(Setting, "left_behind") is None
    with db.engine.connect() as other:
        assert other.scalar(sa.text("SELECT count(*) FROM settings WHERE key = 'left_behind'")) == 0


def test_a_result_describes_its_columns_as_psycopg_does(app):
    """Cursors describe a result only when asked (SQLAlchemy rarely asks); what they say
    when asked is psycopg's own description."""
    import psycopg

    raw = db.session.connection().connection.dbapi_connection
    cursor = raw.cursor()
    cursor.execute("SELECT 1 AS one, 'two'::text AS two, now() AS three")
    described = [(column.name, column.type_code) for column in cursor.description]
    cursor.execute("SELECT 1 AS one, 'two'::text AS two, now() AS three")
    own = [(column.name, column.type_code)
           for column in psycopg.Cursor.description.fget(cursor)]
    assert described == own and [name for name, _ in own] == ["one", "two", "three"]
    cursor.execute("SET LOCAL statement_timeout = 0")
    assert cursor.description is None  # nothing to describe, as psycopg says
    cursor.close()
    db.session.rollback()


def test_a_description_first_read_after_the_cursor_moved_on_is_refused(app):
    raw = db.session.connection().connection.dbapi_connection
    cursor = raw.cursor()
    cursor.execute("SELECT 1 AS one")
    early = cursor.description
    cursor.execute("SELECT 1 AS other, 2 AS columns")
    with pytest.raises(RuntimeError, match="moved on"):
        early[0]
    assert [column.name for column in cursor.description] == ["other", "columns"]
    cursor.close()
    db.session.rollback()


def test_new_statements_read_their_columns_by_name(app):
    """The first run of a statement builds its result columns from the description."""
    row = db.session.execute(sa.text(f"SELECT 7 AS seven_{id(app)}, 'x' AS ex")).one()
    assert row._mapping[f"seven_{id(app)}"] == 7 and row.ex == "x"
    db.session.rollback()


# Pages that only read run their SELECTs without BEGIN and COMMIT; a write opens a transaction.

def _statuses(statements: list) -> list:
    """Watch the transaction status each statement leaves its connection in."""
    def _after(conn, _cursor, statement, *_args):
        raw = conn.connection.dbapi_connection
        statements.append((statement.split()[0].upper(), raw.info.transaction_status.name))

    return _after


@pytest.fixture
def watched(app):
    statements: list = []
    listener = _statuses(statements)
    sa.event.listen(db.engine, "after_cursor_execute", listener)
    yield statements
    sa.event.remove(db.engine, "after_cursor_execute", listener)


def _other_connection_count(sql: str) -> int:
    with db.engine.connect() as other:
        return other.scalar(sa.text(sql))


def test_a_page_that_only_reads_runs_outside_a_transaction(app, login, agent, watched):
    from tests.factories import make_case

    make_case(subject="Printer jams on tray 2", owner=agent)
    db.session.commit()
    client = login(agent)
    db.session.remove()
    watched.clear()
    response = client.get("/cases/?view=mine")
    assert response.status_code == 200 and b"Printer jams on tray 2" in response.data
    assert watched and all(kind == "SELECT" for kind, _ in watched)
    assert {status for _, status in watched} == {"IDLE"}  # no BEGIN was sent, none is open


def test_a_post_still_runs_in_one_transaction(app, login, agent, watched):
    from tests.factories import make_case

    number = make_case(subject="Printer jams on tray 2", owner=agent).number
    db.session.commit()
    client = login(agent)
    db.session.remove()
    watched.clear()
    response = client.post(f"/cases/{number}/feed/posts",
                           data={"post-body": "Swapped the roller.",
                                 "post-visibility": "internal"})
    assert response.status_code in (200, 302, 303)
    assert watched and {status for _, status in watched} == {"INTRANS"}
    assert _other_connection_count(
        "SELECT count(*) FROM feed_items WHERE body = 'Swapped the roller.'") == 1


def test_a_write_in_a_reading_request_is_a_transaction_that_can_roll_back(app, watched):
    """The first statement that is not a plain read turns the transaction on: what it and
    the statements after it wrote goes or stays together."""
    from app.models import Setting

    with app.test_request_context("/cases/", method="GET"):
        db.session.remove()
        db.session.scalar(sa.text("SELECT count(*) FROM settings"))
        db.session.add(Setting(key="first_half", value="written"))
        db.session.flush()
        db.session.add(Setting(key="second_half", value="written"))
        db.session.flush()
        db.session.rollback()
    assert [status for _, status in watched] == ["IDLE", "INTRANS", "INTRANS"]
    assert _other_connection_count(
        "SELECT count(*) FROM settings WHERE key IN ('first_half', 'second_half')") == 0


def test_a_locking_read_in_a_reading_request_holds_its_lock(app, agent, watched):
    agent_id = agent.id
    with app.test_request_context("/cases/", method="GET"):
        db.session.remove()
        db.session.execute(sa.text("SELECT id FROM users WHERE id = :id FOR UPDATE"),
                           {"id": agent_id})
        assert watched[-1] == ("SELECT", "INTRANS")
        outsider = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
        with outsider.connect() as other, pytest.raises(sa.exc.OperationalError,
                                                         match="could not obtain lock"):
            other.execute(sa.text("SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT"),
                          {"id": agent_id})
        outsider.dispose()
        db.session.rollback()


def test_outside_requests_reads_run_in_a_transaction_as_before(app, watched):
    db.session.remove()
    db.session.scalar(sa.text("SELECT count(*) FROM settings"))
    assert watched == [("SELECT", "INTRANS")]
    db.session.rollback()


@pytest.mark.parametrize("statement, plain", [
    ("SELECT 1", True),
    ("  select id FROM cases WHERE subject = 'for update'", True),
    ("SELECT id FROM outbox_messages FOR UPDATE SKIP LOCKED", False),
    ("select id from users for share", False),
    ("SELECT id FROM users FOR NO KEY UPDATE", False),
    ("SELECT id FROM users\nFOR  KEY SHARE", False),
    ("WITH x AS (DELETE FROM settings RETURNING key) SELECT key FROM x", False),
    ("UPDATE cases SET subject = 'x'", False),
    ("SAVEPOINT sa_1", False),
])
def test_what_counts_as_a_plain_read(app, statement, plain):
    assert database.is_plain_read(statement) is plain
