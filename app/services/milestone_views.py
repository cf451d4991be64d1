"""What the pages show about milestones: a case's list with the reasons, the At risk and
Violated lists, and the what-if calculator."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from app.access import visible_cases
from app.extensions import db
from app.models import STATUSES, Case
from app.models.common import utcnow
from app.models.entitlements import CaseMilestone, EntitlementProcess, ProcessMilestone
from app.pagination import paginate
from app.services.business_hours import business_minutes_between
from app.services.entitlement_setup import calendar_of
from app.services.errors import ValidationFailed
from app.services.milestone_rules import Event, Timeline, derive
from app.services.milestones import case_events, case_milestones, timeline_for

LIST_SORTS = ("left", "-left")


@dataclass
class MilestoneView:
    label: str
    state: str
    row: CaseMilestone | None
    timeline: Timeline | None
    minutes_left: float | None = None
    calendar_name: str = ""
    zone: str = ""
    pause_statuses: list[str] = field(default_factory=list)


def _state(timeline: Timeline, now: datetime, violated_at: datetime | None = None) -> str:
    if timeline.completed_at is not None:
        late = timeline.target_at is not None and timeline.completed_at > timeline.target_at
        return "violated" if late else "completed"
    if violated_at is not None or (timeline.target_at is not None and now >= timeline.target_at):
        return "violated"
    return "paused" if timeline.paused_since is not None else "in progress"


def _left(timeline: Timeline, now: datetime) -> float | None:
    if timeline.completed_at is not None:
        return None
    if timeline.target_at is None:
        return timeline.remaining_when_paused
    return business_minutes_between(now, timeline.target_at, timeline.calendar)


def milestones_context(case: Case, viewer, now: datetime | None = None) -> dict:
    """The case page's Milestones list: each with its deadline, time left, state and why."""
    now = now or utcnow()
    rows = case_milestones(case)
    events = case_events(case) if rows else []
    views = []
    for row in rows:
        timeline = timeline_for(case, row.milestone, events)
        if timeline is None:
            continue
        views.append(MilestoneView(
            label=row.milestone.label, state=_state(timeline, now, row.violated_at), row=row,
            timeline=timeline, minutes_left=_left(timeline, now),
            calendar_name=row.milestone.calendar.name, zone=row.milestone.calendar.zone,
            pause_statuses=list(row.milestone.pause_statuses or ())))
    return {"case": case, "milestones": views, "now": now, "viewer": viewer,
            "entitlement_id": case.entitlement_id,
            "no_entitlement_reason": case.no_entitlement_reason}


def milestone_list(user, which: str, *, sort: str = "left", page: int = 1,
                   now: datetime | None = None):
    """At risk (warned, not yet violated) or Violated milestones of open cases the user sees."""
    now = now or utcnow()
    open_row = sa.and_(CaseMilestone.completed_at.is_(None), Case.status != "Closed")
    if which == "violated":
        where = sa.or_(CaseMilestone.violated_at.is_not(None), CaseMilestone.target_at <= now)
    else:
        where = sa.and_(CaseMilestone.violated_at.is_(None),
                        sa.or_(CaseMilestone.warned_at.is_not(None),
                               CaseMilestone.warn_at <= now),
                        sa.or_(CaseMilestone.target_at.is_(None), CaseMilestone.target_at > now))
    order = CaseMilestone.target_at.desc() if sort == "-left" else CaseMilestone.target_at
    stmt = (sa.select(CaseMilestone).join(Case, Case.id == CaseMilestone.case_id)
            .where(open_row, where, visible_cases(user))
            .options(contains_eager(CaseMilestone.case).joinedload(Case.owner),
                     joinedload(CaseMilestone.milestone))
            .order_by(order.nulls_last(), CaseMilestone.id))
    result = paginate(stmt, page=page, per_page=50)
    result.items = [(row, _row_left(row, now)) for row in result.items]
    return result


def _row_left(row: CaseMilestone, now: datetime) -> float | None:
    if row.target_at is None:
        return None
    return business_minutes_between(now, row.target_at, calendar_of(row.milestone.calendar))


# What if ---------------------------------------------------------------------------------

CHANGE_LINE = re.compile(r"^\+\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[mhd])[a-z]*\s+(?P<what>.+)$",
                         re.I)
UNITS = {"m": 1, "h": 60, "d": 1440}


def parse_changes(text: str, opened: datetime, first_status: str = "New") -> list[Event]:
    """Lines like "+2h Waiting on Customer", "+30m response", "+3h reply", "+1d Closed"."""
    events, status = [], first_status
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = CHANGE_LINE.match(line)
        if not match:
            raise ValidationFailed(f"Line {number}: write it like “+2h Waiting on Customer”.",
                                   "changes")
        at = opened + timedelta(minutes=float(match["n"]) * UNITS[match["unit"].lower()])
        what = match["what"].strip()
        if what.lower() in ("response", "answer"):
            events.append(Event(at, "response", by="An agent"))
        elif what.lower() in ("reply", "customer reply"):
            events.append(Event(at, "reply", by="The customer"))
        else:
            new = next((s for s in STATUSES if s.lower() == what.lower()), None)
            if new is None:
                raise ValidationFailed(f"Line {number}: “{what}” is not a status, response "
                                       "or reply.", "changes")
            events.append(Event(at, "status", status, new, "You"))
            status = new
    return sorted(events, key=lambda e: e.at)


def what_if(process: EntitlementProcess, priority: str, opened: datetime, events: list[Event],
            now: datetime | None = None) -> list[MilestoneView]:
    """Every milestone of the process for a made-up case history, with the reasons."""
    now = now or utcnow()
    status = next((e.new for e in reversed(events) if e.kind == "status"), "New")
    views = []
    for milestone in process.milestones:
        timeline = derive(milestone.kind, opened_at=opened, events=events,
                          current_status=status, target_minutes=milestone.minutes_for(priority),
                          calendar=calendar_of(milestone.calendar),
                          pause_statuses=milestone.pause_statuses or (),
                          warn_percent=milestone.warn_percent)
        views.append(MilestoneView(
            label=milestone.label, state=_state(timeline, now) if timeline else "not started",
            row=None, timeline=timeline, minutes_left=_left(timeline, now) if timeline else None,
            calendar_name=milestone.calendar.name, zone=milestone.calendar.zone,
            pause_statuses=list(milestone.pause_statuses or ())))
    return views


def process_choices() -> list[EntitlementProcess]:
    return list(db.session.scalars(
        sa.select(EntitlementProcess).options(
            joinedload(EntitlementProcess.milestones).joinedload(ProcessMilestone.calendar))
        .order_by(EntitlementProcess.name)).unique())
