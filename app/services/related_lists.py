"""Data for the case page's related lists (Files, Tasks, History); each is one query."""
from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Attachment, Case, FeedItem, Task

HISTORY_LIMIT = 25
FILES_LIMIT = 50
TASKS_LIMIT = 50

# Each statement is built once, with the case and limit as parameters: a reused statement
# keeps its SQLAlchemy cache key, which costs more to compute than these queries take to run.
CASE_ID = sa.bindparam("case_id")
LIMIT = sa.bindparam("limit")


@functools.cache
def _files_stmt() -> sa.Select:
    return (sa.select(Attachment).where(Attachment.case_id == CASE_ID)
            .options(joinedload(Attachment.feed_item).joinedload(FeedItem.author))
            .order_by(Attachment.created_at.desc(), Attachment.id.desc()).limit(LIMIT))


@functools.cache
def _tasks_stmt() -> sa.Select:
    return (sa.select(Task).where(Task.case_id == CASE_ID).options(joinedload(Task.assignee))
            .order_by(Task.completed_at.is_not(None),
                      sa.case((Task.due_date.is_(None), 1), else_=0),
                      Task.due_date, Task.completed_at.desc(), Task.id.desc()).limit(LIMIT))


@functools.cache
def _history_stmt() -> sa.Select:
    return (sa.select(FeedItem).where(FeedItem.case_id == CASE_ID, FeedItem.kind == "change")
            .options(joinedload(FeedItem.author))
            .order_by(FeedItem.created_at.desc(), FeedItem.id.desc()).limit(LIMIT))


def case_files(case: Case, limit: int = FILES_LIMIT) -> list[Attachment]:
    """The case's attachments, newest first, with who attached them."""
    return list(db.session.scalars(_files_stmt(), {"case_id": case.id, "limit": limit}))


def case_tasks(case: Case, limit: int = TASKS_LIMIT) -> list[Task]:
    """The case's tasks: open ones first (soonest due first), then done ones, newest first."""
    return list(db.session.scalars(_tasks_stmt(), {"case_id": case.id, "limit": limit}))


def case_history(case: Case, limit: int = HISTORY_LIMIT) -> list[FeedItem]:
    """Field changes on the case, newest first (a note without field changes is not history)."""
    items = db.session.scalars(_history_stmt(), {"case_id": case.id, "limit": limit})
    return [item for item in items if item.changes]
