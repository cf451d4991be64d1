"""Business-time arithmetic: examples a support lead can check by hand, and properties."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from app.services.business_hours import (
    Calendar, Holiday, NoBusinessHours, Window, add_business_minutes, always_open,
    business_minutes_between, explain, format_minutes, is_open, parse_clock,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def office(zone="Europe/Berlin", holidays=()):
    """Nine to five, Monday to Friday."""
    return Calendar(zone=zone, name="Office", holidays=tuple(holidays),
                    windows=tuple(Window(day, 9 * 60, 17 * 60) for day in range(5)))


def split_day(zone="Europe/Berlin"):
    """Two windows a weekday (a lunch break), and a Saturday morning."""
    windows = [Window(d, 8 * 60, 12 * 60) for d in range(5)]
    windows += [Window(d, 13 * 60, 17 * 60) for d in range(5)]
    return Calendar(zone=zone, windows=(*windows, Window(5, 9 * 60, 12 * 60)))


def night_shift(zone="Europe/Berlin"):
    """22:00 to 06:00, starting Monday to Friday evenings."""
    return Calendar(zone=zone, windows=tuple(Window(d, 22 * 60, 6 * 60) for d in range(5)))


def local(*args, tz=BERLIN):
    return datetime(*args, tzinfo=tz)


def test_adding_within_one_day_stays_on_that_day():
    start = local(2026, 3, 2, 10, 0)  # a Monday
    assert add_business_minutes(start, 120, office()) == local(2026, 3, 2, 12, 0)


def test_the_deadline_skips_the_night_and_the_weekend():
    friday = local(2026, 3, 6, 16, 0)
    # One hour on Friday, seven on Monday.
    assert add_business_minutes(friday, 8 * 60, office()) == local(2026, 3, 9, 16, 0)


def test_a_start_outside_hours_counts_from_the_next_opening():
    saturday = local(2026, 3, 7, 11, 0)
    assert add_business_minutes(saturday, 30, office()) == local(2026, 3, 9, 9, 30)
    assert business_minutes_between(saturday, local(2026, 3, 9, 9, 30), office()) == 30


def test_a_deadline_that_uses_up_the_day_ends_at_closing_time():
    assert add_business_minutes(local(2026, 3, 2, 9), 480, office()) == local(2026, 3, 2, 17)


def test_a_dated_holiday_is_skipped():
    calendar = office(holidays=[Holiday(date(2026, 3, 9), "Staff day")])
    friday = local(2026, 3, 6, 16, 0)
    assert add_business_minutes(friday, 120, calendar) == local(2026, 3, 10, 10, 0)
    why = explain(friday, 120, calendar)
    assert [h.name for h in why.holidays] == ["Staff day"]
    assert why.holiday_days == [date(2026, 3, 9)]


def test_a_yearly_holiday_is_skipped_every_year():
    calendar = office(holidays=[Holiday(date(2000, 12, 25), "Christmas Day", yearly=True)])
    eve = local(2028, 12, 22, 16, 0)  # a Friday; the 25th is a Monday
    assert add_business_minutes(eve, 120, calendar) == local(2028, 12, 26, 10, 0)


def test_the_explanation_lists_the_closed_hours_it_skipped():
    why = explain(local(2026, 3, 2, 16, 0), 120, office())
    assert why.target == local(2026, 3, 3, 10, 0)
    assert why.closed == [(local(2026, 3, 2, 17).astimezone(timezone.utc),
                           local(2026, 3, 3, 9).astimezone(timezone.utc))]
    assert why.closed_minutes == 16 * 60


def test_an_office_day_is_eight_real_hours_across_the_spring_dst_change():
    # Europe/Berlin moves to summer time on Sunday 29 March 2026.
    friday = local(2026, 3, 27, 17, 0)
    monday = add_business_minutes(friday, 60, office())
    assert monday == local(2026, 3, 30, 10, 0)
    assert monday.utcoffset() == timedelta(0)  # answers are UTC


def test_a_24_hour_window_has_25_hours_on_the_night_the_clocks_go_back():
    calendar = Calendar(zone="Europe/Berlin", windows=(Window(6, 0, 24 * 60),))  # Sundays
    sunday = local(2026, 10, 25, 0, 0)
    assert business_minutes_between(sunday, local(2026, 10, 26, 0, 0), calendar) == 25 * 60


def test_a_window_past_midnight_continues_into_the_next_day():
    monday_night = local(2026, 3, 2, 23, 0)
    assert add_business_minutes(monday_night, 120, night_shift()) == local(2026, 3, 3, 1, 0)
    friday_night = local(2026, 3, 6, 23, 0)  # the Friday shift ends Saturday 06:00
    assert add_business_minutes(friday_night, 8 * 60, night_shift()) == local(2026, 3, 9, 23, 0)


def test_a_holiday_closes_the_part_of_a_night_shift_that_falls_on_it():
    calendar = Calendar(zone="Europe/Berlin", windows=night_shift().windows,
                        holidays=(Holiday(date(2026, 3, 3), "Closed"),))
    assert business_minutes_between(local(2026, 3, 2, 12), local(2026, 3, 3, 12), calendar) == 120


def test_24x7_is_plain_clock_time():
    start = datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc)
    assert add_business_minutes(start, 600, always_open("Europe/Berlin")) == start + timedelta(hours=10)


def test_a_calendar_without_windows_is_refused():
    with pytest.raises(NoBusinessHours):
        add_business_minutes(local(2026, 3, 2, 10), 60, Calendar(zone="UTC"))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(datetime(2026, 3, 2, 10), 60, office())


def test_is_open_and_helpers():
    assert is_open(local(2026, 3, 2, 9, 0), office())
    assert not is_open(local(2026, 3, 2, 17, 0), office())
    assert format_minutes(150) == "2 h 30 min" and format_minutes(45) == "45 min"
    assert format_minutes(3 * 24 * 60 + 60) == "73 h"
    assert format_minutes(1590 * 60 + 20) == "1,590 h"
    assert parse_clock("24:00") == 1440
    with pytest.raises(ValueError):
        parse_clock("9")


# Properties --------------------------------------------------------------------------------

CALENDARS = st.sampled_from([
    office(), office("America/New_York"), split_day(), split_day("Australia/Sydney"),
    night_shift(), night_shift("America/New_York"), always_open("Europe/Berlin"),
    office(holidays=[Holiday(date(2000, 1, 1), "New Year", yearly=True),
                     Holiday(date(2026, 3, 30), "Staff day"),
                     Holiday(date(2000, 12, 25), "Christmas", yearly=True)]),
])
# Around both DST changes and the year end.
MOMENTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 10),
                       timezones=st.just(timezone.utc))
MINUTES = st.integers(min_value=1, max_value=5 * 8 * 60 * 3)


def _inside(moment, calendar):
    """Move a moment into open time (a property about starts inside hours)."""
    return add_business_minutes(moment, 1, calendar) - timedelta(minutes=1)


@settings(max_examples=150, deadline=None)
@given(calendar=CALENDARS, moment=MOMENTS, minutes=MINUTES)
def test_adding_then_subtracting_returns_to_a_start_inside_hours(calendar, moment, minutes):
    start = _inside(moment, calendar)
    assert is_open(start, calendar)
    target = add_business_minutes(start, minutes, calendar)
    assert add_business_minutes(target, -minutes, calendar) == start


@settings(max_examples=150, deadline=None)
@given(calendar=CALENDARS, moment=MOMENTS, minutes=MINUTES)
def test_the_minutes_between_start_and_target_are_the_minutes_added(calendar, moment, minutes):
    target = add_business_minutes(moment, minutes, calendar)
    assert target > moment
    assert business_minutes_between(moment, target, calendar) == pytest.approx(minutes)


@settings(max_examples=100, deadline=None)
@given(calendar=CALENDARS, moment=MOMENTS, a=MINUTES, b=MINUTES)
def test_adding_in_two_steps_is_adding_once(calendar, moment, a, b):
    once = add_business_minutes(moment, a + b, calendar)
    twice = add_business_minutes(add_business_minutes(moment, a, calendar), b, calendar)
    assert once == twice


@settings(max_examples=100, deadline=None)
@given(moment=MOMENTS, minutes=MINUTES)
def test_a_start_outside_hours_waits_for_the_opening(moment, minutes):
    calendar = office("America/New_York")
    opening = add_business_minutes(moment, 1, calendar) - timedelta(minutes=1)
    assert add_business_minutes(moment, minutes, calendar) == \
        add_business_minutes(opening, minutes, calendar)
    if not is_open(moment, calendar):
        assert opening.astimezone(NEW_YORK).hour == 9


@settings(max_examples=100, deadline=None)
@given(moment=MOMENTS, minutes=MINUTES)
def test_24x7_business_minutes_are_clock_minutes_whatever_the_zone(moment, minutes):
    calendar = always_open("America/New_York")
    assert add_business_minutes(moment, minutes, calendar) == moment + timedelta(minutes=minutes)


@settings(max_examples=100, deadline=None)
@given(moment=MOMENTS, minutes=MINUTES)
def test_no_deadline_lands_on_a_holiday_or_a_weekend(moment, minutes):
    calendar = office(holidays=[Holiday(date(2000, 12, 25), "Christmas", yearly=True)])
    target = add_business_minutes(moment, minutes, calendar).astimezone(BERLIN)
    just_before = target - timedelta(microseconds=1)
    assert just_before.weekday() < 5 and (just_before.month, just_before.day) != (12, 25)
    assert 9 <= just_before.hour < 17
