"""Factories for calendars, processes, contracts and entitlements (flushed, sensible defaults)."""
from datetime import date, timedelta
from itertools import count

from app.models.common import utcnow
from app.services import entitlement_setup as setup
from app.services import entitlements as service
from tests.factories import make_account

_seq = count(1)
WEEKDAYS_9_TO_5 = [(day, 9 * 60, 17 * 60) for day in range(5)]
ALL_DAY = [(day, 0, 24 * 60) for day in range(7)]


def make_calendar(windows=ALL_DAY, zone="UTC", holidays=(), **overrides):
    values = {"name": f"Calendar {next(_seq)}", "zone": zone, "windows": list(windows),
              "holidays": list(holidays)}
    return setup.save_calendar(None, **(values | overrides))


def make_process(calendar=None, kinds=("first_response", "resolution"), minutes=60,
                 warn_percent=50, violation_status="", pause=("Waiting on Customer",),
                 addresses=(), **overrides):
    calendar = calendar or make_calendar()
    specs = [setup.MilestoneSpec(
        kind=kind, calendar=calendar,
        minutes={p: (minutes * (4 if kind == "resolution" else 1))
                 for p in ("Low", "Medium", "High", "Critical")},
        pause_statuses=list(pause), warn_percent=warn_percent,
        warn_addresses=list(addresses), violation_addresses=list(addresses),
        violation_status=violation_status) for kind in kinds]
    return setup.save_process(None, name=overrides.pop("name", f"Process {next(_seq)}"),
                              milestones=specs, **overrides)


def make_entitlement(account=None, process=None, allowance=None, kind="phone",
                     start=None, end=None, **overrides):
    today = utcnow().date()
    values = {"account": account or make_account(), "name": f"Support {next(_seq)}",
              "kind": kind, "start_date": start or today - timedelta(days=10),
              "end_date": end or today + timedelta(days=355), "allowance": allowance,
              "process": process}
    return service.save_entitlement(None, **(values | overrides))


def make_contract(account=None, start=None, end=None, **overrides):
    today = utcnow().date()
    values = {"account": account or make_account(), "name": "Support agreement",
              "number": f"SC-{next(_seq):04d}", "start_date": start or today - timedelta(days=30),
              "end_date": end or today + timedelta(days=335)}
    return service.save_contract(None, **(values | overrides))


def a_date(year=2026, month=3, day=2) -> date:
    return date(year, month, day)
