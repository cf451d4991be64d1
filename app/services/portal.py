"""The customer portal's reads and writes: a view over cases, the feed and case teams.

The portal owns no rules of its own: cases come through app.access.portal_cases, changes go
through app.services.cases (update_case) and app.services.feed, so workflow, milestones and
the outbox run exactly as for any other change.
"""
from __future__ import annotations

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from app.access import portal_cases, portal_contact
from app.extensions import db
from app.pagination import Page, paginate
from app.models import Attachment, Case, Contact, FeedItem, User
from app.models.common import utcnow
from app.services import cases as case_service
from app.services import feed as feed_service
from app.services.cases import after_case_change
from app.services.conversation import CONVERSATION_KINDS, customer_addresses, in_conversation
from app.services.errors import AccessDenied, ValidationFailed
from app.services.mail_headers import thread_root
from app.services.notifications import case_url, render_pair
from app.services.outbox import enqueue_message

CASE_STATES = {"open": "Open", "closed": "Closed"}


def account_contacts(contact: Contact) -> list[Contact]:
    """The contacts of the customer's account, by name (an account admin filters by them)."""
    return list(db.session.scalars(sa.select(Contact).where(
        Contact.account_id == contact.account_id).order_by(Contact.name, Contact.id)))


def my_cases_stmt(user: User, *, state: str = "open", scope: str = "mine",
                  contact_id: int | None = None) -> sa.Select:
    """The customer's cases in one state, last updated first. "mine" is the cases they are the
    contact of; "all" (an account admin's "All our cases") every case they may see, narrowed
    to one contact of their account when asked."""
    contact = portal_contact(user)
    stmt = sa.select(Case).where(portal_cases(user))
    if scope != "all" or contact is None or not contact.portal_account_admin:
        stmt = stmt.where(Case.contact_id == (contact.id if contact else None))
    elif contact_id is not None:
        stmt = stmt.where(Case.contact_id == contact_id, Case.account_id == contact.account_id)
    if state == "closed":
        stmt = stmt.where(Case.status == "Closed")
    elif state == "open":
        stmt = stmt.where(Case.status != "Closed")
    return (stmt.options(joinedload(Case.contact))
            .order_by(Case.updated_at.desc(), Case.number.desc()))


# A list's total is counted up to this many rows past the page's start ("1,000+"), as on
# the staff lists: an account admin of a large account never waits for a full count.
COUNT_CAP = 1_000


def page_of_cases(stmt: sa.Select, *, page: int, per_page: int) -> Page:
    """One page of a case list with a total bounded by COUNT_CAP past the page's start."""
    bound = (page - 1) * per_page + COUNT_CAP
    counted = db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.order_by(None).with_only_columns(Case.id).limit(bound + 1).subquery())) or 0
    results = paginate(stmt, page=page, per_page=per_page, total=min(counted, bound))
    results.capped = counted > bound
    return results


CONVERSATION_PAGE = 50


def conversation(case: Case, *, page: int = 1) -> tuple[list[FeedItem], bool]:
    """One page of the case's public conversation, oldest first on the page (the newest page
    first), and whether earlier messages exist."""
    stmt = (sa.select(FeedItem)
            .where(FeedItem.case_id == case.id, FeedItem.visibility == "public",
                   FeedItem.kind.in_(CONVERSATION_KINDS))
            .options(joinedload(FeedItem.author), selectinload(FeedItem.attachments))
            .order_by(FeedItem.created_at.desc(), FeedItem.id.desc()))
    items = db.session.scalars(stmt).all()
    # The customer's addresses matter only for emails (most cases have none: no query).
    addresses = customer_addresses(case) if any(i.kind == "email" for i in items) else set()
    shown = [item for item in items if in_conversation(item, addresses)]
    start = (max(page, 1) - 1) * CONVERSATION_PAGE
    chosen = shown[start:start + CONVERSATION_PAGE]
    return list(reversed(chosen)), len(shown) > start + CONVERSATION_PAGE


def public_attachment(case: Case, attachment_id: int) -> Attachment | None:
    """A file of this case the customer may download: on an item of the conversation only,
    loaded through the case (never by its own id alone)."""
    attachment = db.session.scalar(
        sa.select(Attachment).where(Attachment.id == attachment_id,
                                    Attachment.case_id == case.id)
        .options(joinedload(Attachment.feed_item)))
    if attachment is None or attachment.feed_item.case_id != case.id:
        return None
    if not in_conversation(attachment.feed_item, customer_addresses(case)):
        return None
    return attachment


# The customer's own changes -------------------------------------------------------------------

def reply_as_customer(case: Case, *, actor: User, body: str = "", uploads=(),
                      request_key: str | None = None) -> FeedItem:
    """The customer's reply (text, files or both) as one public item on the case's feed; the
    case counts as updated (a case waiting on the customer goes back to Working), its rules
    and milestones run, and the owner hears of it."""
    require_portal_case(actor, case)
    uploads = list(uploads)
    if uploads:
        item = feed_service.add_files(case, actor=actor, uploads=uploads, comment=body,
                                      visibility="public", request_key=request_key)
    else:
        item = feed_service.add_post(case, actor=actor, body=body, visibility="public",
                                     request_key=request_key)
    if case.status == "Waiting on Customer":
        # The answer we waited for: back to Working, through the one door (history, rules).
        case_service.update_case(case, actor=actor, expected_version=None, status="Working")
    else:
        case.updated_at = utcnow()
        # Rules see a save without field changes; the milestones re-derive from the history,
        # so the reply restarts or completes them as any conversation item does.
        after_case_change(case, actor=actor, changes=[], created=False)
    notify_owner(case, item, actor=actor)
    return item


def notify_owner(case: Case, item: FeedItem, *, actor: User) -> None:
    """Queue a "your customer replied" email to the case owner (never to the customer)."""
    owner = case.owner
    if owner is None or not owner.active or not owner.is_staff:
        return
    text, html = render_pair("portal_reply", case=case, item=item, actor=actor,
                             body_html=Markup(item.body_html), link=case_url(case),
                             files=list(item.attachments))
    enqueue_message(to=[owner.email], subject=f"[Case {case.padded_number}] {actor.name} "
                                              f"replied: {case.subject}"[:255],
                    text=text, html=html, case=case, kind="alert",
                    references=[thread_root(case)])


def close_as_customer(case: Case, *, actor: User, note: str = "") -> list[dict]:
    """The customer closes their case (through the one door), with an optional note."""
    require_portal_case(actor, case)
    return case_service.close_case(case, actor=actor, note=note or "Closed by the customer.")


def reopen_as_customer(case: Case, *, actor: User, reason: str) -> list[dict]:
    """The customer reopens a closed case with a reason, which the history keeps."""
    require_portal_case(actor, case)
    if not (reason or "").strip():
        raise ValidationFailed("Tell us why the case needs more work.", "reason")
    if case.is_open:
        raise ValidationFailed("This case is already open.")
    return case_service.update_case(case, actor=actor, expected_version=None,
                                    status="Working", note=f"Reopened by the customer: {reason}")


def require_portal_case(actor: User, case: Case) -> None:
    """Refuse a customer's change to a case the portal does not show them."""
    visible = db.session.scalar(sa.select(Case.id).where(Case.id == case.id,
                                                         portal_cases(actor)))
    if visible is None:
        raise AccessDenied("You cannot change this case.")
