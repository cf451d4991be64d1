"""Business-time arithmetic over a calendar: pure functions, no database, no clock.

A calendar has a time zone, weekly windows in that zone's wall-clock time (several a day; a
window whose end is not after its start runs past midnight into the next day) and holidays
(whole local days, dated or every year). Open time is computed as UTC intervals, so a
business minute is always a real minute: across a DST change a 9-17 day is still eight
hours, and a 24-hour window on the night the clocks go back is twenty-five.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# How far a search for open time goes before it gives up on a calendar (a calendar with
# every day a holiday, or no windows, has none).
SEARCH_DAYS = 3 * 366


class NoBusinessHours(ValueError):
    """The calendar has no open time within the search horizon."""


@dataclass(frozen=True)
class Window:
    """Open on `weekday` (0 = Monday) from `start` to `end`, in minutes after local midnight.

    An `end` not after `start` means the window runs past midnight (22:00-02:00); 0-1440 is
    the whole day."""

    weekday: int
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start if self.end > self.start else self.end + DAY_MINUTES - self.start


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str = ""
    yearly: bool = False

    def falls_on(self, day: date) -> bool:
        if self.yearly:
            return (self.day.month, self.day.day) == (day.month, day.day)
        return self.day == day


@dataclass(frozen=True)
class Calendar:
    zone: str = "UTC"
    windows: tuple[Window, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    name: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def holiday_on(self, day: date) -> Holiday | None:
        return next((h for h in self.holidays if h.falls_on(day)), None)


def always_open(zone: str = "UTC", name: str = "24×7") -> Calendar:
    """A calendar open every minute of every day."""
    return Calendar(zone=zone, name=name,
                    windows=tuple(Window(day, 0, DAY_MINUTES) for day in range(7)))


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("Business-time arithmetic needs timezone-aware datetimes.")
    return value.astimezone(timezone.utc)


def _wall_to_utc(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """A wall-clock time (minutes after midnight of `day`, may pass 24 h) as UTC."""
    local = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return local.replace(tzinfo=tz).astimezone(timezone.utc)


def day_intervals(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    """The open UTC intervals of windows starting on this local day, cut by holidays."""
    tz = calendar.tz
    pieces = []
    for window in calendar.windows:
        if window.weekday != day.weekday():
            continue
        end = window.start + window.length
        # A window past midnight is two pieces, each closed by its own day's holiday.
        for piece_day, lo, hi in ((day, window.start, min(end, DAY_MINUTES)),
                                  (day + timedelta(days=1), 0, end - DAY_MINUTES)):
            if hi > lo and calendar.holiday_on(piece_day) is None:
                offset = (piece_day - day).days * DAY_MINUTES
                start = _wall_to_utc(day, lo + offset, tz)
                stop = _wall_to_utc(day, hi + offset, tz)
                if stop > start:
                    pieces.append((start, stop))
    return pieces


def open_intervals(calendar: Calendar, start: datetime, end: datetime
                   ) -> list[tuple[datetime, datetime]]:
    """Merged open UTC intervals overlapping [start, end), clipped to it."""
    start, end = _utc(start), _utc(end)
    tz = calendar.tz
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    raw = []
    day = first
    while day <= last:
        raw.extend(day_intervals(calendar, day))
        day += timedelta(days=1)
    merged: list[list[datetime]] = []
    for lo, hi in sorted(raw):
        lo, hi = max(lo, start), min(hi, end)
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def _chunks(calendar: Calendar, start: datetime, forward: bool):
    """Open intervals from `start` outwards, a week at a time, nearest first."""
    step = timedelta(days=7)
    for n in range(SEARCH_DAYS // 7 + 1):
        if forward:
            lo, hi = start + step * n, start + step * (n + 1)
            yield from open_intervals(calendar, lo, hi)
        else:
            lo, hi = start - step * (n + 1), start - step * n
            yield from reversed(open_intervals(calendar, lo, hi))
    raise NoBusinessHours(f"The calendar {calendar.name or calendar.zone} has no open hours "
                          "within three years.")


def add_business_minutes(start: datetime, minutes: float, calendar: Calendar) -> datetime:
    """The moment `minutes` of open time after `start` (before it, when negative), in UTC."""
    start = _utc(start)
    if minutes == 0:
        return start
    remaining = timedelta(minutes=abs(minutes))
    forward = minutes > 0
    # Intervals from week chunks can touch at a chunk edge; consuming them in turn is exact.
    for lo, hi in _chunks(calendar, start, forward):
        span = hi - lo
        if span >= remaining:
            return lo + remaining if forward else hi - remaining
        remaining -= span
    raise NoBusinessHours("unreachable")  # _chunks raises first


def business_minutes_between(a: datetime, b: datetime, calendar: Calendar) -> float:
    """Open minutes from a to b (negative when b is before a)."""
    a, b = _utc(a), _utc(b)
    if b < a:
        return -business_minutes_between(b, a, calendar)
    total = sum((hi - lo for lo, hi in open_intervals(calendar, a, b)), timedelta())
    return total / timedelta(minutes=1)


def is_open(moment: datetime, calendar: Calendar) -> bool:
    """True when the calendar is open at this moment."""
    moment = _utc(moment)
    return bool(open_intervals(calendar, moment, moment + timedelta(microseconds=1)))


@dataclass
class Explanation:
    """Why a deadline falls when it does: the closed stretches and holidays it skipped."""

    start: datetime
    target: datetime
    minutes: float
    calendar: Calendar
    closed: list[tuple[datetime, datetime]] = field(default_factory=list)
    holidays: list[Holiday] = field(default_factory=list)
    holiday_days: list[date] = field(default_factory=list)

    @property
    def closed_minutes(self) -> float:
        return sum((hi - lo for lo, hi in self.closed), timedelta()) / timedelta(minutes=1)


def explain(start: datetime, minutes: float, calendar: Calendar) -> Explanation:
    """add_business_minutes, with the closed time and holidays between start and target."""
    start = _utc(start)
    target = add_business_minutes(start, minutes, calendar)
    lo, hi = sorted((start, target))
    closed, cursor = [], lo
    for open_lo, open_hi in open_intervals(calendar, lo, hi):
        if open_lo > cursor:
            closed.append((cursor, open_lo))
        cursor = open_hi
    if cursor < hi:
        closed.append((cursor, hi))
    result = Explanation(start=start, target=target, minutes=minutes, calendar=calendar,
                         closed=closed)
    tz = calendar.tz
    day, last = lo.astimezone(tz).date(), hi.astimezone(tz).date()
    while day <= last:
        if (holiday := calendar.holiday_on(day)) is not None:
            result.holidays.append(holiday)
            result.holiday_days.append(day)
        day += timedelta(days=1)
    return result


def format_minutes(minutes: float) -> str:
    """A business duration as people say it: "2 h 30 min", "45 min", "1,590 h" (never days:
    a business day is eight hours on one calendar and twenty-four on another)."""
    minutes = int(round(abs(minutes)))
    hours, mins = divmod(minutes, 60)
    if hours >= 100:
        return f"{hours:,} h"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def parse_clock(text: str) -> int:
    """Minutes after midnight from "HH:MM" (24:00 allowed as the end of a day)."""
    hours, _, mins = (text or "").strip().partition(":")
    if not (hours.isdigit() and mins.isdigit() and len(mins) == 2):
        raise ValueError(f"“{text}” is not a time like 09:00.")
    value = int(hours) * 60 + int(mins)
    if int(mins) > 59 or value > DAY_MINUTES:
        raise ValueError(f"“{text}” is not a time of day.")
    return value


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
