"""Column helpers shared by every domain."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def render_migration_item(type_, obj, autogen_context):
    """Write our column types into migrations as the plain SQLAlchemy types they store."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def include_name(name, type_, parent_names) -> bool:
    """For migrations: leave SQLite's FTS5 tables (and their shadow tables) and PostgreSQL's
    stored tsvector of search documents out of comparisons; the models create them through DDL
    events, not as tables or mapped columns."""
    if type_ == "column":
        return not (name == "tsv" and parent_names.get("table_name") == "search_documents")
    return not (type_ == "table" and "_fts" in (name or ""))


def is_created_on(index, dialect: str) -> bool:
    """False for an index declared for another database only (Index.ddl_if(dialect=...))."""
    wanted = getattr(index, "_ddl_if", None)
    return wanted is None or wanted.dialect in (None, dialect)
