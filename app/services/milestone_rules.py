"""When a milestone started, when it is due and why: pure functions of a case's history.

The history is a list of events (status changes, public answers to the customer, customer
replies), so re-deriving from the same history always gives the same deadlines, and the
what-if page can feed in made-up events."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.services.business_hours import (
    Calendar, add_business_minutes, business_minutes_between, explain,
)

CLOSED = "Closed"


@dataclass(frozen=True)
class Event:
    """One thing that happened: kind is "status", "response" (we answered the customer in
    public) or "reply" (the customer wrote)."""

    at: datetime
    kind: str
    old: str | None = None
    new: str | None = None
    by: str = ""


@dataclass
class Pause:
    start: datetime
    end: datetime | None
    status: str
    cause: Event | None = None
    business_minutes: float = 0


@dataclass
class Timeline:
    """A milestone's current cycle: start, pauses, deadline, completion."""

    kind: str
    started_at: datetime
    target_minutes: int
    calendar: Calendar
    pauses: list[Pause] = field(default_factory=list)
    completed_at: datetime | None = None
    target_at: datetime | None = None
    warn_at: datetime | None = None
    remaining_when_paused: float | None = None
    skipped_holidays: list = field(default_factory=list)
    closed_minutes: float = 0

    @property
    def paused_since(self) -> datetime | None:
        last = self.pauses[-1] if self.pauses else None
        return last.start if last is not None and last.end is None else None

    @property
    def paused_minutes(self) -> float:
        return sum(p.business_minutes for p in self.pauses)


def initial_status(events: list[Event], current: str) -> str:
    """The status the case was opened with: the first change's old value, else today's."""
    first = next((e for e in events if e.kind == "status"), None)
    return first.old if first is not None and first.old else current


def cycle_bounds(kind: str, opened_at: datetime, events: list[Event]
                 ) -> tuple[datetime, datetime | None] | None:
    """(start, completed) of the milestone's current cycle, or None when it has not begun."""
    closes = [e.at for e in events if e.kind == "status" and e.new == CLOSED]
    if kind == "resolution":
        reopens = [e.at for e in events if e.kind == "status" and e.old == CLOSED
                   and e.new != CLOSED]
        start = reopens[-1] if reopens else opened_at
        return start, next((at for at in closes if at >= start), None)
    if kind == "first_response":
        done = next((e.at for e in events if e.kind == "response"
                     or (e.kind == "status" and e.new == CLOSED)), None)
        return opened_at, done
    # next_response: a customer reply after our first answer opens a cycle; our next public
    # answer (or closing the case) completes it.
    answered, start, done = False, None, None
    for event in events:
        if event.kind == "response" or (event.kind == "status" and event.new == CLOSED):
            if start is not None and done is None:
                done = event.at
            answered = True
        elif event.kind == "reply" and answered and (start is None or done is not None):
            start, done = event.at, None
    return (start, done) if start is not None else None


def pauses_in(events: list[Event], status0: str, start: datetime, end: datetime | None,
              pause_statuses: tuple[str, ...] | list[str]) -> list[Pause]:
    """The stretches between start and end (None: now) the case sat in a pausing status."""
    pauses, status, open_pause = [], status0, None
    if status in pause_statuses:
        open_pause = Pause(start=start, end=None, status=status)
    for event in events:
        if event.kind != "status":
            continue
        if event.at <= start:
            status = event.new
            open_pause = Pause(start, None, status, event) if status in pause_statuses else None
            continue
        if end is not None and event.at >= end:
            break
        was, status = status in pause_statuses, event.new
        if was and status not in pause_statuses and open_pause is not None:
            open_pause.end = event.at
            pauses.append(open_pause)
            open_pause = None
        elif not was and status in pause_statuses:
            open_pause = Pause(event.at, None, status, event)
    if open_pause is not None:
        if end is not None:
            open_pause.end = end
        pauses.append(open_pause)
    return pauses


def deadline(start: datetime, minutes: float, pauses: list[Pause], calendar: Calendar
             ) -> tuple[datetime | None, float]:
    """When `minutes` of unpaused business time after start run out; (None, minutes left)
    while an open pause holds the clock."""
    remaining, cursor = float(minutes), start
    for pause in pauses:
        active = business_minutes_between(cursor, max(cursor, pause.start), calendar)
        if active >= remaining:
            return add_business_minutes(cursor, remaining, calendar), 0
        remaining -= active
        if pause.end is None:
            return None, remaining
        cursor = max(cursor, pause.end)
    return add_business_minutes(cursor, remaining, calendar), 0


def derive(kind: str, *, opened_at: datetime, events: list[Event], current_status: str,
           target_minutes: int, calendar: Calendar, pause_statuses=("Waiting on Customer",),
           warn_percent: int | None = None) -> Timeline | None:
    """A milestone's timeline from the case's history, or None before it starts."""
    events = sorted(events, key=lambda e: e.at)
    bounds = cycle_bounds(kind, opened_at, events)
    if bounds is None:
        return None
    start, done = bounds
    status0 = initial_status(events, current_status)
    pauses = pauses_in(events, status0, start, done, tuple(pause_statuses))
    # A pause that ended with the completion did not hold the clock: drop its open tail.
    timeline = Timeline(kind=kind, started_at=start, target_minutes=target_minutes,
                        calendar=calendar, pauses=pauses, completed_at=done)
    for pause in pauses:
        if pause.end is not None:
            pause.business_minutes = business_minutes_between(pause.start, pause.end, calendar)
    live_pauses = pauses if done is None else [p for p in pauses if p.end is not None]
    timeline.target_at, left = deadline(start, target_minutes, live_pauses, calendar)
    if timeline.target_at is None:
        timeline.remaining_when_paused = left
    if warn_percent:
        timeline.warn_at, _ = deadline(start, target_minutes * warn_percent / 100,
                                       live_pauses, calendar)
    if timeline.target_at is not None:
        why = explain(start, business_minutes_between(start, timeline.target_at, calendar),
                      calendar)
        timeline.skipped_holidays = list(zip(why.holiday_days, why.holidays))
        timeline.closed_minutes = why.closed_minutes
    return timeline


def time_left(timeline_target: datetime | None, now: datetime, calendar: Calendar,
              remaining_when_paused: float | None = None) -> float | None:
    """Business minutes until the target (negative: overdue by), or what is left while paused."""
    if timeline_target is None:
        return remaining_when_paused
    return business_minutes_between(now, timeline_target, calendar)
