"""The customer's conversation on a case: which timeline items a customer may see (in the
portal, and in the "latest comment" a workflow email quotes)."""
from __future__ import annotations

from email.utils import getaddresses

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Contact, FeedItem

# Of the timeline, customers see the conversation only: never changes, tasks or system lines.
CONVERSATION_KINDS = ("post", "file", "email")


def _addresses(item: FeedItem) -> set[str]:
    """Every address on an email item's envelope (From, To, Cc), lower-cased."""
    values = [row.get("new") or "" for row in item.changes or ()
              if isinstance(row, dict) and row.get("field") in ("from", "to", "cc")]
    return {address.lower() for _, address in getaddresses(values) if address}


def customer_addresses(case: Case) -> set[str]:
    """The addresses of the case's account's contacts (and of its contact): the customer."""
    stmt = sa.select(sa.func.lower(Contact.email)).where(Contact.email.is_not(None))
    if case.account_id is not None:
        stmt = stmt.where(sa.or_(Contact.account_id == case.account_id,
                                 Contact.id == case.contact_id))
    else:
        stmt = stmt.where(Contact.id == case.contact_id)
    return set(db.session.scalars(stmt))


def in_conversation(item: FeedItem, addresses: set[str]) -> bool:
    """Whether the customer may see this timeline item: public posts and files, and public
    emails to or from the customer (an email to a third party stays with the staff)."""
    if not item.is_public or item.kind not in CONVERSATION_KINDS:
        return False
    if item.kind != "email":
        return True
    return bool(_addresses(item) & addresses)


def latest_customer_comment(case: Case, look_back: int = 20) -> str:
    """The text of the newest public post or email of the customer's conversation."""
    items = db.session.scalars(
        sa.select(FeedItem).where(FeedItem.case_id == case.id, FeedItem.visibility == "public",
                                  FeedItem.kind.in_(("post", "email")))
        .order_by(FeedItem.created_at.desc(), FeedItem.id.desc()).limit(look_back))
    addresses = None
    for item in items:
        if item.kind == "email" and addresses is None:
            addresses = customer_addresses(case)
        if in_conversation(item, addresses or set()):
            return item.body
    return ""
