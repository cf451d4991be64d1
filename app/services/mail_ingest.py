"""Incoming mail: thread replies into their case, open cases for known contacts, drop loops."""
from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

import nh3
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Attachment, Case, Contact, FeedItem, InboundEmail, OutboxMessage, User
from app.services import files as file_store
from app.services.case_mail import envelope
from app.services.cases import create_case, note_conversation
from app.services.eligibility import entitle_automatically
from app.services.errors import DomainError, ValidationFailed
from app.services.mail_headers import mail_domain
from app.services.markdown import render_markdown

MAX_ATTACHMENTS = 20
SUBJECT_NUMBER = re.compile(r"\[\s*case\s*#?\s*(\d+)\s*\]|\bcase\s*#\s*(\d+)|\bcase\s+(\d{8})\b",
                            re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
QUOTE_START = re.compile(r"^(On .{0,200} wrote:|-{2,} ?Original Message ?-{2,})$", re.MULTILINE)
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BAD_BASE64 = ("InvalidBase64CharactersDefect", "InvalidBase64PaddingDefect",
              "InvalidBase64LengthDefect")


class IngestError(DomainError):
    """The message cannot be read; nothing was stored."""


@dataclass
class IngestResult:
    outcome: str  # appended, opened or ignored
    reason: str = ""
    case: Case | None = None

    def __str__(self) -> str:
        if self.case is not None:
            verb = "Opened" if self.outcome == "opened" else "Added to"
            return f"{verb} case {self.case.padded_number}."
        return f"Ignored: {self.reason}."


@dataclass
class Incoming:
    message_id: str
    sender_name: str
    sender: str
    subject: str
    body: str
    files: list[tuple[str, bytes, str]]
    refs: list[str]


def parse(raw: bytes) -> tuple[EmailMessage, Incoming]:
    """Read everything we need up front, so a damaged message is refused before any write."""
    limit = int(current_app.config.get("MAIL_INGEST_MAX_MB", 50)) * 1024 * 1024
    if not raw or not raw.strip():
        raise IngestError("The message is empty.")
    if len(raw) > limit:
        raise IngestError(f"The message is larger than {limit // (1024 * 1024)} MB.")
    msg = email.message_from_bytes(raw, policy=policy.default)
    if any(type(d).__name__ == "MissingHeaderBodySeparatorDefect" for d in msg.defects):
        raise IngestError("This is not an email message: it has no header section.")
    try:
        name, sender = parseaddr(str(msg.get("From", "")))
        subject = " ".join(str(msg.get("Subject", "")).split())[:255]
        refs = MESSAGE_ID.findall(f"{msg.get('In-Reply-To', '')} ") + list(reversed(
            MESSAGE_ID.findall(str(msg.get("References", "")))))
    except (ValueError, TypeError, IndexError) as exc:
        raise IngestError(f"A header could not be read: {exc}") from exc
    if "@" not in sender:
        raise IngestError("The message has no valid From address.")
    message_id = (MESSAGE_ID.findall(str(msg.get("Message-ID", ""))) or
                  [f"<{hashlib.sha256(raw).hexdigest()}@ingest.invalid>"])[0][:255]
    return msg, Incoming(message_id=message_id, sender_name=" ".join(name.split()),
                         sender=sender.strip().lower(), subject=subject, body=body_of(msg),
                         files=attachments_of(msg), refs=refs)


def body_of(msg: EmailMessage) -> str:
    """The plain text of the message (HTML stripped when there is no text part), quotes cut."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError) as exc:
        raise IngestError(f"The message body could not be decoded: {exc}") from exc
    if part.get_content_type() == "text/html":
        text = nh3.clean(re.sub(r"(?i)<br\s*/?>|</p>", "\n", text), tags=set())
    text = text.replace("\r\n", "\n").strip()
    match = QUOTE_START.search(text)
    if match and match.start() > 0:  # keep the new text, drop the quoted history
        text = text[:match.start()].rstrip()
    return text


def attachments_of(msg: EmailMessage) -> list[tuple[str, bytes, str]]:
    files = []
    for part in msg.iter_attachments():
        if part.is_multipart() or part.get_content_type() == "message/delivery-status":
            continue
        name = part.get_filename() or f"attachment-{len(files) + 1}"
        try:
            content = part.get_content()
        except (LookupError, ValueError) as exc:
            raise IngestError(f"The attachment {name} could not be decoded: {exc}") from exc
        if any(type(d).__name__ in BAD_BASE64 for d in part.defects):
            raise IngestError(f"The attachment {name} is damaged (invalid base64).")
        if isinstance(content, str):
            content = content.encode("utf-8")
        elif isinstance(content, EmailMessage):
            content = content.as_bytes()
        if len(content) > file_store.max_upload_bytes():
            raise IngestError(f"The attachment {name} is larger than the "
                              f"{file_store.human_size(file_store.max_upload_bytes())} limit.")
        files.append((name, content, part.get_content_type()))
    if len(files) > MAX_ATTACHMENTS:
        raise IngestError(f"The message has {len(files)} attachments; at most "
                          f"{MAX_ATTACHMENTS} are accepted.")
    return files


def automatic_reason(msg: EmailMessage, incoming: Incoming) -> str | None:
    """Why this message must not open a case or be answered (bounces, auto-replies, loops)."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"automatic message (Auto-Submitted: {auto})"
    if str(msg.get("Precedence", "")).strip().lower() in BULK_PRECEDENCE:
        return "bulk or automatic message (Precedence)"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("List-Id"):
        return "automatic or mailing-list message"
    if msg.get_content_type() == "multipart/report" or str(msg.get("Return-Path", "")) == "<>":
        return "delivery status report (bounce)"
    if incoming.sender.split("@")[0] in ("mailer-daemon", "postmaster"):
        return "delivery status report (bounce)"
    own = parseaddr(str(current_app.config.get("MAIL_DEFAULT_SENDER", "")))[1].lower()
    if incoming.sender == own:
        return "sent by Casebook itself"
    return None


def find_case(incoming: Incoming) -> Case | None:
    """The case a reply belongs to: by the messages it refers to, then by the subject."""
    root = re.compile(rf"<case-(\d+)@{re.escape(mail_domain())}>", re.IGNORECASE)
    for ref in incoming.refs:
        case_id = (db.session.scalar(sa.select(OutboxMessage.case_id)
                                     .where(OutboxMessage.message_id == ref))
                   or db.session.scalar(sa.select(InboundEmail.case_id)
                                        .where(InboundEmail.message_id == ref)))
        if case_id:
            return db.session.get(Case, case_id)
        if match := root.fullmatch(ref):
            if case := _case_by_number(match.group(1)):
                return case
    match = SUBJECT_NUMBER.search(incoming.subject)
    return _case_by_number(next(g for g in match.groups() if g)) if match else None


def _case_by_number(number: str) -> Case | None:
    value = int(number)
    return db.session.scalar(sa.select(Case).where(Case.number == value)) if value < 2**62 else None


def _is_customer_of(case: Case, address: str) -> bool:
    """The case's contact, or a contact of its account: their mail is public on the case."""
    if case.contact is not None and (case.contact.email or "").lower() == address:
        return True
    return case.account_id is not None and db.session.scalar(sa.select(Contact.id).where(
        Contact.account_id == case.account_id, sa.func.lower(Contact.email) == address)) is not None


def append_email(case: Case, incoming: Incoming, author: User | None,
                 visibility: str) -> FeedItem:
    """Put the message on the case's timeline with its attachments, and remember its id."""
    sender = (f"{incoming.sender_name} <{incoming.sender}>" if incoming.sender_name
              else incoming.sender)
    item = FeedItem(case_id=case.id, case=case, kind="email", author=author,
                    body=incoming.body, body_html=render_markdown(incoming.body),
                    visibility=visibility, case_version=case.version,
                    changes=envelope(subject=incoming.subject, sender=sender))
    try:
        stored = file_store.store_uploads(incoming.files)
    except ValidationFailed as exc:
        raise IngestError(str(exc)) from exc
    item.attachments = [Attachment(case_id=case.id, original_name=f.name,
                                   content_type=f.content_type, size=f.size, sha256=f.sha256)
                        for f in stored]
    db.session.add(item)
    db.session.flush()
    db.session.add(InboundEmail(message_id=incoming.message_id, case_id=case.id,
                                feed_item_id=item.id, from_addr=incoming.sender[:254],
                                subject=incoming.subject))
    note_conversation(case)
    return item


def default_owner() -> User | None:
    """Who owns cases opened by email: MAIL_CASE_OWNER, else the first active admin."""
    configured = str(current_app.config.get("MAIL_CASE_OWNER") or "").strip().lower()
    stmt = sa.select(User).where(User.active.is_(True))
    if configured:
        user = db.session.scalar(stmt.where(sa.func.lower(User.email) == configured))
        if user is not None and user.is_staff:
            return user
    return db.session.scalar(stmt.where(User.role == "admin").order_by(User.id).limit(1))


def open_case(contact: Contact, incoming: Incoming) -> Case:
    owner = default_owner()
    if owner is None:
        raise IngestError("No active admin can own a new case; create one first.")
    actor = db.session.scalar(sa.select(User).where(User.contact_id == contact.id,
                                                    User.active.is_(True))) or owner
    case = create_case(actor=actor, subject=incoming.subject or "(no subject)",
                       description=incoming.body, origin="Email", contact=contact, owner=owner)
    entitle_automatically(case)
    append_email(case, incoming, None, "public")
    return case


def ingest_message(raw: bytes) -> IngestResult:
    """Take one RFC 822 message: thread it, open a case, or ignore it; flush, never commit."""
    msg, incoming = parse(raw)
    if db.session.scalar(sa.select(InboundEmail.id).where(
            InboundEmail.message_id == incoming.message_id)) is not None:
        return IngestResult("ignored", "this message was already received")
    if reason := automatic_reason(msg, incoming):
        return IngestResult("ignored", reason)
    case = find_case(incoming)
    if case is not None:
        staff = db.session.scalar(sa.select(User).where(
            sa.func.lower(User.email) == incoming.sender, User.active.is_(True)))
        author = staff if staff is not None and staff.is_staff else None
        public = author is None and _is_customer_of(case, incoming.sender)
        append_email(case, incoming, author, "public" if public else "internal")
        return IngestResult("appended", case=case)
    contact = db.session.scalar(sa.select(Contact).where(
        sa.func.lower(Contact.email) == incoming.sender))
    if contact is None:
        return IngestResult("ignored", f"{incoming.sender} is not a known contact")
    return IngestResult("opened", case=open_case(contact, incoming))
