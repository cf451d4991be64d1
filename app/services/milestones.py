"""Case milestones: derived from the case's history, stored for lists, fired once by tick."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import STAFF_ROLES, Case, FeedItem, User
from app.models.common import utcnow
from app.models.entitlements import CaseMilestone, Entitlement, ProcessMilestone
from app.services.entitlement_setup import calendar_of
from app.services.milestone_rules import Event, Timeline, derive
from app.services.notifications import case_url
from app.services.outbox import enqueue_message

RESPONSE_KINDS = ("post", "file", "email")


def case_events(case: Case) -> list[Event]:
    """The case's history as milestone events, oldest first, in one query."""
    rows = db.session.execute(
        sa.select(FeedItem.created_at, FeedItem.kind, FeedItem.visibility, FeedItem.changes,
                  User.role, User.name)
        .outerjoin(User, User.id == FeedItem.author_id)
        .where(FeedItem.case_id == case.id,
               sa.or_(FeedItem.kind == "change",
                      sa.and_(FeedItem.kind.in_(RESPONSE_KINDS), FeedItem.visibility == "public")))
        .order_by(FeedItem.created_at, FeedItem.id)).all()
    events = []
    for at, kind, _visibility, changes, role, name in rows:
        if kind == "change":
            events.extend(Event(at, "status", row.get("old"), row.get("new"), name or "Casebook")
                          for row in changes or () if row.get("field") == "status")
        elif role in STAFF_ROLES:
            events.append(Event(at, "response", by=name or ""))
        else:  # a customer's email or portal post
            events.append(Event(at, "reply", by=name or "the customer"))
    return events


def process_milestones(case: Case) -> list[ProcessMilestone]:
    if case.entitlement_id is None:
        return []
    process_id = db.session.scalar(sa.select(Entitlement.process_id)
                                   .where(Entitlement.id == case.entitlement_id))
    if process_id is None:
        return []
    return list(db.session.scalars(sa.select(ProcessMilestone)
                                   .where(ProcessMilestone.process_id == process_id)
                                   .order_by(ProcessMilestone.position)))


def timeline_for(case: Case, milestone: ProcessMilestone, events: list[Event]
                 ) -> Timeline | None:
    return derive(milestone.kind, opened_at=case.created_at, events=events,
                  current_status=case.status,
                  target_minutes=milestone.minutes_for(case.priority),
                  calendar=calendar_of(milestone.calendar),
                  pause_statuses=milestone.pause_statuses or (),
                  warn_percent=milestone.warn_percent)


def recalculate_milestones(case: Case, now: datetime | None = None) -> list[CaseMilestone]:
    """Re-derive the case's milestones from its history: the case-change pipeline's step."""
    milestones = process_milestones(case)
    stored = {row.milestone_id: row for row in db.session.scalars(
        sa.select(CaseMilestone).where(CaseMilestone.case_id == case.id))}
    if not milestones and not stored:
        return []
    events = case_events(case)
    kept = []
    for milestone in milestones:
        timeline = timeline_for(case, milestone, events)
        row = stored.pop(milestone.id, None)
        if timeline is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = CaseMilestone(case_id=case.id, milestone_id=milestone.id,
                                started_at=timeline.started_at)
            db.session.add(row)
        elif row.started_at != timeline.started_at:
            # A new cycle (a reopened case, a new customer reply): its alerts fire afresh.
            row.warned_at = row.violated_at = None
        _copy(timeline, row)
        kept.append(row)
    for row in stored.values():  # a process or entitlement changed: drop the rest
        db.session.delete(row)
    db.session.flush()
    return kept


def _copy(timeline: Timeline, row: CaseMilestone) -> None:
    row.started_at, row.target_minutes = timeline.started_at, timeline.target_minutes
    row.target_at, row.warn_at = timeline.target_at, timeline.warn_at
    row.paused_since, row.paused_minutes = timeline.paused_since, timeline.paused_minutes
    row.completed_at = timeline.completed_at


