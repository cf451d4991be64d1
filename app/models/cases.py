"""Cases and everything on their timeline."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import Account, Asset, Contact
from app.models.common import CreatedMixin, UTCDateTime, utcnow
from app.models.users import User
from app.models.verification import Verification

if TYPE_CHECKING:
    from app.models.workflow import OutboxMessage

STATUSES = ("New", "Working", "Waiting on Customer", "Escalated", "Closed")
OPEN_STATUSES = STATUSES[:-1]
PRIORITIES = ("Low", "Medium", "High", "Critical")
ORIGINS = ("Phone", "Email", "Web", "Portal")
CASE_TYPES = ("Question", "Problem", "Incident", "Feature Request")
FEED_KINDS = ("post", "file", "email", "change", "article", "task", "system")
VISIBILITIES = ("internal", "public")


class Counter(db.Model):
    """A named number handed out one at a time under a row lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


class Case(CreatedMixin, db.Model):
    __tablename__ = "cases"
    # Each list view reads one of these in its default order (last updated first), so a page
    # of 50 stops after 50 index entries instead of sorting every matching case. They carry
    # the id (SQLite's indexes hold it anyway) so the page's ids come from the index alone.
    __table_args__ = (
        sa.Index("ix_cases_owner_status", "owner_id", "status"),
        sa.Index("ix_cases_status_created", "status", "created_at"),
        sa.Index("ix_cases_status_updated", "status", "updated_at", "number",
                 postgresql_include=["id"]),
        sa.Index("ix_cases_open_updated", "updated_at", "number",
                 sqlite_where=sa.text("status <> 'Closed'"),
                 postgresql_where=sa.text("status <> 'Closed'"), postgresql_include=["id"]),
        sa.Index("ix_cases_owner_open_updated", "owner_id", "updated_at", "number",
                 sqlite_where=sa.text("status <> 'Closed'"),
                 postgresql_where=sa.text("status <> 'Closed'"), postgresql_include=["id"]),
        sa.Index("ix_cases_open_priority_created", "priority", "created_at", "number",
                 sqlite_where=sa.text("status <> 'Closed'"),
                 postgresql_where=sa.text("status <> 'Closed'"), postgresql_include=["id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(30), default="New")
    priority: Mapped[str] = mapped_column(sa.String(20), default="Medium")
    origin: Mapped[str] = mapped_column(sa.String(20), default="Phone")
    type: Mapped[str] = mapped_column(sa.String(40), default="Question")
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), index=True)
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    # How the caller proved who they were when the case was opened (app.models.verification).
    verification_id: Mapped[int | None] = mapped_column(sa.ForeignKey("verifications.id"))
    entitlement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("entitlements.id"), index=True)
    no_entitlement_reason: Mapped[str] = mapped_column(sa.Text, default="")

    account: Mapped[Account | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    asset: Mapped[Asset | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    verification: Mapped[Verification | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status != "Closed"

    @property
    def padded_number(self) -> str:
        return f"{self.number:08d}"

    def __repr__(self) -> str:
        return f"<Case {self.padded_number}>"


class FeedItem(CreatedMixin, db.Model):
    """One entry on a case's timeline."""

    __tablename__ = "feed_items"
    __table_args__ = (
        sa.Index("ix_feed_items_case_created", "case_id", "created_at"),
        # One rendered publisher form saves once: a double-clicked submit repeats its key.
        sa.UniqueConstraint("author_id", "request_key", name="uq_feed_items_author_request_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    visibility: Mapped[str] = mapped_column(sa.String(10), default="internal")
    changes: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    case_version: Mapped[int | None]
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="SET NULL"))
    request_key: Mapped[str | None] = mapped_column(sa.String(64))

    case: Mapped[Case] = relationship()
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(back_populates="feed_item",
                                                         order_by="Attachment.id")
    task: Mapped[Task | None] = relationship()
    # The message an email item queued: its delivery state shows on the item.
    outbox_message: Mapped[OutboxMessage | None] = relationship(
        "OutboxMessage", viewonly=True, uselist=False)

    @hybrid_property
    def is_public(self) -> bool:
        """Customers can see it (in SQL too: FeedItem.is_public)."""
        return self.visibility == "public"

    def _rows(self):
        return (row for row in self.changes or () if isinstance(row, Mapping))

    @property
    def closes_case(self) -> bool:
        """A change that set the status to Closed (the feed says "closed the case")."""
        return self.kind == "change" and any(
            row.get("field") == "status" and row.get("new") == "Closed" for row in self._rows())

    @property
    def sender_name(self) -> str | None:
        """Who sent an inbound email: the name in the From its envelope recorded, else the
        address (the envelope row keeps the whole From)."""
        sender = next((row.get("new") for row in self._rows() if row.get("field") == "from"),
                      None)
        if not sender:
            return None
        name, address = parseaddr(sender)
        return name or address or sender


class Attachment(CreatedMixin, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    feed_item_id: Mapped[int] = mapped_column(sa.ForeignKey("feed_items.id", ondelete="CASCADE"),
                                              index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))

    feed_item: Mapped[FeedItem] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/png", "image/jpeg", "image/gif", "image/webp")


class Task(CreatedMixin, db.Model):
    __tablename__ = "tasks"
    __table_args__ = (sa.Index("ix_tasks_assignee_open", "assignee_id", "completed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    due_date: Mapped[date | None]
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Set when the due-date reminder was queued, so each task is reminded once.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])

    @hybrid_property
    def is_done(self) -> bool:
        """Completed (in SQL too: Task.is_done)."""
        return self.completed_at is not None

    @is_done.inplace.expression
    @classmethod
    def _is_done_expression(cls) -> sa.ColumnElement[bool]:
        return cls.completed_at.is_not(None)

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_date is not None and self.due_date < today


class RecentView(db.Model):
    """The last time a user opened a case, for the Recently viewed list."""

    __tablename__ = "recent_views"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
