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

import functools
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.access import visible_cases
from app.extensions import db
from app.models import Attachment, Case, FeedItem, Task, User
from app.models.cases import VISIBILITIES, AttachmentRules, FeedItemRules, TaskRules
from app.models.common import utcnow
from app.models.users import PersonRules
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
    _responded(case, actor, visibility)
    return _save(item)


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
    _responded(case, actor, visibility)
    return _save(item)


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


class FeedAuthor(PersonRules):
    """Who wrote a feed item, or who a feed task is assigned to: what the feed shows."""

    __slots__ = ("name", "role")

    def __init__(self, name: str, role: str) -> None:
        self.name, self.role = name, role


class FeedFile(AttachmentRules):
    """A file on a feed item."""

    __slots__ = ("id", "original_name", "size", "content_type")

    def __init__(self, id: int, original_name: str, size: int, content_type: str) -> None:
        self.id, self.original_name, self.size = id, original_name, size
        self.content_type = content_type


class FeedTask(TaskRules):
    """The task a feed item announced, as its card shows it."""

    __slots__ = ("id", "subject", "due_date", "completed_at", "is_done", "assignee")

    def __init__(self, id, subject, due_date, completed_at, is_done, assignee) -> None:
        self.id, self.subject, self.due_date = id, subject, due_date
        self.completed_at, self.is_done, self.assignee = completed_at, is_done, assignee


class FeedEntry(FeedItemRules):
    """One feed item as the feed shows it, read as plain columns: the same attributes the
    template reads of a FeedItem (which a route renders on its own after a post)."""

    __slots__ = ("id", "kind", "body", "body_html", "is_public", "changes", "created_at",
                 "author", "task", "attachments")

    def __init__(self, id, kind, body, body_html, is_public, changes, created_at, author,
                 task) -> None:
        self.id, self.kind, self.body, self.body_html = id, kind, body, body_html
        self.is_public, self.changes, self.created_at = is_public, changes, created_at
        self.author, self.task, self.attachments = author, task, []


@functools.cache
def _feed_page_stmt(feed_filter: str) -> sa.Select:
    """A page of a case's timeline under one filter, with authors, tasks and files, as plain
    columns, built once; case and page are parameters (a statement reused keeps its
    SQLAlchemy cache key, which costs more than the query). The page's items are chosen in a
    subquery and their files joined to it, so a page is one statement."""
    page = (sa.select(FeedItem.id, FeedItem.kind, FeedItem.body, FeedItem.body_html,
                      FeedItem.is_public.label("is_public"), FeedItem.changes,
                      FeedItem.created_at, FeedItem.author_id, FeedItem.task_id)
            .where(FeedItem.case_id == sa.bindparam("case_id"), _filter_clause(feed_filter))
            .order_by(FeedItem.created_at.desc(), FeedItem.id.desc())
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page"))
    author, assignee = aliased(User, name="author"), aliased(User, name="assignee")
    return (sa.select(page.c.id, page.c.kind, page.c.body, page.c.body_html, page.c.is_public,
                      page.c.changes, page.c.created_at, page.c.author_id, author.name,
                      author.role, Task.id, Task.subject, Task.due_date, Task.completed_at,
                      Task.is_done, Task.assignee_id, assignee.name, assignee.role,
                      Attachment.id, Attachment.original_name, Attachment.size,
                      Attachment.content_type)
            .select_from(page)
            .outerjoin(author, author.id == page.c.author_id)
            .outerjoin(Task, Task.id == page.c.task_id)
            .outerjoin(assignee, assignee.id == Task.assignee_id)
            .outerjoin(Attachment, Attachment.feed_item_id == page.c.id)
            .order_by(page.c.created_at.desc(), page.c.id.desc(), Attachment.id))


def list_feed(case: Case, feed_filter: str = "all", *, page: int = 1,
              per_page: int = 50) -> tuple[list[FeedEntry], bool]:
    """One page of the timeline, newest first, with authors, files and tasks, as FeedEntry
    rows (plain columns: a page of the ORM's objects cost the case page more than its SQL)."""
    stmt = _feed_page_stmt(feed_filter if feed_filter in FEED_FILTERS else "all")
    rows = db.session.execute(stmt, {"case_id": case.id, "limit": per_page + 1,
                                     "offset": (max(page, 1) - 1) * per_page}).tuples()
    entries: list[FeedEntry] = []
    people: dict[int, FeedAuthor] = {}

    def person(person_id: int | None, name: str, role: str) -> FeedAuthor | None:
        """One FeedAuthor per user on the page, however many items name them."""
        if person_id is None:
            return None
        if person_id not in people:
            people[person_id] = FeedAuthor(name, role)
        return people[person_id]

    last = None
    for (item_id, kind, body, body_html, is_public, changes, created_at, author_id,
         author_name, author_role, task_id, subject, due_date, completed_at, is_done,
         assignee_id, assignee_name, assignee_role, file_id, file_name, size,
         content_type) in rows:
        if last is None or last.id != item_id:  # a new item (its files come one per row)
            task = None
            if task_id is not None:
                task = FeedTask(task_id, subject, due_date, completed_at, is_done,
                                person(assignee_id, assignee_name, assignee_role))
            last = FeedEntry(item_id, kind, body, body_html, is_public, changes, created_at,
                             person(author_id, author_name, author_role), task)
            entries.append(last)
        if file_id is not None:
            last.attachments.append(FeedFile(file_id, file_name, size, content_type))
    return entries[:per_page], len(entries) > per_page


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
