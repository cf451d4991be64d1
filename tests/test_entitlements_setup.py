"""Admin setup: business hours typed as text, processes with milestones, service levels."""
from datetime import date

import sqlalchemy as sa
from click.testing import CliRunner

from app.extensions import db
from app.models.entitlements import BusinessCalendar, EntitlementProcess, EntitlementTemplate
from tests.conftest import HX, soup
from tests.entitlement_factories import make_calendar, make_process

CALENDAR = {"name": "Berlin office", "zone": "Europe/Berlin",
            "windows": "Mon-Fri 09:00-17:00\nSat 22:00-02:00",
            "holidays": "2026-12-24 Christmas Eve\n2026-12-25 Christmas Day (every year)"}


def test_setup_pages_are_for_admins_only(app, login, agent):
    client = login(agent)
    for url in ("/entitlements/setup", "/entitlements/setup/calendars/new",
                "/entitlements/setup/processes/new", "/entitlements/setup/templates/new",
                "/entitlements/what-if"):
        assert client.get(url).status_code == 403, url
    assert "Setup" not in [a.text for a in soup(client.get("/entitlements/contracts"))
                           .select(".ent-subnav a")]


def test_the_setup_page_starts_with_empty_states(app, login, admin):
    text = login(admin).get("/entitlements/setup").get_data(as_text=True)
    assert "No business hours yet" in text and "No processes yet" in text


def test_an_admin_writes_business_hours_as_text(app, login, admin):
    client = login(admin)
    response = client.post("/entitlements/setup/calendars/new", data=CALENDAR)
    assert response.status_code == 303
    calendar = db.session.scalar(sa.select(BusinessCalendar))
    assert [(w.weekday, w.start_minute, w.end_minute) for w in calendar.windows][-1] == (5, 1320, 120)
    assert len(calendar.windows) == 6
    assert [(h.name, h.yearly) for h in calendar.holidays] == [("Christmas Eve", False),
                                                               ("Christmas Day", True)]
    form = soup(client.get(f"/entitlements/setup/calendars/{calendar.id}"))
    assert form.find("textarea", attrs={"name": "windows"}).text.strip() == \
        "Mon-Fri 09:00-17:00\nSat 22:00-02:00"


def test_a_badly_written_window_is_refused_with_its_line(app, login, admin):
    response = login(admin).post("/entitlements/setup/calendars/new", headers=HX,
                                 data=CALENDAR | {"windows": "Mon-Fri 9 to 5"})
    assert response.status_code == 422 and soup(response).find("html") is None
    assert "Line 1: write it like" in response.get_data(as_text=True)
    response = login(admin).post("/entitlements/setup/calendars/new",
                                 data=CALENDAR | {"zone": "Mars/Olympus"})
    assert response.status_code == 422 and "not a time zone" in response.get_data(as_text=True)


def test_a_calendar_in_use_cannot_be_deleted(app, login, admin):
    calendar = make_calendar()
    make_process(calendar=calendar)
    spare = make_calendar(name="Spare")
    db.session.commit()
    client = login(admin)
    assert "cannot be undone" in client.get(
        f"/entitlements/setup/calendars/{spare.id}/delete").get_data(as_text=True)
    refused = client.post(f"/entitlements/setup/calendars/{calendar.id}/delete")
    assert refused.status_code == 422 and "Milestones run on this calendar" in refused.get_data(
        as_text=True)
    assert client.post(f"/entitlements/setup/calendars/{spare.id}/delete").status_code == 303
    assert db.session.get(BusinessCalendar, spare.id) is None


def test_an_admin_builds_a_process_with_milestone_targets_by_priority(app, login, admin):
    calendar = make_calendar(name="24x7")
    db.session.commit()
    client = login(admin)
    data = {"name": "Premium", "milestones-0-enabled": "y",
            "milestones-0-calendar": calendar.id, "milestones-0-minutes_low": 240,
            "milestones-0-minutes_medium": 120, "milestones-0-minutes_high": 60,
            "milestones-0-minutes_critical": 30, "milestones-0-warn_percent": 75,
            "milestones-0-pause_statuses": ["Waiting on Customer"],
            "milestones-0-warn_owner": "y", "milestones-0-violation_status": "Escalated",
            "milestones-0-addresses": "lead@example.com"}
    assert client.post("/entitlements/setup/processes/new", data=data).status_code == 303
    process = db.session.scalar(sa.select(EntitlementProcess))
    (milestone,) = process.milestones
    assert milestone.kind == "first_response" and milestone.minutes_for("Critical") == 30
    assert milestone.violation_status == "Escalated" and milestone.warn_percent == 75
    assert milestone.violation_recipients["addresses"] == ["lead@example.com"]
    missing = client.post(f"/entitlements/setup/processes/{process.id}",
                          data=data | {"milestones-0-minutes_high": ""})
    assert missing.status_code == 422 and "at least one minute for High" in missing.get_data(
        as_text=True)


def test_an_admin_offers_a_service_level_to_customer_types(app, login, admin):
    process = make_process()
    db.session.commit()
    client = login(admin)
    refused = client.post("/entitlements/setup/templates/new", data={
        "name": "Business-hours web support, 8 business hours", "kind": "web",
        "term_days": 365, "process_id": process.id})
    assert refused.status_code == 422 and "at least one customer type" in refused.get_data(
        as_text=True)
    assert client.post("/entitlements/setup/templates/new", data={
        "name": "Business-hours web support, 8 business hours", "kind": "web",
        "term_days": 365, "process_id": process.id, "tiers": ["Standard"]}).status_code == 303
    template = db.session.scalar(sa.select(EntitlementTemplate))
    assert template.tiers == ["Standard"] and template.process == process


def test_the_what_if_page_shows_every_deadline_and_why(app, login, admin):
    calendar = make_calendar(windows=[(d, 540, 1020) for d in range(5)], zone="UTC",
                             holidays=[(date(2026, 3, 3), "Staff day", False)])
    process = make_process(calendar=calendar, name="Office hours")
    db.session.commit()
    admin.time_zone = "UTC"
    db.session.commit()
    client = login(admin)
    page = client.get(f"/entitlements/what-if?process_id={process.id}&priority=High"
                      "&opened=2026-03-02T16:30&changes=%2B10m+Waiting+on+Customer%0A%2B20m+Working")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Holiday skipped: Tue 03 Mar 2026, Staff day." in text
    assert "set the status to “Waiting on Customer”" in text
    # 20 min on Monday (10 before the pause, 10 after it), 40 more on Wednesday.
    assert "due 04 Mar 2026, 09:40" in text
    bad = client.get(f"/entitlements/what-if?process_id={process.id}&changes=soon", headers=HX)
    assert bad.status_code == 422 and "Line 1" in bad.get_data(as_text=True)


def test_the_tick_command_fires_due_alerts(app):
    runner = CliRunner()
    result = runner.invoke(app.cli, ["entitlements", "tick"])
    assert result.exit_code == 0 and "Warned 0, violated 0." in result.output
