"""The mail outbox, enqueue half: queue messages in the caller's transaction (app.mail sends)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, OutboxMessage, User, WorkflowRule
from app.models.common import utcnow
from app.services.errors import ValidationFailed
from app.services.mail_headers import check_header, new_message_id, parse_addresses

# Set on the session by a flush that queued mail: the commit that follows wakes the sender.
PENDING_FLAG = "outbox_pending"


def inactive_addresses(addresses: list[str]) -> set[str]:
    """The addresses (lower-cased) that belong to inactive users."""
    lowered = [a.lower() for a in addresses]
    if not lowered:
        return set()
    return set(db.session.scalars(sa.select(sa.func.lower(User.email)).where(
        sa.func.lower(User.email).in_(lowered), User.active.is_(False))))


def enqueue_message(*, to: list[str], subject: str, text: str, html: str = "",
                    cc: list[str] | None = None, case: Case | None = None,
                    rule: WorkflowRule | None = None, kind: str = "alert",
                    in_reply_to: str = "", references: list[str] | None = None,
                    auto_generated: bool = True, feed_item_id: int | None = None
                    ) -> OutboxMessage | None:
    """Queue a message in the current transaction; inactive users are left out."""
    to, cc = parse_addresses(to, "To"), parse_addresses(cc or [], "Cc")
    check_header(subject, "Subject")
    for value in (in_reply_to, *(references or [])):
        check_header(value, "References")
    blocked = inactive_addresses(to + cc)
    to = [a for a in to if a.lower() not in blocked]
    cc = [a for a in cc if a.lower() not in blocked and a.lower() not in {t.lower() for t in to}]
    if not to and not cc:
        return None
    message = OutboxMessage(
        kind=kind, to_addrs=to or cc, cc_addrs=cc if to else [], subject=subject[:255],
        body_text=text, body_html=html or "", message_id=new_message_id(),
        in_reply_to=in_reply_to, references=" ".join(references or []),
        auto_generated=auto_generated, case=case, rule=rule, feed_item_id=feed_item_id,
        next_attempt_at=utcnow())
    db.session.add(message)
    db.session.flush()
    db.session.info[PENDING_FLAG] = True
    return message


def has_failing_mail(*, since: datetime) -> bool:
    """True when a message queued before `since` is still failing (its retries go on)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(
        OutboxMessage.status.in_(("queued", "sending")), OutboxMessage.attempts > 0,
        OutboxMessage.last_error != "", OutboxMessage.created_at <= since))))


def resend_message(message: OutboxMessage) -> OutboxMessage:
    """Queue a failed message again, keeping its Message-ID."""
    if message.status != "failed":
        raise ValidationFailed("Only a failed message can be resent.")
    if not (message.body_text or "").strip():
        raise ValidationFailed("This alert was never rendered, so there is nothing to resend. "
                               "Fix its template; the next matching change queues a new one.")
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()
    db.session.info[PENDING_FLAG] = True
    return message
