"""Caller verification: record how a caller proved who they are, and carry it into a case."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import VERIFICATION_METHODS, Account, Case, Contact, FeedItem, User, Verification
from app.models.common import utcnow
from app.services.errors import ValidationFailed

# A verification older than this no longer vouches for the caller on a new case.
CARRY_FOR = timedelta(hours=1)


def record_verification(*, actor: User, account: Account, contact: Contact | None,
                        method: str, passed: bool, note: str = "") -> Verification:
    """Record that the caller was verified (or failed to be), how, by whom and when."""
    note = (note or "").strip()
    if method not in VERIFICATION_METHODS:
        raise ValidationFailed(f"Choose how the caller was verified: "
                               f"{', '.join(VERIFICATION_METHODS.values())}.", "method")
    if method == "other" and not note:
        raise ValidationFailed("Say how the caller was verified.", "note")
    if contact is not None and contact.account_id != account.id:
        raise ValidationFailed("That contact works for another account.")
    verification = Verification(account_id=account.id, contact_id=contact.id if contact else None,
                                method=method, passed=passed, note=note[:500],
                                verified_by_id=actor.id, created_at=utcnow())
    db.session.add(verification)
    db.session.flush()
    return verification


def latest_verification(account: Account, contact: Contact | None = None) -> Verification | None:
    """The most recent check of this contact's caller (or anyone at the account)."""
    owner = (Verification.contact_id == contact.id) if contact else (
        Verification.account_id == account.id)
    return db.session.scalar(sa.select(Verification).where(owner)
                             .order_by(Verification.created_at.desc(), Verification.id.desc())
                             .limit(1))


def is_current(verification: Verification | None, now: datetime | None = None) -> bool:
    """Recent enough to vouch for the caller on a case opened now."""
    return verification is not None and (now or utcnow()) - verification.created_at <= CARRY_FOR


def attach_verification(case: Case, verification_id, *, actor: User) -> Verification | None:
    """Link a case to the verification it was opened with, and say so on its feed; an id
    that is not a current check of this case's customer is ignored."""
    try:
        verification = db.session.get(Verification, int(verification_id))
    except (TypeError, ValueError, OverflowError):
        return None
    if (verification is None or verification.account_id != case.account_id
            or (verification.contact_id and verification.contact_id != case.contact_id)
            or not is_current(verification)):
        return None
    case.verification_id = verification.id
    who = verification.verified_by.name if verification.verified_by else "Someone"
    summary = "verified the caller" if verification.passed else "could not verify the caller"
    body = f"{who} {summary} by {verification.method_label}" + (
        f": {verification.note}" if verification.note else ".")
    db.session.add(FeedItem(case_id=case.id, kind="system", author=actor, body=body,
                            case_version=case.version))
    db.session.flush()
    return verification


def time_ago(when: datetime | None, now: datetime | None = None) -> str:
    """"just now", "2 min ago", "3 h ago", "4 days ago"."""
    if when is None:
        return ""
    seconds = max(0, int(((now or utcnow()) - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"
