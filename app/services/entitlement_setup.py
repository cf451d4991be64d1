"""What admins set up: business calendars, entitlement processes and their milestones,
and the entitlement templates offered to each customer type."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import available_timezones

import sqlalchemy as sa

from app.extensions import db
from app.models import PRIORITIES, STATUSES, TIERS
from app.models.entitlements import (
    ENTITLEMENT_KINDS, MILESTONE_KINDS, PRIORITY_COLUMNS, BusinessCalendar, BusinessHoliday,
    BusinessWindow, EntitlementProcess, EntitlementTemplate, ProcessMilestone,
)
from app.services.business_hours import Calendar, Holiday, Window
from app.services.errors import ValidationFailed

DEFAULT_PAUSE = ("Waiting on Customer",)


def calendar_of(model: BusinessCalendar) -> Calendar:
    """The pure calendar the business-time functions work on."""
    return Calendar(zone=model.zone, name=model.name,
                    windows=tuple(Window(w.weekday, w.start_minute, w.end_minute)
                                  for w in model.windows),
                    holidays=tuple(Holiday(h.day, h.name, h.yearly) for h in model.holidays))


def zone_names() -> list[str]:
    return sorted(available_timezones())


def _unique(model, name: str, row, field_name: str = "name") -> None:
    stmt = sa.select(model.id).where(model.name == name)
    if row is not None and row.id is not None:
        stmt = stmt.where(model.id != row.id)
    if db.session.scalar(stmt) is not None:
        raise ValidationFailed(f"Another one is already called “{name}”.", field_name)


def save_calendar(calendar: BusinessCalendar | None, *, name: str, zone: str,
                  description: str = "", windows: list[tuple[int, int, int]] = (),
                  holidays: list[tuple[date, str, bool]] = ()) -> BusinessCalendar:
    """Create or change a calendar; windows are (weekday, start, end) in minutes."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the calendar a name.", "name")
    if zone not in available_timezones():
        raise ValidationFailed(f"“{zone}” is not a time zone Casebook knows.", "zone")
    if not windows:
        raise ValidationFailed("Add at least one opening window.", "windows")
    for weekday, start, end in windows:
        if not 0 <= weekday <= 6 or not 0 <= start < 1440 or not 0 < end <= 1440:
            raise ValidationFailed("Each window needs a day, a start and an end.", "windows")
        if start == end:
            raise ValidationFailed("A window cannot start and end at the same time; use "
                                   "00:00–24:00 for the whole day.", "windows")
    _unique(BusinessCalendar, name, calendar)
    if calendar is None:
        calendar = BusinessCalendar()
        db.session.add(calendar)
    calendar.name, calendar.zone, calendar.description = name, zone, (description or "").strip()
    calendar.windows = [BusinessWindow(weekday=d, start_minute=s, end_minute=e)
                        for d, s, e in sorted(set(windows))]
    calendar.holidays = [BusinessHoliday(day=d, name=(n or "").strip(), yearly=bool(y))
                         for d, n, y in holidays]
    db.session.flush()
    return calendar


@dataclass
class MilestoneSpec:
    kind: str
    calendar: BusinessCalendar
    minutes: dict[str, int]
    pause_statuses: list[str] = field(default_factory=lambda: list(DEFAULT_PAUSE))
    warn_percent: int | None = None
    warn_owner: bool = True
    warn_addresses: list[str] = field(default_factory=list)
    violation_owner: bool = True
    violation_addresses: list[str] = field(default_factory=list)
    violation_status: str = ""


def _check_milestone(spec: MilestoneSpec) -> None:
    if spec.kind not in MILESTONE_KINDS:
        raise ValidationFailed("Choose first response, next response or resolution.", "kind")
    for priority in PRIORITIES:
        if int(spec.minutes.get(priority) or 0) < 1:
            raise ValidationFailed(f"Give a target of at least one minute for {priority}.",
                                   "minutes")
    if any(status not in STATUSES for status in spec.pause_statuses):
        raise ValidationFailed("Pause only on case statuses.", "pause_statuses")
    if spec.warn_percent is not None and not 1 <= spec.warn_percent <= 99:
        raise ValidationFailed("Warn between 1 % and 99 % of the time.", "warn_percent")
    if spec.violation_status and spec.violation_status not in STATUSES:
        raise ValidationFailed("Choose a case status.", "violation_status")


def save_process(process: EntitlementProcess | None, *, name: str, description: str = "",
                 milestones: list[MilestoneSpec] = ()) -> EntitlementProcess:
    """Create or change a process with its ordered milestones (one of each kind at most)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the process a name.", "name")
    kinds = [spec.kind for spec in milestones]
    if len(kinds) != len(set(kinds)):
        raise ValidationFailed("Each kind of milestone can appear once.", "milestones")
    for spec in milestones:
        _check_milestone(spec)
    _unique(EntitlementProcess, name, process)
    if process is None:
        process = EntitlementProcess()
        db.session.add(process)
    process.name, process.description = name, (description or "").strip()
    existing = {m.kind: m for m in process.milestones}
    kept = []
    for position, spec in enumerate(milestones):
        # Keep the row of a kind that stays, so cases' progress on it is kept too.
        row = existing.get(spec.kind) or ProcessMilestone(kind=spec.kind)
        row.position, row.calendar = position, spec.calendar
        for priority, column in PRIORITY_COLUMNS.items():
            setattr(row, column, int(spec.minutes[priority]))
        row.pause_statuses = list(spec.pause_statuses)
        row.warn_percent = spec.warn_percent
        row.warn_recipients = {"owner": spec.warn_owner, "addresses": spec.warn_addresses}
        row.violation_recipients = {"owner": spec.violation_owner,
                                    "addresses": spec.violation_addresses}
        row.violation_status = spec.violation_status or ""
        kept.append(row)
    process.milestones = kept
    db.session.flush()
    return process


def save_template(template: EntitlementTemplate | None, *, name: str, kind: str,
                  term_days: int, allowance: int | None, tiers: list[str],
                  process: EntitlementProcess | None) -> EntitlementTemplate:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the template a name.", "name")
    if kind not in ENTITLEMENT_KINDS:
        raise ValidationFailed("Choose phone, web or email.", "kind")
    if not term_days or term_days < 1:
        raise ValidationFailed("The term is at least one day.", "term_days")
    if allowance is not None and allowance < 1:
        raise ValidationFailed("Leave the number of cases empty for no limit.", "allowance")
    if not tiers or any(t not in TIERS for t in tiers):
        raise ValidationFailed("Offer it to at least one customer type.", "tiers")
    _unique(EntitlementTemplate, name, template)
    if template is None:
        template = EntitlementTemplate()
        db.session.add(template)
    template.name, template.kind, template.term_days = name, kind, term_days
    template.allowance, template.tiers, template.process = allowance, list(tiers), process
    db.session.flush()
    return template


def calendars() -> list[BusinessCalendar]:
    return list(db.session.scalars(sa.select(BusinessCalendar).order_by(BusinessCalendar.name)))


def processes() -> list[EntitlementProcess]:
    return list(db.session.scalars(sa.select(EntitlementProcess)
                                   .order_by(EntitlementProcess.name)))


def delete_calendar(calendar: BusinessCalendar) -> None:
    used = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessMilestone)
                             .where(ProcessMilestone.calendar_id == calendar.id))
    if used:
        raise ValidationFailed("Milestones run on this calendar; move them to another first.")
    db.session.delete(calendar)
    db.session.flush()
