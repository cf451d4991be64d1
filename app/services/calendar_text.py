"""Calendars as text an admin can read and type: "Mon-Fri 09:00-17:00", "2026-12-25 Christmas"."""
from __future__ import annotations

import re
from datetime import date

from app.services.business_hours import WEEKDAYS, format_clock, parse_clock
from app.services.errors import ValidationFailed

SHORT = [d[:3].lower() for d in WEEKDAYS]
WINDOW_LINE = re.compile(r"^(?P<days>[A-Za-z ,\-]+?)\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*"
                         r"(?P<end>\d{1,2}:\d{2})$")
YEARLY = re.compile(r"\s*\((every year|yearly)\)\s*$|\s+(every year|yearly)\s*$", re.I)


def _days(text: str) -> list[int]:
    text = text.strip().lower()
    if text in ("every day", "daily", "all days"):
        return list(range(7))
    days = []
    for part in re.split(r"\s*,\s*", text):
        lo, _, hi = part.partition("-")
        try:
            first = SHORT.index(lo.strip()[:3])
            last = SHORT.index(hi.strip()[:3]) if hi else first
        except ValueError as exc:
            raise ValidationFailed(f"“{part}” is not a day like Mon or Mon-Fri.",
                                   "windows") from exc
        days.extend(range(first, last + 1) if last >= first else
                    [*range(first, 7), *range(0, last + 1)])
    return days


def parse_windows(text: str) -> list[tuple[int, int, int]]:
    """Lines like "Mon-Fri 09:00-17:00", "Sat 22:00-02:00" (past midnight), "Every day
    00:00-24:00" as (weekday, start, end) minutes."""
    windows = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        match = WINDOW_LINE.match(line)
        if not match:
            raise ValidationFailed(f"Line {number}: write it like “Mon-Fri 09:00-17:00”.",
                                   "windows")
        try:
            start, end = parse_clock(match["start"]), parse_clock(match["end"])
        except ValueError as exc:
            raise ValidationFailed(f"Line {number}: {exc}", "windows") from exc
        if start == 1440:
            raise ValidationFailed(f"Line {number}: a window cannot start at 24:00.", "windows")
        windows.extend((day, start, end if end else 1440) for day in _days(match["days"]))
    return windows


def format_windows(windows) -> str:
    """The windows as parse_windows reads them, days with the same hours grouped."""
    by_hours: dict[tuple[int, int], list[int]] = {}
    for w in windows:
        by_hours.setdefault((w.start_minute, w.end_minute), []).append(w.weekday)
    lines = []
    for (start, end), days in sorted(by_hours.items(), key=lambda kv: (min(kv[1]), kv[0])):
        lines.append(f"{_day_ranges(sorted(days))} {format_clock(start)}-{format_clock(end)}")
    return "\n".join(lines)


def _day_ranges(days: list[int]) -> str:
    if days == list(range(7)):
        return "Every day"
    parts, run = [], [days[0]]
    for day in days[1:] + [None]:
        if day is not None and day == run[-1] + 1:
            run.append(day)
            continue
        names = [WEEKDAYS[d][:3] for d in run]
        parts.append(names[0] if len(run) == 1 else f"{names[0]}-{names[-1]}")
        if day is not None:
            run = [day]
    return ",".join(parts)


def parse_holidays(text: str) -> list[tuple[date, str, bool]]:
    """Lines like "2026-12-25 Christmas Day (every year)" as (day, name, yearly)."""
    holidays = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        day_text, _, rest = line.partition(" ")
        try:
            day = date.fromisoformat(day_text)
        except ValueError as exc:
            raise ValidationFailed(f"Line {number}: start with a date like 2026-12-25.",
                                   "holidays") from exc
        yearly = bool(YEARLY.search(rest))
        holidays.append((day, YEARLY.sub("", rest).strip()[:120], yearly))
    return holidays


def format_holidays(holidays) -> str:
    return "\n".join(f"{h.day.isoformat()} {h.name}{' (every year)' if h.yearly else ''}".strip()
                     for h in holidays)
