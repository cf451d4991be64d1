"""The directory of people who can be on a case team: active staff users and contacts."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Contact, User
from app.services.errors import ValidationFailed
from app.services.matching import contains

SUGGESTIONS = 8

Person = User | Contact


def person_key(person: Person) -> str:
    return f"user:{person.id}" if isinstance(person, User) else f"contact:{person.id}"


def suggest_people(q: str, *, account_id: int | None = None,
                   limit: int = SUGGESTIONS) -> tuple[list[User], list[Contact]]:
    """Active staff users and contacts whose name or email contains q (the case's contacts first)."""
    q = (q or "").strip()[:100]
    if not q:
        return [], []
    users = db.session.scalars(
        sa.select(User).where(User.active_staff(),
                              sa.or_(contains(User.name, q), contains(User.email, q)))
        .order_by(User.name).limit(limit)).all()
    order = [Contact.name]
    if account_id:
        order.insert(0, sa.case((Contact.account_id == account_id, 0), else_=1))
    contacts = db.session.scalars(
        sa.select(Contact).options(selectinload(Contact.account))
        .where(sa.or_(contains(Contact.name, q), contains(Contact.email, q)))
        .order_by(*order).limit(limit)).all()
    return list(users), list(contacts)


def find_person(key: str | None, label: str | None = None) -> Person | None:
    """The person a type-ahead chose ('user:ID' / 'contact:ID'), else one whose name or email
    is exactly the typed label (the form without JavaScript)."""
    kind, _, raw_id = (key or "").partition(":")
    if raw_id.isdigit() and kind in ("user", "contact"):
        if kind == "user":
            user = db.session.get(User, int(raw_id))
            return user if user is not None and user.is_staff and user.active else None
        return db.session.get(Contact, int(raw_id))
    return _person_by_label((label or "").strip())


def _person_by_label(label: str) -> Person | None:
    if not label:
        return None
    text = label.lower()
    users = db.session.scalars(
        sa.select(User).where(User.active_staff(),
                              sa.or_(sa.func.lower(User.name) == text,
                                     sa.func.lower(User.email) == text)).limit(2)).all()
    contacts = db.session.scalars(
        sa.select(Contact).where(sa.or_(sa.func.lower(Contact.name) == text,
                                        sa.func.lower(Contact.email) == text)).limit(2)).all()
    matches = [*users, *contacts]
    if len(matches) > 1:
        raise ValidationFailed(f"Several people match “{label}”; type their email address "
                               "instead.", "person")
    return matches[0] if matches else None
