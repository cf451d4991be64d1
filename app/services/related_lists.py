"""Data for the case page's related lists (Files, Tasks, History); each is one query of plain
columns, as rows (what the list shows, without the ORM's objects)."""
from __future__ import annotations

import functools

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Case, FeedItem, Task, User

HISTORY_LIMIT = 25
FILES_LIMIT = 50
TASKS_LIMIT = 50

# Each statement is built once, with the case and limit as parameters: a reused statement
# keeps its SQLAlchemy cache key, which costs more to compute than these queries take to run.
CASE_ID = sa.bindparam("case_id")
LIMIT = sa.bindparam("limit")


@functools.cache
def _files_stmt() -> sa.Select:
    return (sa.select(Attachment.id, Attachment.original_name, Attachment.size,
                      Attachment.created_at, FeedItem.is_public.label("is_public"),
                      User.name.label("author_name"))
            .join(FeedItem, FeedItem.id == Attachment.feed_item_id)
            .outerjoin(User, User.id == FeedItem.author_id)
            .where(Attachment.case_id == CASE_ID)
            .order_by(Attachment.created_at.desc(), Attachment.id.desc()).limit(LIMIT))


@functools.cache
def _tasks_stmt() -> sa.Select:
    return (sa.select(Task.id, Task.subject, Task.due_date, Task.completed_at,
                      Task.is_done.label("is_done"),
                      User.name.label("assignee_name"))
            .outerjoin(User, User.id == Task.assignee_id)
            .where(Task.case_id == CASE_ID)
            .order_by(Task.is_done,
                      sa.case((Task.due_date.is_(None), 1), else_=0),
                      Task.due_date, Task.completed_at.desc(), Task.id.desc()).limit(LIMIT))


@functools.cache
def _history_stmt() -> sa.Select:
    return (sa.select(FeedItem.id, FeedItem.changes, FeedItem.created_at,
                      User.name.label("author_name"))
            .outerjoin(User, User.id == FeedItem.author_id)
            .where(FeedItem.case_id == CASE_ID, FeedItem.kind == "change")
            .order_by(FeedItem.created_at.desc(), FeedItem.id.desc()).limit(LIMIT))


def case_files(case: Case, limit: int = FILES_LIMIT) -> list[sa.Row]:
    """The case's attachments, newest first: id, original_name, size, created_at, is_public
    (of the item that brought it) and author_name (None: Casebook)."""
    return list(db.session.execute(_files_stmt(), {"case_id": case.id, "limit": limit}))


def case_tasks(case: Case, limit: int = TASKS_LIMIT) -> list[sa.Row]:
    """The case's tasks, open ones first (soonest due first), then done ones, newest first:
    id, subject, due_date, completed_at, is_done and assignee_name (None: unassigned)."""
    return list(db.session.execute(_tasks_stmt(), {"case_id": case.id, "limit": limit}))


def case_history(case: Case, limit: int = HISTORY_LIMIT) -> list[sa.Row]:
    """Field changes on the case, newest first (a note without field changes is not history):
    id, changes, created_at and author_name (None: Casebook)."""
    rows = db.session.execute(_history_stmt(), {"case_id": case.id, "limit": limit})
    return [row for row in rows if row.changes]
