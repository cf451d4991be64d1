"""Engine setup per dialect: SQLite pragmas, and write transactions that take SQLite's write
lock first."""
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

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


def configure_engine(engine: Engine) -> None:
    """Give SQLite its pragmas and let writing requests begin with BEGIN IMMEDIATE."""
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

