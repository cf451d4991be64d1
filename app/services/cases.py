"""The one door for case changes: every create and edit of a case goes through here."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import (
    CASE_TYPES, ORIGINS, PRIORITIES, STATUSES, Account, Case, Contact, Counter, FeedItem,
    RecentView, User,
)
from app.models.common import utcnow
from app.services.errors import CaseConflict, ValidationFailed

CASE_COUNTER = "case_number"
FIRST_CASE_NUMBER = 1001
FIELD_LABELS = {
    "subject": "Subject", "description": "Description", "status": "Status",
    "priority": "Priority", "origin": "Origin", "type": "Type", "account": "Account",
    "contact": "Contact", "owner": "Owner",
}
CHOICES = {"status": STATUSES, "priority": PRIORITIES, "origin": ORIGINS, "type": CASE_TYPES}
RELATIONS = ("account", "contact", "owner")
LONG_TEXT = ("description",)


def allocate_number(name: str = CASE_COUNTER, start: int = FIRST_CASE_NUMBER) -> int:
    """Hand out the next number under the counter's row lock (safe under concurrency)."""
    stmt = (sa.update(Counter).where(Counter.name == name)
            .values(value=Counter.value + 1).returning(Counter.value))
    value = db.session.execute(stmt).scalar()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.add(Counter(name=name, value=start))
        return start
    except IntegrityError:  # another transaction created the counter first
        return db.session.execute(stmt).scalar_one()


def label_of(value: Any) -> str | None:
    """A display value for the history: names for related rows, text otherwise."""
    if value is None:
        return None
    return getattr(value, "name", None) or str(value)


def _check_choice(field: str, value: Any) -> None:
    if field in CHOICES and value not in CHOICES[field]:
        raise ValidationFailed(f"'{value}' is not a valid {FIELD_LABELS[field].lower()}.", field)


def _check_links(account: Account | None, contact: Contact | None) -> None:
    if contact is not None and account is not None and contact.account_id != account.id:
        raise ValidationFailed(f"{contact.name} does not work for {account.name}.", "contact")


def create_case(*, actor: User, subject: str, description: str = "", status: str = "New",
                priority: str = "Medium", origin: str = "Phone", type: str = "Question",
                account: Account | None = None, contact: Contact | None = None,
                owner: User | None = None) -> Case:
    """Open a case with the next number; the creator owns it unless told otherwise."""
    if not subject.strip():
        raise ValidationFailed("Subject is required.", "subject")
    for field, value in (("status", status), ("priority", priority), ("origin", origin),
                         ("type", type)):
        _check_choice(field, value)
    if contact is not None and account is None:
        account = contact.account
    _check_links(account, contact)
    case = Case(number=allocate_number(), subject=subject.strip(), description=description,
                status=status, priority=priority, origin=origin, type=type, account=account,
                contact=contact, owner=owner or actor, created_by=actor)
    if status == "Closed":
        case.closed_at = utcnow()
    db.session.add(case)
    db.session.flush()
    db.session.add(FeedItem(case_id=case.id, kind="system", author=actor,
                            body=f"Opened the case ({origin}).", case_version=case.version))
    after_case_change(case, actor=actor, changes=[], created=True)
    db.session.flush()
    return case


def conflict_changes(case: Case, since_version: int) -> list[dict]:
    """What others changed on the case after the version a form was based on."""
    items = db.session.scalars(
        sa.select(FeedItem).where(FeedItem.case_id == case.id, FeedItem.kind == "change",
                                  FeedItem.case_version > since_version)
        .order_by(FeedItem.created_at)).all()
    return [dict(change, by=item.author.name if item.author else "Casebook",
                 at=item.created_at) for item in items for change in (item.changes or [])]


def update_case(case: Case, *, actor: User, expected_version: int | None,
                note: str = "", **values: Any) -> list[dict]:
    """Apply field changes, refuse a stale version, and record one history item."""
    if expected_version is not None and int(expected_version) != case.version:
        raise CaseConflict(case, conflict_changes(case, int(expected_version)))
    changes = _apply(case, values)
    if not changes and not note.strip():
        return []
    case.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise CaseConflict(case, []) from exc
    if changes or note.strip():
        from app.services.markdown import render_markdown

        db.session.add(FeedItem(case_id=case.id, kind="change", author=actor, changes=changes,
                                body=note.strip(), body_html=render_markdown(note),
                                case_version=case.version))
    after_case_change(case, actor=actor, changes=changes, created=False)
    db.session.flush()
    return changes


def _apply(case: Case, values: dict[str, Any]) -> list[dict]:
    """Set the given fields; return the changes as history rows."""
    if "contact" in values and "account" not in values and values["contact"] is not None:
        values["account"] = values["contact"].account
    _check_links(values.get("account", case.account), values.get("contact", case.contact))
    changes = []
    for field, new in values.items():
        if field not in FIELD_LABELS:
            raise ValidationFailed(f"The field '{field}' cannot be changed here.")
        if field == "subject":
            new = (new or "").strip()
            if not new:
                raise ValidationFailed("Subject is required.", "subject")
        _check_choice(field, new)
        old = getattr(case, field)
        if old == new or (field in RELATIONS and getattr(old, "id", None) == getattr(new, "id", None)):
            continue
        setattr(case, field, new)
        row = {"field": field, "label": FIELD_LABELS[field]}
        if field not in LONG_TEXT:
            row.update(old=label_of(old), new=label_of(new))
        changes.append(row)
    if any(c["field"] == "status" for c in changes):
        case.closed_at = utcnow() if case.status == "Closed" else None
    return changes


def close_case(case: Case, *, actor: User, expected_version: int | None = None,
               note: str = "") -> list[dict]:
    if not case.is_open:
        raise ValidationFailed("This case is already closed.")
    return update_case(case, actor=actor, expected_version=expected_version, status="Closed",
                       note=note)


def reopen_case(case: Case, *, actor: User, expected_version: int | None = None) -> list[dict]:
    if case.is_open:
        raise ValidationFailed("This case is already open.")
    return update_case(case, actor=actor, expected_version=expected_version, status="Working")


def note_first_response(case: Case) -> None:
    """Record the first time the customer heard from us."""
    if case.first_response_at is None:
        case.first_response_at = utcnow()


def after_case_change(case: Case, *, actor: User, changes: list[dict], created: bool) -> None:
    """Side effects of a change, in the caller's transaction (workflow, SLA, index, outbox)."""


def record_view(case: Case, user: User) -> None:
    """Remember that the user opened the case, for Recently viewed."""
    row = db.session.get(RecentView, (user.id, case.id))
    if row is None:
        db.session.add(RecentView(user_id=user.id, case_id=case.id, viewed_at=utcnow()))
    else:
        row.viewed_at = utcnow()
    db.session.flush()
