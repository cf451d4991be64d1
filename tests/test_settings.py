"""Admin → Settings (org-wide case access) and Admin → Case page layout."""
import json
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import Setting
from app.services import settings as settings_service
from tests.conftest import HX, csrf_from, soup
# Each list on the case page: a section of its own, or one inside the slot that refreshes it.
RELATED_SECTIONS = "#related-lists > section, #related-lists > .related-slot > section"


def layout_names(response):
    return [li.find("strong").text for li in soup(response).select("#page-layout ol li")]


def test_a_new_install_gives_every_agent_read_write_access_and_the_default_layout(app):
    assert settings_service.get_case_access() == "public_edit"
    assert settings_service.get_case_page_layout() == ["case_team", "milestones", "knowledge", "files", "tasks", "history"]


def test_admin_switches_case_access_to_private(login, admin):
    client = login(admin)
    page = client.get("/admin/settings")
    assert page.status_code == 200
    checked = soup(page).find("input", {"name": "case_access", "checked": True})
    assert checked["value"] == "public_edit"
    response = client.post("/admin/settings", data={"case_access": "private"})
    assert response.status_code == 303
    assert db.session.get(Setting, "case_access").value == "private"
    assert "Case access is now “Private”" in client.get("/admin/settings").get_data(as_text=True)


def test_an_unknown_case_access_value_is_refused_with_a_message(login, admin):
    response = login(admin).post("/admin/settings", data={"case_access": "everyone"})
    assert response.status_code == 422
    assert soup(response).select_one(".has-error .error")
    assert settings_service.get_case_access() == "public_edit"


def test_a_damaged_stored_case_access_fails_closed_to_private(app):
    db.session.add(Setting(key="case_access", value="public_everything"))
    db.session.commit()
    assert settings_service.get_case_access() == "private"


def test_agents_cannot_open_or_change_settings(login, agent):
    client = login(agent)
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data={"case_access": "public_edit"}).status_code == 403
    assert client.post("/admin/page-layout", data={"key": "files", "action": "hide"}).status_code == 403
    assert db.session.get(Setting, "case_access") is None


