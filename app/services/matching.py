"""How typed text matches names and addresses: LIKE patterns with the user's wildcards made
literal, prefix ranges the lower(column) indexes answer, and the two-step type-ahead."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db

# Past this, no string starts with a given text: the upper end of a prefix's index range.
LAST_CHARACTER = "\U0010ffff"


def escape_like(text: str) -> str:
    """Make LIKE wildcards in user input match literally (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column, text: str):
    """The column contains the text, in any case."""
    return column.ilike(f"%{escape_like(text)}%", escape="\\")


def begins(column, text: str):
    """The column starts with the text, in any case: a range the lower(column) indexes
    answer, both sides lowered by the database so SQLite and PostgreSQL agree on case; the
    LIKE keeps it exact under any collation, the NOT NULL keeps it false (never NULL)."""
    lowered = sa.func.lower(column)
    return sa.and_(column.is_not(None), lowered >= sa.func.lower(sa.literal(text)),
                   lowered < sa.func.lower(sa.literal(text + LAST_CHARACTER)),
                   lowered.like(sa.func.lower(sa.literal(f"{escape_like(text)}%")),
                                escape="\\"))


def suggest(stmt: sa.Select, begin, contain, order: list, limit: int) -> list:
    """Rows that begin with the text (an index range), then, only when those are fewer than
    `limit`, rows containing it elsewhere (a scan, needed only for rarer texts)."""
    found = list(db.session.scalars(stmt.where(begin).order_by(*order).limit(limit)))
    if len(found) < limit:
        found += db.session.scalars(stmt.where(contain, sa.not_(begin))
                                    .order_by(*order).limit(limit - len(found)))
    return found
