"""The one door for case changes: every create and edit of a case goes through here."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import (
    CASE_TYPES, ORIGINS, PRIORITIES, STATUSES, Account, Asset, Case, Contact, Counter, FeedItem,
    RecentView, User,
)
from app.models.common import utcnow
from app.services import milestones, satisfaction, workflow_alerts, workflow_engine
from app.services.errors import CaseConflict, ValidationFailed
from app.services.markdown import render_markdown
from app.services.workflow_engine import WorkflowOutcome

log = logging.getLogger(__name__)
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


SUBJECT_MAX = 255


def clean_subject(value: str | None) -> str:
    """A subject that fits: required, at most SUBJECT_MAX characters."""
    value = (value or "").strip()
    if not value:
        raise ValidationFailed("Subject is required.", "subject")
    if len(value) > SUBJECT_MAX:
        raise ValidationFailed(f"Keep the subject under {SUBJECT_MAX} characters.", "subject")
    return value


def create_case(*, actor: User, subject: str, description: str = "", status: str = "New",
                priority: str = "Medium", origin: str = "Phone", type: str = "Question",
                account: Account | None = None, contact: Contact | None = None,
                owner: User | None = None, asset: Asset | None = None) -> Case:
    """Open a case with the next number; the creator owns it unless told otherwise."""
    subject = clean_subject(subject)
    for field, value in (("status", status), ("priority", priority), ("origin", origin),
                         ("type", type)):
        _check_choice(field, value)
    if contact is not None and account is None:
        account = contact.account
    _check_links(account, contact)
    if asset is not None and (account is None or asset.account_id != account.id):
        raise ValidationFailed("That product is not one of the account's.", "asset")
    case = Case(number=allocate_number(), subject=subject, description=description,
                status=status, priority=priority, origin=origin, type=type, account=account,
                contact=contact, owner=owner or actor, created_by=actor, asset=asset)
    if status == "Closed":
        case.closed_at = utcnow()
    db.session.add(case)
    db.session.flush()
    db.session.add(FeedItem(case_id=case.id, kind="system", author=actor,
                            body=f"Opened the case ({origin}).", case_version=case.version))
    after_case_change(case, actor=actor, changes=[], created=True)
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
                note: str = "", request_key: str | None = None, **values: Any) -> list[dict]:
    """Apply field changes, refuse a stale version, and record one history item."""
    if expected_version is not None and int(expected_version) != case.version:
        raise CaseConflict(case, conflict_changes(case, int(expected_version)))
    changes = _apply(case, values)
    if not changes and not note.strip():
        return []
    record_change(case, actor=actor, changes=changes, note=note, request_key=request_key)
    after_case_change(case, actor=actor, changes=changes, created=False)
    return changes


def record_change(case: Case, *, actor: User | None, changes: list[dict], note: str = "",
                  request_key: str | None = None) -> FeedItem:
    """Save the applied changes under a new version and add their history item."""
    case.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise CaseConflict(case, []) from exc
    item = FeedItem(case_id=case.id, kind="change", author=actor, changes=changes,
                    body=note.strip(), body_html=render_markdown(note),
                    case_version=case.version, request_key=request_key)
    db.session.add(item)
    return item


def _apply(case: Case, values: dict[str, Any]) -> list[dict]:
    """Check every value, then set the ones that differ; return the changes as history rows."""
    if "contact" in values and "account" not in values and values["contact"] is not None:
        values["account"] = values["contact"].account
    _check_links(values.get("account", case.account), values.get("contact", case.contact))
    for field, new in values.items():
        if field not in FIELD_LABELS:
            raise ValidationFailed(f"The field '{field}' cannot be changed here.")
        _check_choice(field, new)
    if "subject" in values:
        values["subject"] = clean_subject(values["subject"])
    changes = []
    for field, new in values.items():
        old = getattr(case, field)
        if old == new or (field in RELATIONS
                          and getattr(old, "id", None) == getattr(new, "id", None)):
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
    """Close an open case, with an optional note."""
    if not case.is_open:
        raise ValidationFailed("This case is already closed.")
    return update_case(case, actor=actor, expected_version=expected_version, status="Closed",
                       note=note)


def reopen_case(case: Case, *, actor: User, expected_version: int | None = None) -> list[dict]:
    """Put a closed case back to Working."""
    if case.is_open:
        raise ValidationFailed("This case is already open.")
    return update_case(case, actor=actor, expected_version=expected_version, status="Working")


def note_first_response(case: Case) -> None:
    """Record the first time the customer heard from us; the milestones follow the reply."""
    if case.first_response_at is None:
        case.first_response_at = utcnow()
    note_conversation(case)


def run_milestone_tick(now: datetime | None = None) -> milestones.TickResult:
    """Fire due milestone warnings and violations; a violation's status goes through the
    case-change path like any other change (history, workflow rules, milestones)."""
    result = milestones.tick(now)
    for case, status, reason in result.status_updates:
        if case.is_open and case.status != status:
            update_case(case, actor=None, expected_version=None, note=reason, status=status)
    return result


def note_conversation(case: Case) -> None:
    """A reply joined the public conversation (ours or the customer's): its saved items
    complete or restart the response milestones, re-derived from the history."""
    db.session.flush()
    milestones.recalculate_milestones(case)


def after_case_change(case: Case, *, actor: User | None, changes: list[dict],
                      created: bool) -> None:
    """Run a save's side effects in order, in the caller's transaction; each step calls down.

    Rules see the save's own changes only: what they set is not evaluated again, so no rule
    can set off another (or itself) in a loop. A closing (by the save or by a rule's field
    update) asks the contact for a rating last, once the case is in its final state.
    """
    outcome = workflow_engine.evaluate_rules(case, changes=changes, created=created)
    workflow_engine.record_firing(outcome)
    updates = apply_workflow_updates(case, outcome, actor=actor)
    milestones.recalculate_milestones(case)
    workflow_alerts.queue_alerts(case, outcome.alerts, actor=actor)
    satisfaction.ask_after_closing(case, changes=changes + updates)
    db.session.flush()


def apply_workflow_updates(case: Case, outcome: WorkflowOutcome, *,
                           actor: User | None) -> list[dict]:
    """Set the fields the fired rules ask for, as one history item; return those changes."""
    if not outcome.field_updates:
        return []
    try:
        changes = _apply(case, dict(outcome.field_updates))
    except ValidationFailed as exc:
        log.warning("Workflow field update on case %s skipped: %s", case.number, exc)
        return []
    if changes:
        record_change(case, actor=actor, changes=changes, note=outcome.update_note)
    return changes


# A visit is written at most this often per user and case, so most case views only read.
RECENT_VIEW_REFRESH = timedelta(minutes=1)


def viewed_recently(viewed_at: datetime | None) -> bool:
    """True when a visit recorded at viewed_at (None: never) was less than a minute ago."""
    return viewed_at is not None and viewed_at > utcnow() - RECENT_VIEW_REFRESH


def record_view(case: Case, user: User) -> None:
    """Remember that the user opened the case, for Recently viewed (at most once a minute)."""
    # One upsert: two tabs opening the same case at once must not collide on the key.
    now = utcnow()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(RecentView).values(user_id=user.id, case_id=case.id, viewed_at=now)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[RecentView.user_id, RecentView.case_id],
        set_={"viewed_at": stmt.excluded.viewed_at},
        where=RecentView.viewed_at <= now - RECENT_VIEW_REFRESH))