def start_milestones(case: Case, now: datetime | None = None) -> list[CaseMilestone]:
    """Start the milestones of the case's entitlement process (when it has one)."""
    return recalculate_milestones(case, now)


# Firing warnings and violations, once each -------------------------------------------------

def _claim(column, due_column, now: datetime, limit: int) -> list[int]:
    """Mark due rows as fired, one conditional UPDATE each: of two workers ticking at once,
    only the one whose UPDATE changed the row fires it."""
    candidates = db.session.scalars(
        sa.select(CaseMilestone.id).join(Case, Case.id == CaseMilestone.case_id)
        .where(due_column <= now, column.is_(None), CaseMilestone.completed_at.is_(None),
               Case.status != "Closed")
        .order_by(due_column).limit(limit)).all()
    claimed = []
    for row_id in candidates:
        result = db.session.execute(
            sa.update(CaseMilestone)
            .where(CaseMilestone.id == row_id, column.is_(None))
            .values({column.key: now}).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(row_id)
    return claimed


@dataclass
class TickResult:
    warned: int = 0
    violated: int = 0
    # (case, status, reason): what violations ask the case-change path to set
    status_updates: list = field(default_factory=list)


def tick(now: datetime | None = None, limit: int = 500) -> TickResult:
    """Fire due warnings and violations exactly once each; the caller commits."""
    now = now or utcnow()
    result = TickResult()
    for row_id in _claim(CaseMilestone.warned_at, CaseMilestone.warn_at, now, limit):
        _fire(db.session.get(CaseMilestone, row_id), "warning", now, result)
        result.warned += 1
    for row_id in _claim(CaseMilestone.violated_at, CaseMilestone.target_at, now, limit):
        _fire(db.session.get(CaseMilestone, row_id), "violation", now, result)
        result.violated += 1
    db.session.flush()
    return result


def _fire(row: CaseMilestone, what: str, now: datetime, result: TickResult) -> None:
    milestone, case = row.milestone, row.case
    spec = (milestone.warn_recipients if what == "warning"
            else milestone.violation_recipients) or {}
    _alert(case, milestone, spec, what, row)
    if what == "violation" and milestone.violation_status and case.is_open \
            and case.status != milestone.violation_status:
        result.status_updates.append((case, milestone.violation_status,
                                      f"{milestone.label} milestone violated"))


def _recipients(case: Case, spec: dict) -> list[str]:
    addresses = list(spec.get("addresses") or [])
    if spec.get("owner") and case.owner is not None and case.owner.active:
        addresses.insert(0, case.owner.email)
    seen, result = set(), []
    for address in addresses:
        if address and address.lower() not in seen and "\n" not in address and "\r" not in address:
            seen.add(address.lower())
            result.append(address)
    return result


def _alert(case: Case, milestone: ProcessMilestone, spec: dict, what: str,
           row: CaseMilestone) -> None:
    """Queue the alert in the outbox, in this transaction."""
    to = _recipients(case, spec)
    if not to:
        return
    due = row.target_at.strftime("%d %b %Y, %H:%M UTC") if row.target_at else "—"
    verb = "is at risk" if what == "warning" else "was missed"
    subject = f"[Case {case.padded_number}] {milestone.label} {verb}: {case.subject}"[:255]
    text = (f"The {milestone.label.lower()} milestone on case {case.padded_number} {verb}.\n"
            f"Target: {due}\nPriority: {case.priority}\nStatus: {case.status}\n\n"
            f"{case_url(case)}\n")
    enqueue_message(to=to, subject=subject, text=text, case=case)


def case_milestones(case: Case) -> list[CaseMilestone]:
    return list(db.session.scalars(
        sa.select(CaseMilestone).where(CaseMilestone.case_id == case.id)
        .options(joinedload(CaseMilestone.milestone))
        .join(ProcessMilestone, ProcessMilestone.id == CaseMilestone.milestone_id)
        .order_by(ProcessMilestone.position)))
