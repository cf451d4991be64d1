"""The mail outbox, delivery half: claim due messages, send them over SMTP, retry with back-off."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_mail import Connection, Message

from app.database import write_transactions
from app.extensions import db, mail
from app.models import OutboxMessage
from app.models.common import utcnow
from app.services import files as file_store
from app.services.errors import ValidationFailed
from app.services.mail_headers import check_header
from app.services.outbox import inactive_addresses

DEFAULTS = {"MAIL_MAX_ATTEMPTS": 6, "MAIL_RETRY_SECONDS": 60, "MAIL_RETRY_MAX_SECONDS": 3600,
            "MAIL_TIMEOUT": 30, "MAIL_SEND_LEASE_SECONDS": 900}


def setting(key: str) -> int:
    return int(current_app.config.get(key, DEFAULTS[key]))


def retry_delay(attempts: int) -> timedelta:
    """Back-off: the base delay doubling per attempt, capped."""
    seconds = setting("MAIL_RETRY_SECONDS") * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, setting("MAIL_RETRY_MAX_SECONDS")))


@dataclass
class Claimed:
    """A copy of a claimed row, so no transaction stays open while SMTP is talked to."""

    id: int
    attempts: int
    to_addrs: list[str]
    cc_addrs: list[str]
    subject: str
    body_text: str
    body_html: str
    message_id: str
    in_reply_to: str
    references: str
    auto_generated: bool
    blocked: set[str]
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, sha256


def claim_next(now: datetime) -> Claimed | None:
    """Take one due message for this sender and commit, so no other sender takes it."""
    due = (sa.select(OutboxMessage.id)
           .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # Compare-and-set: the status check in the UPDATE itself decides between two senders.
    stmt = (sa.update(OutboxMessage)
            .where(OutboxMessage.id == due.scalar_subquery(), OutboxMessage.status == "queued")
            .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False))
    claimed = db.session.execute(stmt).scalar()
    db.session.commit()
    if claimed is None:
        return None
    row = db.session.get(OutboxMessage, claimed, populate_existing=True)
    copy = Claimed(id=row.id, attempts=row.attempts, to_addrs=list(row.to_addrs),
                   cc_addrs=list(row.cc_addrs or []), subject=row.subject,
                   body_text=row.body_text, body_html=row.body_html,
                   message_id=row.message_id, in_reply_to=row.in_reply_to,
                   references=row.references, auto_generated=row.auto_generated,
                   blocked=inactive_addresses(row.recipients),
                   attachments=[(a.original_name, file_store.safe_type(a.content_type), a.sha256)
                                for a in (row.feed_item.attachments if row.feed_item else [])])
    db.session.commit()
    return copy


def _finish(message_id: int, **values) -> None:
    """Record a delivery result in a transaction of its own."""
    # End the read transaction first: on SQLite, upgrading a reader to a writer while another
    # sender writes fails at once instead of waiting.
    db.session.rollback()
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


class _Connection(Connection):
    """Flask-Mail's connection with a timeout, reading the settings live from config."""

    def configure_host(self):
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=setting("MAIL_TIMEOUT"))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def open_connection() -> _Connection:
    state = mail.init_mail(current_app.config, current_app.debug, current_app.testing)
    return _Connection(state)


def build_message(row: Claimed, to: list[str], cc: list[str]) -> Message:
    """The Flask-Mail message for a row: its own Message-ID, threading and a text part."""
    headers = {}
    if row.in_reply_to:
        headers["In-Reply-To"] = row.in_reply_to
    if row.references:
        headers["References"] = row.references
    if row.auto_generated:
        headers["Auto-Submitted"] = "auto-generated"
    if current_app.config.get("MAIL_REPLY_TO"):
        headers["Reply-To"] = check_header(current_app.config["MAIL_REPLY_TO"], "Reply-To")
    message = Message(subject=row.subject, recipients=to, cc=cc, body=row.body_text,
                      html=row.body_html or None, extra_headers=headers,
                      sender=current_app.config.get("MAIL_DEFAULT_SENDER"))
    message.msgId = row.message_id
    for name, content_type, sha256 in row.attachments:
        try:
            data = file_store.path_for(sha256).read_bytes()
        except OSError as exc:  # a lost file will not come back: fail this message, not SMTP
            raise ValidationFailed(f"Not sent: the attached file {name} is missing from the "
                                   "file store.") from exc
        message.attach(name, content_type, data)
    return message


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message (not the server or our login) will not get better."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return (isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError))
            and error.smtp_code >= 500)


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "Refused: " + "; ".join(f"{addr} ({code} {msg.decode(errors='replace')})"
                                       for addr, (code, msg) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        return f"{error.smtp_code} {detail}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"Sent {self.sent}, will retry {self.retrying}, failed {self.failed}."


def _record_failure(row: Claimed, error: Exception, now: datetime, report: SendReport):
    text = _describe(error)[:2000]
    report.errors.append(text)
    if _is_permanent(error) or row.attempts >= setting("MAIL_MAX_ATTEMPTS"):
        report.failed += 1
        _finish(row.id, status="failed", last_error=text, claimed_at=None)
    else:
        report.retrying += 1
        _finish(row.id, status="queued", last_error=text, claimed_at=None,
                next_attempt_at=now + retry_delay(row.attempts))


def deliver(row: Claimed, connection: _Connection) -> str:
    """Send one claimed message over an open connection; return a note on left-out addresses."""
    blocked = row.blocked
    to = [a for a in row.to_addrs if a.lower() not in blocked]
    cc = [a for a in row.cc_addrs if a.lower() not in blocked]
    if not to and not cc:
        raise ValidationFailed("Not sent: every recipient is an inactive user.")
    connection.send(build_message(row, to or cc, cc if to else []))
    return f"Left out inactive users: {', '.join(sorted(blocked))}" if blocked else ""


def send_due(now: datetime | None = None, limit: int = 500) -> SendReport:
    """Deliver every due message once; stop early when the SMTP server cannot be reached."""
    with write_transactions():
        return _send_due(now, limit)


def _send_due(now: datetime | None, limit: int) -> SendReport:
    report, connection = SendReport(), None
    db.session.commit()  # the sender owns its transactions: start from a clean one
    try:
        for _ in range(limit):
            row = claim_next(now or utcnow())
            if row is None:
                break
            try:
                if connection is None:
                    connection = open_connection().__enter__()
                note = deliver(row, connection)
            except ValidationFailed as exc:
                report.failed += 1
                _finish(row.id, status="failed", last_error=str(exc), claimed_at=None)
                continue
            except (smtplib.SMTPException, OSError) as exc:
                _record_failure(row, exc, utcnow(), report)
                if not isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                                        smtplib.SMTPSenderRefused)):
                    break  # the server is down or refused us: leave the rest for later
                continue
            report.sent += 1
            _finish(row.id, status="sent", sent_at=utcnow(), claimed_at=None, last_error=note)
    finally:
        if connection is not None:
            try:
                connection.__exit__(None, None, None)
            except (smtplib.SMTPException, OSError):
                pass
    return report


def recover_stale(now: datetime | None = None) -> int:
    """Fail messages a crashed sender left mid-send: resending could deliver them twice."""
    cutoff = (now or utcnow()) - timedelta(seconds=setting("MAIL_SEND_LEASE_SECONDS"))
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
        .values(status="failed", claimed_at=None,
                last_error="The sender stopped while delivering this message; it may or may "
                           "not have arrived. Resend it if it did not.")
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
