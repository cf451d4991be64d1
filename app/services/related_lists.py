"""The case page's Files, Tasks and History lists: one small statement each, read as models."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Attachment, Case, FeedItem, Task

HISTORY_LIMIT = 25
FILES_LIMIT = 50
TASKS_LIMIT = 50

CASE_ID = sa.bindparam("case_id", type_=sa.Integer)

# Built once (every case page runs them); the case is a parameter.
FILES = (sa.select(Attachment).where(Attachment.case_id == CASE_ID)
         .options(joinedload(Attachment.feed_item).joinedload(FeedItem.author))
         .order_by(Attachment.created_at.desc(), Attachment.id.desc()).limit(FILES_LIMIT))
# Open ones first (soonest due first, undated last), then done ones, newest first.
TASKS = (sa.select(Task).where(Task.case_id == CASE_ID).options(joinedload(Task.assignee))
         .order_by(Task.is_done, sa.case((Task.due_date.is_(None), 1), else_=0), Task.due_date,
                   Task.completed_at.desc(), Task.id.desc())
         .limit(TASKS_LIMIT))
HISTORY = (sa.select(FeedItem).where(FeedItem.case_id == CASE_ID, FeedItem.kind == "change")
           .options(joinedload(FeedItem.author))
           .order_by(FeedItem.created_at.desc(), FeedItem.id.desc()).limit(HISTORY_LIMIT))


def list_case_files(case: Case) -> list[Attachment]:
    """Every file attached to the case's feed, newest first, with who attached it."""
    return list(db.session.scalars(FILES, {"case_id": case.id}))


def list_case_tasks(case: Case) -> list[Task]:
    """The case's tasks, open ones first, with their assignees."""
    return list(db.session.scalars(TASKS, {"case_id": case.id}))


def list_case_history(case: Case) -> list[FeedItem]:
    """The latest field changes, newest first (a note without field changes is not history)."""
    return [item for item in db.session.scalars(HISTORY, {"case_id": case.id}) if item.changes]
