"""Email from the case: the publisher's Email action, threaded with earlier mail."""
from __future__ import annotations

import sqlalchemy as sa
from jinja2 import TemplateError
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Attachment, Case, EmailTemplate, FeedItem, InboundEmail, User
from app.services import files as file_store
from app.services.cases import note_first_response
from app.services.errors import DomainError, ValidationFailed
from app.services.mail_headers import check_header, parse_addresses, thread_root
from app.services.markdown import render_markdown
from app.services.notifications import merge_context, render_pair, sandbox
from app.services.outbox import enqueue_message

MAX_BODY = 20000
MAX_ATTACHMENTS = 10


class DuplicateEmail(DomainError):
    """The same Email form arrived twice; the first one was queued."""

    def __init__(self):
        super().__init__("That email was already queued; it is shown once in the feed.")


def default_subject(case: Case) -> str:
    return f"[Case {case.padded_number}] {case.subject}"


def default_recipient(case: Case) -> str:
    return case.contact.email if case.contact is not None and case.contact.email else ""


def list_email_templates() -> list[EmailTemplate]:
    """The admin's email templates, by name: what the Email tab offers."""
    return list(db.session.scalars(sa.select(EmailTemplate).order_by(EmailTemplate.name)))


def fill_from_template(template_id, case: Case, actor: User) -> tuple[str, str]:
    """A template's subject and text body rendered for the case in the sandbox, with the merge
    fields workflow alerts use; raises ValidationFailed when it is missing or does not render."""
    template = db.session.get(EmailTemplate, int(template_id)) if str(template_id).isdigit() \
        else None
    if template is None:
        raise ValidationFailed("Choose a template.", "template")
    context = merge_context(case, actor)
    try:
        subject = " ".join(sandbox(False).from_string(template.subject).render(context).split())
        body = sandbox(False).from_string(template.body_text).render(context)
    except TemplateError as exc:
        raise ValidationFailed(f"The template “{template.name}” does not render for this case: "
                               f"{exc}", "template") from exc
    return subject[:255], body.strip()


def thread_headers(case: Case) -> tuple[str, list[str]]:
    """In-Reply-To and References for a new message about the case."""
    last_inbound = db.session.scalar(
        sa.select(InboundEmail.message_id).where(InboundEmail.case_id == case.id)
        .order_by(InboundEmail.id.desc()).limit(1))
    references = [thread_root(case)] + ([last_inbound] if last_inbound else [])
    return last_inbound or "", references


def envelope(*, subject: str, to: list[str] = (), cc: list[str] = (),
             sender: str = "") -> list[dict]:
    """The email's header lines, stored with its feed item in the shape of change rows."""
    rows = [("from", "From", sender), ("to", "To", ", ".join(to)), ("cc", "Cc", ", ".join(cc)),
            ("subject", "Subject", subject)]
    return [{"field": field, "label": label, "new": value} for field, label, value in rows
            if value]


def _check(subject: str, body: str) -> tuple[str, str]:
    subject = check_header((subject or "").strip(), "Subject")
    if not subject:
        raise ValidationFailed("Subject is required.", "subject")
    if len(subject) > 255:
        raise ValidationFailed("Keep the subject under 255 characters.", "subject")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Write the message before sending.", "body")
    if len(body) > MAX_BODY:
        raise ValidationFailed(f"Keep the message under {MAX_BODY} characters.", "body")
    return subject, body


def _check_key(actor: User, request_key: str | None) -> None:
    if request_key and db.session.scalar(sa.select(FeedItem.id).where(
            FeedItem.author_id == actor.id, FeedItem.request_key == request_key)) is not None:
        raise DuplicateEmail()


def send_case_email(case: Case, *, actor: User, to: str | list[str], cc: str | list[str] = "",
                    subject: str, body: str, request_key: str | None = None,
                    uploads=()) -> FeedItem:
    """Email the customer from the case: a public feed item plus a queued message. Files
    (name, data, declared type) are stored and attached to the item; the message carries the
    item's attachments when it is sent."""
    to_list, cc_list = parse_addresses(to, "To"), parse_addresses(cc, "Cc")
    if not to_list:
        raise ValidationFailed("Add at least one recipient.", "to")
    subject, body = _check(subject, body)
    uploads = list(uploads)
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"Attach at most {MAX_ATTACHMENTS} files.", "attachments")
    _check_key(actor, request_key)
    item = FeedItem(case_id=case.id, case=case, kind="email", author=actor, body=body,
                    body_html=render_markdown(body), visibility="public",
                    case_version=case.version, request_key=request_key or None)
    item.attachments = [Attachment(case_id=case.id, original_name=f.name,
                                   content_type=f.content_type, size=f.size, sha256=f.sha256)
                        for f in file_store.store_uploads(uploads)]
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError as exc:  # a concurrent twin with the same request key
        raise DuplicateEmail() from exc
    in_reply_to, references = thread_headers(case)
    text, html = render_pair("case_email", case=case, actor=actor, body=body,
                             body_html=Markup(item.body_html))
    message = enqueue_message(to=to_list, cc=cc_list, subject=subject, text=text, html=html,
                              case=case, kind="email", in_reply_to=in_reply_to,
                              references=references, auto_generated=False,
                              feed_item_id=item.id)
    if message is None:
        raise ValidationFailed("None of these addresses can receive mail: they belong to "
                               "inactive users.", "to")
    item.changes = envelope(subject=subject, to=message.to_addrs, cc=message.cc_addrs)
    note_first_response(case)
    db.session.flush()
    return item