def test_settings_form_keeps_csrf_on(app, login, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(admin)
    refused = client.post("/admin/settings", data={"case_access": "private"})
    assert refused.status_code == 400
    token = csrf_from(client.get("/admin/settings"))
    ok = client.post("/admin/settings", data={"case_access": "private", "csrf_token": token})
    assert ok.status_code == 303
    assert settings_service.get_case_access() == "private"


def test_page_layout_page_lists_shown_and_available_related_lists(login, admin):
    settings_service.set_case_page_layout(["files", "case_team"], actor=admin)
    db.session.commit()
    page = login(admin).get("/admin/page-layout")
    assert page.status_code == 200
    assert layout_names(page) == ["Files", "Case Team"]
    available = [s.text for s in soup(page).select("#page-layout ul.layout-list strong")]
    assert available == ["Tasks", "History", "Knowledge", "Milestones"]


def test_moving_a_related_list_up_with_htmx_swaps_only_the_layout(login, admin):
    client = login(admin)
    response = client.post("/admin/page-layout", data={"key": "tasks", "action": "up"}, headers=HX)
    assert response.status_code == 200
    assert soup(response).find("html") is None
    assert soup(response).find(id="page-layout")
    assert layout_names(response) == ["Case Team", "Milestones", "Knowledge", "Tasks", "Files", "History"]
    assert json.loads(db.session.get(Setting, "case_page_layout").value)[:4] == ["case_team", "milestones", "knowledge", "tasks"]


def test_layout_changes_work_without_javascript(login, admin):
    client = login(admin)
    response = client.post("/admin/page-layout", data={"key": "case_team", "action": "hide"})
    assert response.status_code == 303
    assert settings_service.get_case_page_layout() == ["milestones", "knowledge", "files", "tasks", "history"]
    client.post("/admin/page-layout", data={"key": "case_team", "action": "show"})
    assert settings_service.get_case_page_layout() == ["milestones", "knowledge", "files", "tasks", "history", "case_team"]
    page = client.get("/admin/page-layout")
    assert "Saved the case page layout." in page.get_data(as_text=True)


def test_the_first_list_cannot_move_up_and_the_last_cannot_move_down(login, admin):
    page = login(admin).get("/admin/page-layout")
    first, *_, last = soup(page).select("#page-layout ol li")
    assert first.find("button", {"value": "up"}).has_attr("disabled")
    assert last.find("button", {"value": "down"}).has_attr("disabled")
    moved = login(admin).post("/admin/page-layout", data={"key": "case_team", "action": "up"})
    assert moved.status_code == 303
    assert settings_service.get_case_page_layout()[0] == "case_team"


def test_unknown_layout_keys_or_actions_are_refused_with_a_message(login, admin):
    client = login(admin)
    for data in ({"key": "secrets", "action": "show"}, {"key": "files", "action": "explode"},
                 {"key": "", "action": "up"}):
        response = client.post("/admin/page-layout", data=data, headers=HX)
        assert response.status_code == 422, data
        assert soup(response).select_one("#page-layout .flash-error")
    assert settings_service.get_case_page_layout() == ["case_team", "milestones", "knowledge", "files", "tasks", "history"]


def test_a_damaged_stored_layout_falls_back_and_drops_unknown_lists(app):
    db.session.add(Setting(key="case_page_layout", value="not json"))
    db.session.commit()
    assert settings_service.get_case_page_layout() == ["case_team", "milestones", "knowledge", "files", "tasks", "history"]
    db.session.get(Setting, "case_page_layout").value = json.dumps(["history", "gone", "history"])
    db.session.commit()
    assert settings_service.get_case_page_layout() == ["history"]


def test_the_case_page_shows_the_related_lists_in_layout_order(login, admin):
    from tests.factories import make_case

    case = make_case(actor=admin)
    settings_service.set_case_page_layout(["history", "case_team"], actor=admin)
    db.session.commit()
    client = login(admin)
    page = soup(client.get(f"/cases/{case.number}"))
    shown = [section["id"] for section in page.select(RELATED_SECTIONS)]
    assert shown == ["related-history", "case-team"]
    client.post("/admin/page-layout", data={"key": "files", "action": "show"})
    page = soup(client.get(f"/cases/{case.number}"))
    assert [s["id"] for s in page.select(RELATED_SECTIONS)] == [
        "related-history", "case-team", "related-files"]
    settings_service.set_case_page_layout([], actor=admin)
    db.session.commit()
    assert soup(client.get(f"/cases/{case.number}")).select_one("#related-lists") is None


def test_related_lists_show_the_cases_files_tasks_and_history(login, admin):
    from app.services import cases as case_service
    from app.services import feed as feed_service
    from tests.factories import make_case

    case = make_case(actor=admin)
    feed_service.add_files(case, actor=admin, uploads=[("report.pdf", b"%PDF-1.4 data", "application/pdf")])
    feed_service.add_files(case, actor=admin, uploads=[("photo.txt", b"x" * 2048, "text/plain")],
                           visibility="public")
    feed_service.create_task(case, actor=admin, subject="Call back", assignee=admin,
                             due_date=date(2031, 3, 4))
    done = feed_service.create_task(case, actor=admin, subject="Send the form", assignee=admin)
    feed_service.complete_task(done, actor=admin)
    case_service.update_case(case, actor=admin, expected_version=None, priority="High")
    db.session.commit()
    page = soup(login(admin).get(f"/cases/{case.number}"))
    files = page.select("#related-files li")
    assert [f.select_one(".subject").text for f in files] == ["photo.txt", "report.pdf"]
    assert files[0].select_one(".badge.public") and not files[1].select_one(".badge")
    assert files[0].select_one(".sub").text.split(" \u00b7 ")[:2] == ["2 KB", admin.name]
    assert f"/cases/{case.number}/attachments/" in files[1].select_one(".subject")["href"]
    tasks = page.select("#related-tasks li")
    assert [t.select_one(".subject").text for t in tasks] == ["Call back", "Send the form"]
    assert tasks[0].select_one(".badge").text == "Open" and "done" not in tasks[0]["class"]
    assert tasks[0].select_one(".sub").text == f"{admin.name} \u00b7 due 04 Mar 2031"
    assert tasks[1].select_one(".badge").text == "Done" and "done" in tasks[1]["class"]
    history = page.select_one("#related-history").text
    assert "Priority" in history and "Medium" in history and "High" in history
    assert admin.name in page.select_one("#related-history .sub").text


RELATED_TABLES = ("case_team_members", "attachments", "tasks")


def related_statements(counter) -> dict[str, list[str]]:
    """The statements that read a related list's own table first, by table (the feed's
    statement joins attachments and tasks too, but reads feed_items first)."""
    return {table: [s for s in counter.statements if f"FROM {table}" in s]
            for table in RELATED_TABLES}


def test_related_lists_keep_times_zones_order_and_limits(login, admin):
    """Files, Tasks and History show their times in the viewer's zone, their order and
    limits hold past ten rows, and text stays text."""
    from datetime import datetime, timezone

    from app.models import Attachment, Task
    from app.services import cases as case_service
    from app.services import feed as feed_service
    from app.services.related_lists import HISTORY_LIMIT
    from tests.factories import make_case

    admin.time_zone = "Asia/Tokyo"  # UTC+9, no daylight saving
    case = make_case(actor=admin, priority="Low")
    feed_service.add_files(case, actor=admin,
                           uploads=[('R\u00e9sum\u00e9 "<i>final" & co.txt', b"cv", "text/plain")])
    task = feed_service.create_task(case, actor=admin, subject="Call <i>back</i>",
                                    assignee=admin, due_date=date(2031, 3, 4))
    for step in range(HISTORY_LIMIT + 2):  # 27 changes: the 25 newest show, newest first
        case_service.update_case(case, actor=admin, expected_version=None,
                                 subject=f"Subject {step:02d}")
    db.session.flush()
    stamp = datetime(2031, 3, 4, 23, 30, tzinfo=timezone.utc)  # 08:30 the next day in Tokyo
    db.session.execute(sa.update(Attachment).where(Attachment.case_id == case.id)
                       .values(created_at=stamp))
    db.session.execute(sa.update(Task).where(Task.id == task.id).values(completed_at=stamp))
    db.session.commit()
    client, url = login(admin), f"/cases/{case.number}"
    db.session.expunge_all()  # read afresh, as a server's request does
    page = soup(client.get(url))
    file = page.select_one("#related-files li")
    assert file.select_one(".subject").text == 'R\u00e9sum\u00e9 "<i>final" & co.txt'
    assert file.select_one(".subject i") is None  # shown as text, not markup
    assert file.select_one(".sub").text.endswith("05 Mar 2031, 08:30")
    task_row = page.select_one("#related-tasks li")
    assert task_row.select_one(".subject").text == "Call <i>back</i>"
    assert task_row.select_one(".sub").text.endswith("due 04 Mar 2031 \u00b7 done 05 Mar 2031")
    changes = [row.select_one(".new, strong").text
               for row in page.select("#related-history li")]
    assert changes == [f"Subject {step:02d}" for step in range(HISTORY_LIMIT + 1, 1, -1)]


def test_a_layout_reads_only_the_related_lists_it_shows(login, admin, count_queries):
    from tests.factories import make_case

    case = make_case(actor=admin)
    db.session.commit()
    client = login(admin)
    client.get(f"/cases/{case.number}")
    for shown, read in ((["case_team"], "case_team_members"), (["tasks"], "tasks"),
                        (["files"], "attachments")):
        settings_service.set_case_page_layout(shown, actor=admin)
        db.session.commit()
        with count_queries() as counter:
            page = soup(client.get(f"/cases/{case.number}"))
        assert len(page.select(RELATED_SECTIONS)) == 1
        statements = related_statements(counter)
        assert {table: len(found) for table, found in statements.items()} == {
            table: int(table == read) for table in RELATED_TABLES}, shown
    assert page.select_one("#related-files .related-empty")
    settings_service.set_case_page_layout([], actor=admin)
    db.session.commit()
    with count_queries() as counter:
        client.get(f"/cases/{case.number}")
    assert not any(related_statements(counter).values())


def test_a_signed_in_page_reads_the_current_settings_once(login, admin, agent, count_queries):
    """A page asks for the settings often (access on every check) but reads them once."""
    from tests.factories import make_case

    make_case(actor=admin, subject="Admin's own")
    settings_service.set_case_access("private", actor=admin)
    db.session.commit()
    client = login(agent)
    with count_queries() as counter:
        listed = client.get("/cases/?view=open")
    assert "Admin's own" not in listed.get_data(as_text=True)  # private already applies
    assert len([s for s in counter.statements if "FROM settings" in s]) == 1
