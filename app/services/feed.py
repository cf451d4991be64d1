"""The case timeline: posts, files, shared updates and tasks."""
# Contract (implemented by the feed work; the seed and other services call these):
#   add_post(case, *, actor, body, visibility="internal") -> FeedItem
#   add_files(case, *, actor, uploads, comment="", visibility="internal") -> FeedItem
#       uploads: list of (filename, bytes-like or file object, declared content type)
#   share_update(case, *, actor, expected_version, status=None, priority=None, note="") -> FeedItem
#   create_task(case, *, actor, subject, due_date=None, assignee=None) -> Task
#   complete_task(task, *, actor) -> Task
# Each also takes request_key=None: the idempotency key of the publisher form that sent it.
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.access import visible_cases
from app.extensions import db
from app.models import Attachment, Case, FeedItem, Task, User
from app.models.cases import VISIBILITIES
from app.models.common import utcnow
from app.services import files as file_store
from app.services.cases import note_first_response, update_case
from app.services.errors import CaseConflict, DomainError, ValidationFailed
from app.services.markdown import render_markdown

FEED_FILTERS = {"all": "All", "posts": "Posts", "files": "Files", "changes": "Changes",
                "tasks": "Tasks"}
MAX_FILES = 20
MAX_SUBJECT = 255


class DuplicateSubmission(DomainError):
    """The same publisher form arrived twice; the first one was saved."""

    def __init__(self):
        super().__init__("That was already saved; it is shown once in the feed.")


def _check_key(actor: User, request_key: str | None) -> None:
    if request_key and db.session.scalar(
            sa.select(FeedItem.id).where(FeedItem.author_id == actor.id,
                                         FeedItem.request_key == request_key)) is not None:
        raise DuplicateSubmission()


def _save(item: FeedItem) -> FeedItem:
    """Add and flush an item; a concurrent twin (same key) or a stale case is refused."""
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError as exc:
        if item.request_key:
            raise DuplicateSubmission() from exc
        raise
    except StaleDataError as exc:
        raise CaseConflict(item.case, []) from exc
    return item


def _check_visibility(visibility: str) -> None:
    if visibility not in VISIBILITIES:
        raise ValidationFailed("Choose internal or public.", "visibility")


def _responded(case: Case, actor: User, visibility: str) -> None:
    """A public item from an agent is the customer's first answer."""
    if visibility == "public" and actor.is_staff:
        note_first_response(case)


def add_post(case: Case, *, actor: User, body: str, visibility: str = "internal",
             request_key: str | None = None) -> FeedItem:
    """Post a Markdown comment on the case, internal or public."""
    if not (body or "").strip():
        raise ValidationFailed("Write something before posting.", "body")
    _check_visibility(visibility)
    _check_key(actor, request_key)
    item = FeedItem(case_id=case.id, case=case, kind="post", author=actor, body=body.strip(),
                    body_html=render_markdown(body), visibility=visibility,
                    case_version=case.version, request_key=request_key or None)
    saved = _save(item)
    _responded(case, actor, visibility)
    return saved


def add_files(case: Case, *, actor: User, uploads, comment: str = "",
              visibility: str = "internal", request_key: str | None = None) -> FeedItem:
    """Store one or more files (all or none) and put them on the timeline as one item."""
    uploads = list(uploads)
    if not uploads:
        raise ValidationFailed("Choose at least one file.", "files")
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(f"Attach at most {MAX_FILES} files at a time.", "files")
    _check_visibility(visibility)
    _check_key(actor, request_key)
    stored = file_store.store_uploads(uploads)
    item = FeedItem(case_id=case.id, case=case, kind="file", author=actor,
                    body=(comment or "").strip(), body_html=render_markdown(comment or ""),
                    visibility=visibility, case_version=case.version,
                    request_key=request_key or None)
    item.attachments = [Attachment(case_id=case.id, original_name=f.name,
                                   content_type=f.content_type, size=f.size, sha256=f.sha256)
                        for f in stored]
    saved = _save(item)
    _responded(case, actor, visibility)
    return saved


def share_update(case: Case, *, actor: User, expected_version: int | None,
                 status: str | None = None, priority: str | None = None, note: str = "",
                 request_key: str | None = None) -> FeedItem:
    """Change status and/or priority with a note, as one feed item, through the one door."""
    _check_key(actor, request_key)
    values = {field: value for field, value in (("status", status), ("priority", priority))
              if value is not None}
    note = (note or "").strip()
    if not note and all(getattr(case, field) == value for field, value in values.items()):
        raise ValidationFailed("Change the status or priority, or write a note.", "note")
    last_id = db.session.scalar(sa.select(sa.func.max(FeedItem.id))
                                .where(FeedItem.case_id == case.id)) or 0
    update_case(case, actor=actor, expected_version=expected_version, note=note,
                request_key=request_key or None, **values)
    # The share's own item is the first one written; workflow updates come after it.
    return db.session.scalars(
        sa.select(FeedItem).where(FeedItem.case_id == case.id, FeedItem.kind == "change",
                                  FeedItem.id > last_id)
        .order_by(FeedItem.id).limit(1)).one()


