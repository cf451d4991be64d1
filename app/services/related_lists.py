"""Data for the case page's related lists (Files, Tasks, History): plain columns as rows, not
the ORM's objects, and whichever of the lists a page shows read in one statement (each list a
JSON array beside the others), so a case page spends one round trip on them, not three."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from operator import itemgetter
from typing import NamedTuple

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Case, FeedItem, Task, User

HISTORY_LIMIT = 25
FILES_LIMIT = 50
TASKS_LIMIT = 50

CASE_ID = sa.bindparam("case_id", type_=sa.Integer)


class FileRow(NamedTuple):
    """A file attached to the case: is_public (of the item that brought it), author_name
    (None: Casebook)."""
    id: int
    original_name: str
    size: int
    created_at: datetime
    is_public: bool
    author_name: str | None


class TaskRow(NamedTuple):
    """A task of the case: assignee_name (None: unassigned)."""
    id: int
    subject: str
    due_date: date | None
    completed_at: datetime | None
    is_done: bool
    assignee_name: str | None


class HistoryRow(NamedTuple):
    """Field changes on the case: author_name (None: Casebook)."""
    id: int
    changes: list | None
    created_at: datetime
    author_name: str | None


def _utc(value: str | None) -> datetime | None:
    """A stored UTC timestamp as the database wrote it in JSON, read back timezone-aware (as
    UTCDateTime reads the column itself)."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class _List(NamedTuple):
    limit: int
    order: Callable[[], tuple]  # the list's order (also the order of its JSON array)
    rows: Callable[[], sa.Select]  # its columns, joins and filter, without order or limit
    make: Callable[[list], NamedTuple]  # a row from its JSON array
    json_columns: frozenset[str] = frozenset()  # columns that hold JSON themselves


def _files() -> sa.Select:
    return (sa.select(Attachment.id, Attachment.original_name, Attachment.size,
                      Attachment.created_at, FeedItem.is_public.label("is_public"),
                      User.name.label("author_name"))
            .join(FeedItem, FeedItem.id == Attachment.feed_item_id)
            .outerjoin(User, User.id == FeedItem.author_id)
            .where(Attachment.case_id == CASE_ID))


def _tasks() -> sa.Select:
    return (sa.select(Task.id, Task.subject, Task.due_date, Task.completed_at,
                      Task.is_done.label("is_done"), User.name.label("assignee_name"))
            .outerjoin(User, User.id == Task.assignee_id)
            .where(Task.case_id == CASE_ID))


def _history() -> sa.Select:
    return (sa.select(FeedItem.id, FeedItem.changes, FeedItem.created_at,
                      User.name.label("author_name"))
            .outerjoin(User, User.id == FeedItem.author_id)
            .where(FeedItem.case_id == CASE_ID, FeedItem.kind == "change"))


LISTS: dict[str, _List] = {
    # newest first
    "files": _List(FILES_LIMIT, lambda: (Attachment.created_at.desc(), Attachment.id.desc()),
                   _files, lambda v: FileRow(v[0], v[1], v[2], _utc(v[3]), bool(v[4]), v[5])),
    # open ones first (soonest due first, undated last), then done ones, newest first
    "tasks": _List(TASKS_LIMIT, lambda: (Task.is_done,
                                         sa.case((Task.due_date.is_(None), 1), else_=0),
                                         Task.due_date, Task.completed_at.desc(),
                                         Task.id.desc()),
                   _tasks, lambda v: TaskRow(v[0], v[1], _day(v[2]), _utc(v[3]), bool(v[4]),
                                             v[5])),
    # newest first
    "history": _List(HISTORY_LIMIT, lambda: (FeedItem.created_at.desc(), FeedItem.id.desc()),
                     _history, lambda v: HistoryRow(v[0], v[1], _utc(v[2]), v[3]),
                     frozenset({"changes"})),
}


def _as_json_array(spec: _List, dialect: str) -> sa.ScalarSelect:
    """One list as a JSON array of arrays, [position, column...] each, up to its limit.

    Each row carries its position in the list's order, which the reader sorts by: neither
    database promises that an aggregate keeps the order of the subquery it reads.
    """
    rows = spec.rows()
    position = sa.func.row_number().over(order_by=spec.order()).label("position")
    page = rows.add_columns(position).order_by(*spec.order()).limit(spec.limit).subquery()
    values = [page.c.position]
    for column in rows.selected_columns:
        value = page.c[column.key]
        if column.key in spec.json_columns and dialect != "postgresql":
            value = sa.func.json(value)  # SQLite keeps JSON as text: nest it, not quote it
        values.append(value)
    if dialect == "postgresql":
        array = sa.cast(sa.func.json_agg(sa.func.json_build_array(*values)), sa.Text)
    else:
        array = sa.func.json_group_array(sa.func.json_array(*values))
    return sa.select(array).select_from(page).scalar_subquery()


@functools.cache
def _lists_stmt(dialect: str, keys: tuple[str, ...]) -> sa.Select:
    """The chosen lists of one case, each a column; built once per dialect and choice."""
    return sa.select(*(_as_json_array(LISTS[key], dialect).label(key) for key in keys))


FIRST = itemgetter(0)


def case_lists(case: Case, keys: Iterable[str]) -> dict[str, list[NamedTuple]]:
    """The case's related lists named in keys (of LISTS), in one statement: key -> rows."""
    keys = tuple(key for key in dict.fromkeys(keys) if key in LISTS)
    if not keys:
        return {}
    stmt = _lists_stmt(db.engine.dialect.name, keys)
    arrays = db.session.execute(stmt, {"case_id": case.id}).one()
    lists = {}
    for key, text in zip(keys, arrays):
        make = LISTS[key].make
        lists[key] = [make(values[1:]) for values in sorted(json.loads(text or "[]"), key=FIRST)]
    if "history" in lists:  # a note without field changes is not history
        lists["history"] = [row for row in lists["history"] if row.changes]
    return lists


def case_files(case: Case) -> list[FileRow]:
    """The case's attachments, newest first."""
    return case_lists(case, ("files",))["files"]


def case_tasks(case: Case) -> list[TaskRow]:
    """The case's tasks, open ones first (soonest due first), then done ones, newest first."""
    return case_lists(case, ("tasks",))["tasks"]


def case_history(case: Case) -> list[HistoryRow]:
    """Field changes on the case, newest first (a note without field changes is not history)."""
    return case_lists(case, ("history",))["history"]
