"""Workflow rules, email templates, the mail outbox and the inbound mail log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.cases import Case, FeedItem
from app.models.common import CreatedMixin, UTCDateTime, utcnow

EVALUATE_ON = {
    "created": "When a case is created",
    "every_edit": "When a case is created, and every time it is edited",
    "meets_criteria": "When a case is created, and any time it is edited to subsequently meet "
                      "the criteria",
}
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


class EmailTemplate(CreatedMixin, db.Model):
    """An admin-written alert with merge fields, rendered in a sandbox."""

    __tablename__ = "email_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class WorkflowRule(CreatedMixin, db.Model):
    __tablename__ = "workflow_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    evaluate_on: Mapped[str] = mapped_column(sa.String(20), default="every_edit")
    match: Mapped[str] = mapped_column(sa.String(3), default="all")
    # Alerts skip the person whose own change fired the rule unless this says otherwise.
    notify_actor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    criteria: Mapped[list[RuleCriterion]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="RuleCriterion.position")
    actions: Mapped[list[RuleAction]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="RuleAction.position")

    @property
    def email_actions(self) -> list[RuleAction]:
        return [a for a in self.actions if a.kind == "email"]

    @property
    def field_updates(self) -> list[RuleAction]:
        return [a for a in self.actions if a.kind == "field_update"]


class RuleCriterion(db.Model):
    """One row of a rule's criteria: field, operator, value."""

    __tablename__ = "workflow_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("workflow_rules.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(default=0)
    field: Mapped[str] = mapped_column(sa.String(40))
    operator: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[str] = mapped_column(sa.String(255), default="")

    rule: Mapped[WorkflowRule] = relationship(back_populates="criteria")


class RuleAction(db.Model):
    """An email alert (template + recipients) or a field update (field + value)."""

    __tablename__ = "workflow_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(sa.ForeignKey("workflow_rules.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(20))
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("email_templates.id"),
                                                    index=True)
    # {"kinds": [...], "team_role_id": int | None, "user_ids": [...], "addresses": [...]}
    recipients: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    field: Mapped[str] = mapped_column(sa.String(40), default="")
    value: Mapped[str] = mapped_column(sa.String(255), default="")

    rule: Mapped[WorkflowRule] = relationship(back_populates="actions")
    template: Mapped[EmailTemplate | None] = relationship()


class OutboxMessage(CreatedMixin, db.Model):
    """One email: queued in the transaction of the change that caused it, then sent or failed."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="alert")
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    to_addrs: Mapped[list[str]] = mapped_column(sa.JSON)
    cc_addrs: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    in_reply_to: Mapped[str] = mapped_column(sa.String(255), default="")
    references: Mapped[str] = mapped_column(sa.Text, default="")
    auto_generated: Mapped[bool] = mapped_column(default=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id", ondelete="SET NULL"),
                                                index=True)
    rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workflow_rules.id", ondelete="SET NULL"), index=True)
    feed_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("feed_items.id", ondelete="SET NULL"))

    case: Mapped[Case | None] = relationship()
    rule: Mapped[WorkflowRule | None] = relationship()
    feed_item: Mapped[FeedItem | None] = relationship()

    @property
    def recipients(self) -> list[str]:
        return list(self.to_addrs or []) + list(self.cc_addrs or [])

    @property
    def delivery_state(self) -> str:
        """queued, sent, failing (an attempt failed; it will be retried) or failed."""
        if self.status in ("sent", "failed"):
            return self.status
        return "failing" if self.attempts and self.last_error else "queued"


class InboundEmail(CreatedMixin, db.Model):
    """A message `mail ingest` accepted into a case; its Message-ID threads later replies."""

    __tablename__ = "inbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    feed_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("feed_items.id", ondelete="SET NULL"))
    from_addr: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(255), default="")

    case: Mapped[Case] = relationship()