def _check_assignee(assignee: User) -> None:
    if not (assignee.is_staff and assignee.active):
        raise ValidationFailed(f"{assignee.name} is not an active agent.", "assignee")


def create_task(case: Case, *, actor: User, subject: str, due_date: date | None = None,
                assignee: User | None = None, request_key: str | None = None) -> Task:
    """Add a to-do to the case, assigned to an active agent (the actor when none is given)."""
    subject = (subject or "").strip()
    if not subject:
        raise ValidationFailed("Subject is required.", "subject")
    if len(subject) > MAX_SUBJECT:
        raise ValidationFailed(f"Keep the subject under {MAX_SUBJECT} characters.", "subject")
    assignee = assignee or actor
    _check_assignee(assignee)
    _check_key(actor, request_key)
    task = Task(case_id=case.id, case=case, subject=subject, due_date=due_date,
                assignee=assignee, created_by_id=actor.id)
    _save(FeedItem(case_id=case.id, case=case, kind="task", author=actor, body=subject,
                   task=task, case_version=case.version, request_key=request_key or None))
    return task


def task_item(task: Task) -> FeedItem:
    """The feed item that announced a task."""
    return db.session.scalars(sa.select(FeedItem).where(FeedItem.task_id == task.id)
                              .order_by(FeedItem.id).limit(1)).one()


def complete_task(task: Task, *, actor: User) -> Task:
    """Mark a task done; completing it again changes nothing."""
    if task.completed_at is None:
        task.completed_at = utcnow()
        task.completed_by_id = actor.id
        db.session.flush()
    return task


def _filter_clause(feed_filter: str) -> sa.ColumnElement[bool]:
    if feed_filter == "posts":
        return FeedItem.kind.in_(("post", "email"))
    if feed_filter == "files":
        return sa.or_(FeedItem.kind == "file", FeedItem.attachments.any())
    if feed_filter == "changes":
        return FeedItem.kind.in_(("change", "system"))
    if feed_filter == "tasks":
        return FeedItem.kind == "task"
    return sa.true()


# Built once; case, page size and offset are parameters. The page's items, each with its
# author, task (and assignee) and files, come in one statement whatever they hold.
FEED_PAGES = {
    feed_filter: (sa.select(FeedItem)
                  .where(FeedItem.case_id == sa.bindparam("case_id"), _filter_clause(feed_filter))
                  .options(joinedload(FeedItem.author),
                           joinedload(FeedItem.task).joinedload(Task.assignee),
                           joinedload(FeedItem.attachments),
                           joinedload(FeedItem.outbox_message))
                  .order_by(FeedItem.created_at.desc(), FeedItem.id.desc())
                  .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    for feed_filter in FEED_FILTERS}


def list_feed(case: Case, feed_filter: str = "all", *, page: int = 1,
              per_page: int = 50) -> tuple[list[FeedItem], bool]:
    """One page of the timeline, newest first, and whether an older page follows."""
    stmt = FEED_PAGES[feed_filter if feed_filter in FEED_FILTERS else "all"]
    items = db.session.scalars(stmt, {"case_id": case.id, "limit": per_page + 1,
                                      "offset": (max(page, 1) - 1) * per_page}).unique().all()
    return list(items[:per_page]), len(items) > per_page


def get_attachment(case: Case, attachment_id: int) -> Attachment | None:
    """An attachment of this case (never one of another case with the same id)."""
    return db.session.scalar(sa.select(Attachment).where(Attachment.id == attachment_id,
                                                         Attachment.case_id == case.id))


def get_task(case: Case, task_id: int) -> Task | None:
    """A task of this case (never one of another case with the same id)."""
    return db.session.scalar(sa.select(Task).where(Task.id == task_id, Task.case_id == case.id)
                             .options(joinedload(Task.assignee)))


def assignable_users() -> list[User]:
    """Active staff, by name: who a task may be assigned to."""
    return list(db.session.scalars(sa.select(User).where(User.active_staff())
                                   .order_by(User.name)))


def open_tasks_stmt(user: User) -> sa.Select:
    """The user's open tasks on cases they can see: overdue and soonest first, undated last."""
    return (sa.select(Task).join(Task.case)
            .where(Task.assignee_id == user.id, Task.completed_at.is_(None), visible_cases(user))
            .options(joinedload(Task.case))
            .order_by(sa.case((Task.due_date.is_(None), 1), else_=0), Task.due_date,
                      Task.id))
