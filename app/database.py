"""Engine tuning per dialect: SQLite pragmas and write transactions that start immediately;
for PostgreSQL, a connection that sat idle is checked before it is handed out, plans outlive
transactions that only read, pages that only read run without BEGIN and COMMIT, and results
are described only when asked. Also SQL that each dialect writes its own way (JsonSubquery)."""
import functools
import re
import time
import weakref
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import ScalarSelect, Text, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


# Set by write_transactions(): code outside requests (the mail sender, CLI commands), and a
# GET that writes once its page is built (recording a case view).
_WRITES_OUTSIDE_REQUESTS: ContextVar[bool] = ContextVar("casebook_writes", default=False)


@contextmanager
def write_transactions():
    """Within this block, transactions take the SQLite write lock first (as POSTs do)."""
    token = _WRITES_OUTSIDE_REQUESTS.set(True)
    try:
        yield
    finally:
        _WRITES_OUTSIDE_REQUESTS.reset(token)


def _wants_write_lock() -> bool:
    """True when the current request may write, so its transaction should take the lock first."""
    if _WRITES_OUTSIDE_REQUESTS.get():
        return True
    if not has_request_context():
        return False
    return request.method not in READ_METHODS


# A pooled server connection idle this long is pinged before use (one round trip); one in
# steady use is not. A database restart is then noticed on the first checkout after a quiet
# spell, and otherwise by the first query's disconnect error, after which SQLAlchemy discards
# every pooled connection (that one request fails and can be retried; nothing is half-saved).
IDLE_PING_SECONDS = 10


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # the ping's own transaction
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError() from error  # the pool connects afresh
            raise


# A row lock taken by a SELECT lasts only as long as its transaction.
_LOCKING_READ = re.compile(r"\sFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b",
                           re.IGNORECASE)


@functools.lru_cache(maxsize=1024)  # the same few hundred statements, run again and again
def is_plain_read(statement: str) -> bool:
    """True for a SELECT that takes no row locks: it changes nothing, inside a transaction or
    out. Anything else (writes, locking reads, savepoints, CTEs, SET) counts as a write."""
    return statement.lstrip()[:6].upper() == "SELECT" and not _LOCKING_READ.search(statement)


def _reads_only() -> bool:
    """True in a request whose method only reads (GET, HEAD, OPTIONS), outside a
    write_transactions() block: its statements may run without a transaction around them."""
    return (has_request_context() and request.method in READ_METHODS
            and not _WRITES_OUTSIDE_REQUESTS.get())


def _read_without_transactions(engine: Engine) -> None:
    """Let a page that only reads run its SELECTs outside a transaction (psycopg's autocommit).

    A transaction costs two round trips of its own on PostgreSQL, BEGIN before the first
    statement and COMMIT after the last, each waking the server; a list page's own SQL is
    two statements. At PostgreSQL's default isolation, READ COMMITTED, every statement
    reads its own snapshot whether a transaction is open or not, so a page that only
    SELECTs sees the same rows either way. The first statement that is not a plain read
    (see is_plain_read) turns autocommit off before it runs, in _keep_prepared_statements'
    listener: that write and everything after it until COMMIT or ROLLBACK are one
    transaction, as before. Outside requests (the mail sender, CLI commands), in POSTs and
    in write_transactions() blocks, every transaction begins as it always did.
    """
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.pgconn.transaction_status == TransactionStatus.IDLE:
            dbapi_connection.autocommit = _reads_only()


def _keep_prepared_statements(engine: Engine) -> None:
    """Let PostgreSQL reuse its plans from one request to the next.

    psycopg prepares a statement once it has run a few times on a connection, but forgets every
    prepared statement on ROLLBACK, and a request that only read ends with one (the session
    closes; the pool resets the connection): no statement was ever prepared, and PostgreSQL
    parsed and planned every query of every request. A transaction that ran nothing but SELECTs
    changed nothing, so it now ends with COMMIT, which is the same to the data and keeps them.
    (Anything but a plain read counts as a write, savepoints and CTEs too. A SELECT with an effect
    that waits for COMMIT, such as pg_notify(), would need the same care; Casebook runs none.)
    """
    from psycopg.pq import TransactionStatus

    wrote: weakref.WeakSet = weakref.WeakSet()  # DBAPI connections whose transaction wrote

    def raw(connection):
        return getattr(connection, "dbapi_connection", connection)  # past the pool's proxy

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(connection, _cursor, statement, *_args):
        if not is_plain_read(statement):
            dbapi_connection = raw(connection.connection)
            wrote.add(dbapi_connection)
            if dbapi_connection.autocommit:  # a page that reads, writing: a transaction now
                dbapi_connection.autocommit = False

    @event.listens_for(engine, "commit")
    def _forget_writes(connection):
        wrote.discard(raw(connection.connection))

    rollback = engine.dialect.do_rollback

    def do_rollback(dbapi_connection) -> None:
        connection = raw(dbapi_connection)
        if connection in wrote or \
                connection.pgconn.transaction_status != TransactionStatus.INTRANS:
            wrote.discard(connection)
            rollback(dbapi_connection)
        else:
            connection.commit()  # it only read: the same as ROLLBACK, and the plans are kept

    engine.dialect.do_rollback = do_rollback


class _Description(Sequence):
    """A cursor's description, built when first read (see _describe_results_lazily)."""

    __slots__ = ("_cursor", "_result", "_describe", "_columns")

    def __init__(self, cursor, result, describe) -> None:
        self._cursor, self._result, self._describe, self._columns = cursor, result, describe, None

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                raise RuntimeError("a result's description was first read after the cursor "
                                   "had moved on to another result")
            self._columns = self._describe(self._cursor)
        return self._columns[index]


def _describe_results_lazily(engine: Engine) -> None:
    """Give every connection cursors that describe a result only when asked for its columns.

    psycopg builds cursor.description afresh, a Column object per column, on every read, and
    SQLAlchemy reads it after every statement, even one whose result columns it knows from
    the statement's last run: there it only checks that the statement returned rows. Building
    the columns cost about 5 µs each, about 3 % of the CPU of a list page (30-odd columns).
    """
    import psycopg

    describe = psycopg.Cursor.description.fget  # psycopg's own

    class LazilyDescribed(psycopg.Cursor):
        __slots__ = ()

        @property
        def description(self):
            result = self.pgresult
            if not result or not result.nfields:  # no rows to describe: psycopg says which
                return describe(self)
            return _Description(self, result, describe)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.cursor_factory = LazilyDescribed


def configure_engine(engine: Engine) -> None:
    """Tune a freshly created engine for its dialect."""
    if engine.dialect.name == "postgresql":
        _ping_idle_connections(engine)
        _keep_prepared_statements(engine)
        _read_without_transactions(engine)
        _describe_results_lazily(engine)
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself, so a writing request can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


class JsonSubquery(FunctionElement):
    """A scalar subquery giving JSON text, whose SQL depends on the dialect (SQLite's
    json_group_*, PostgreSQL's json_*_agg): small reference data read beside another
    statement's rows, without a round trip of its own. A subclass builds it in
    statement(dialect name). It is compiled with its values written in: a bound value inside
    would not be carried into the cached statement around it."""

    type = Text()
    inherit_cache = True

    def statement(self, dialect: str) -> ScalarSelect:
        raise NotImplementedError


@compiles(JsonSubquery)
def _compile_json_subquery(element, compiler, **kw):
    return compiler.process(element.statement(compiler.dialect.name),
                            **{**kw, "literal_binds": True})


def render_migration_item(type_, obj, autogen_context):
    """Write our column types into migrations as the plain SQLAlchemy types they store."""
    from app.models.common import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
