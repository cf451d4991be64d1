"""The case page: Feed and Details tabs, the header with inline edit, and recent views."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import RecentView
from app.services.eligibility import attach_entitlement
from app.services.knowledge_cases import attach_article
from tests.conftest import HX, IS_POSTGRES, csrf_from, sent_to_portal, soup
from tests.factories import make_case, make_contact, make_user
from tests.entitlement_factories import make_entitlement, make_process
from tests.knowledge_factories import make_article


@pytest.fixture
def client(login, agent):
    return login(agent)


@pytest.fixture
def case(agent):
    contact = make_contact(name="Carla Customer")
    case = make_case(actor=agent, subject="Printer jams", contact=contact, origin="Email")
    db.session.commit()
    return case


def key_fields(response) -> dict[str, str]:
    """The header's key fields as label -> shown text."""
    header = soup(response).find(id="case-header")
    for hidden in header.select(".sr-only, .edit-mark"):
        hidden.decompose()
    return {dt.text.strip(): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in header.select(".key-field dt")}


def test_the_case_page_opens_on_the_feed_tab(client, case):
    response = client.get(f"/cases/{case.number}")
    page = soup(response)
    assert response.status_code == 200
    assert page.find("html") is not None
    assert page.find("h1", id="case-title").text == "Printer jams"
    assert page.select_one("#case-tabs .tabs a.active").text.strip() == "Feed"
    assert page.find(id="publisher") is not None and page.find(id="feed") is not None


def test_the_header_shows_the_key_fields(client, case, agent):
    fields = key_fields(client.get(f"/cases/{case.number}"))
    assert fields["Status"] == "New" and fields["Priority"] == "Medium"
    assert fields["Owner"] == "Alex Agent" and fields["Contact"] == "Carla Customer"
    assert fields["Account"] == case.account.name and fields["Origin"] == "Email"
    assert fields["Opened"]


def test_the_details_tab_is_a_real_url(client, case):
    page = soup(client.get(f"/cases/{case.number}/details"))
    assert page.find("html") is not None
    assert page.select_one("#case-tabs .tabs a.active").text.strip() == "Details"
    assert "The printer stops after every second page." in page.select_one(
        ".case-description").text


def test_the_details_tab_shows_who_opened_the_case_in_three_statements(login, agent,
                                                                       count_queries):
    """The session with its user, the settings, then the case with its account, contact,
    owner, creator and the viewer's last view: the tab reads the database three times."""
    opener = make_user(name="Olive Opener")
    case = make_case(actor=opener, owner=agent, subject="Printer jams")
    db.session.commit()
    url = f"/cases/{case.number}/details"
    client = login(agent)
    client.get(url, headers=HX)  # the first view records it
    db.session.expunge_all()  # as a server's request starts: nothing loaded
    with count_queries() as counter:
        tab = soup(client.get(url, headers=HX))
    opened = tab.find("dt", string="Opened").find_next_sibling("dd").get_text(" ", strip=True)
    assert opened.endswith("by Olive Opener")
    assert counter.count == 3, counter.statements


@pytest.mark.parametrize("path", ["", "/details"])
def test_switching_tabs_with_htmx_gets_only_the_tab(client, case, path):
    response = client.get(f"/cases/{case.number}{path}", headers=HX)
    html = soup(response)
    assert html.find("html") is None and html.find(id="case-header") is None
    assert html.find(id="case-tabs") is not None
    link = html.select_one(".tabs a")
    assert link["hx-target"] == "#case-tabs" and link["hx-push-url"] == "true"


def stored_view(user, case):
    """When the database says the user last opened the case (None: never)."""
    db.session.expire_all()
    return db.session.scalar(sa.select(RecentView.viewed_at).where(
        RecentView.user_id == user.id, RecentView.case_id == case.id))


@contextmanager
def statements_run():
    """Every SQL statement the engine runs inside the block, BEGIN included."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()).upper())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_opening_a_case_records_a_recent_view(client, case, agent):
    assert stored_view(agent, case) is None
    client.get(f"/cases/{case.number}")
    assert stored_view(agent, case) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecentView)) == 1


def test_a_second_view_within_a_minute_only_reads_and_a_later_one_records_again(client, case,
                                                                                agent):
    client.get(f"/cases/{case.number}")
    first = stored_view(agent, case)
    with statements_run() as statements:
        assert client.get(f"/cases/{case.number}/details").status_code == 200
    assert stored_view(agent, case) == first
    assert not [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert "BEGIN IMMEDIATE" not in statements  # SQLite: the view never takes the write lock
    earlier = first - timedelta(minutes=2)
    db.session.execute(sa.update(RecentView).values(viewed_at=earlier))
    db.session.commit()
    client.get(f"/cases/{case.number}")
    assert stored_view(agent, case) > first


@pytest.fixture
def views_refused():
    """The database refuses every write to recent_views (a trigger), as a full disk would."""
    if IS_POSTGRES:
        create = ["CREATE FUNCTION refuse_views() RETURNS trigger AS $$ BEGIN "
                  "RAISE EXCEPTION 'no space left'; END $$ LANGUAGE plpgsql",
                  "CREATE TRIGGER refuse_views BEFORE INSERT OR UPDATE ON recent_views "
                  "FOR EACH ROW EXECUTE FUNCTION refuse_views()"]
        drop = ["DROP TRIGGER refuse_views ON recent_views", "DROP FUNCTION refuse_views()"]
    else:
        create = ["CREATE TRIGGER refuse_views BEFORE INSERT ON recent_views "
                  "BEGIN SELECT RAISE(ABORT, 'no space left'); END"]
        drop = ["DROP TRIGGER refuse_views"]
    for sql in create:
        db.session.execute(sa.text(sql))
    db.session.commit()
    yield
    db.session.rollback()
    for sql in drop:
        db.session.execute(sa.text(sql))
    db.session.commit()


def test_a_view_that_cannot_be_recorded_still_shows_the_case(client, case, agent,
                                                             views_refused):
    response = client.get(f"/cases/{case.number}")
    assert response.status_code == 200
    assert case.subject in response.get_data(as_text=True)
    assert stored_view(agent, case) is None


def test_each_user_has_a_recent_view_of_their_own(client, case, agent, login):
    client.get(f"/cases/{case.number}")
    colleague = make_user(name="Bea Colleague", password=None)
    db.session.commit()
    login(colleague).get(f"/cases/{case.number}")
    assert stored_view(agent, case) is not None and stored_view(colleague, case) is not None


def test_a_missing_case_is_404_and_a_padded_number_works(client, case):
    assert client.get("/cases/99999999").status_code == 404
    assert client.get(f"/cases/{case.number:08d}").status_code == 200
    assert client.get("/cases/abc").status_code == 404


def test_customers_are_sent_to_the_welcome_page_from_the_case_page(login, case):
    customer = make_user(role="customer", password=None)
    db.session.commit()
    client = login(customer)
    assert sent_to_portal(client.get(f"/cases/{case.number}"))
    assert client.get(f"/cases/{case.number}", headers=HX).status_code == 403


def test_the_header_refreshes_itself_when_the_case_changes(client, case):
    header = soup(client.get(f"/cases/{case.number}")).find(id="case-header")
    assert header["hx-get"] == f"/cases/{case.number}/header"
    assert header["hx-trigger"] == "case-changed from:body"
    response = client.get(f"/cases/{case.number}/header", headers=HX)
    html = soup(response)
    assert html.find("html") is None and html.find(id="case-header") is not None


def test_the_header_url_without_htmx_renders_the_whole_page(client, case):
    page = soup(client.get(f"/cases/{case.number}/header"))
    assert page.find("html") is not None and page.find(id="case-tabs") is not None


@pytest.mark.parametrize("field", ["status", "priority", "owner"])
def test_clicking_a_field_opens_its_editor_with_focus(client, case, field):
    page = soup(client.get(f"/cases/{case.number}"))
    link = page.find("a", id=f"edit-{field}")
    assert link["hx-get"] == link["href"] == f"/cases/{case.number}/header?edit={field}"
    html = soup(client.get(link["href"], headers=HX))
    select = html.find("select", id=f"inline-{field}")
    assert select.has_attr("autofocus") and select.has_attr("data-autofocus")
    form = select.find_parent("form")
    assert form["hx-post"] == f"/cases/{case.number}/fields/{field}"
    assert form.find("input", {"name": "version"})["value"] == str(case.version)
    cancel = form.find("a", attrs={"data-cancel": True})
    assert cancel["hx-get"] == f"/cases/{case.number}/header?focus={field}"


def test_cancelling_puts_focus_back_on_the_field(client, case):
    html = soup(client.get(f"/cases/{case.number}/header?focus=priority", headers=HX))
    assert html.find("a", id="edit-priority").has_attr("data-autofocus")


def test_an_unknown_inline_field_is_404(client, case):
    assert client.get(f"/cases/{case.number}/header?edit=subject").status_code == 404
    response = client.post(f"/cases/{case.number}/fields/subject",
                           data={"value": "x", "version": case.version})
    assert response.status_code == 404


def test_saving_an_inline_edit_swaps_the_header_back_and_records_the_change(client, case):
    response = client.post(f"/cases/{case.number}/fields/priority",
                           data={"value": "High", "version": case.version}, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger-After-Settle"] == "case-changed, related-changed"
    html = soup(response)
    assert html.find("html") is None and html.find("select") is None
    assert html.find("a", id="edit-priority").has_attr("data-autofocus")
    assert key_fields(response)["Priority"] == "High"
    feed = client.get(f"/cases/{case.number}/feed", headers=HX).get_data(as_text=True)
    assert "Priority" in feed and "Medium" in feed and "High" in feed


def test_an_inline_edit_without_javascript_redirects_back(client, case):
    response = client.post(f"/cases/{case.number}/fields/status",
                           data={"value": "Working", "version": case.version})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.number}"
    assert case.status == "Working"


def test_an_inline_editor_opens_without_javascript_too(client, case):
    page = soup(client.get(f"/cases/{case.number}/header?edit=status"))
    assert page.find("html") is not None
    assert page.find("select", id="inline-status")["name"] == "value"


def test_reassigning_inline_changes_the_owner(client, case):
    bea = make_user(name="Bea Colleague", password=None)
    db.session.commit()
    response = client.post(f"/cases/{case.number}/fields/owner",
                           data={"value": bea.id, "version": case.version}, headers=HX)
    assert key_fields(response)["Owner"] == "Bea Colleague"


@pytest.mark.parametrize("field, value", [("priority", "Urgent"), ("status", ""),
                                          ("owner", "999999"), ("owner", "abc")])
def test_an_unknown_inline_value_is_a_422_with_the_editor_still_open(client, case, field,
                                                                     value):
    response = client.post(f"/cases/{case.number}/fields/{field}",
                           data={"value": value, "version": case.version}, headers=HX)
    assert response.status_code == 422
    error = soup(response).find(id=f"inline-{field}-error")
    assert "from the list" in error.text


def test_an_inline_edit_without_a_version_is_refused(client, case):
    response = client.post(f"/cases/{case.number}/fields/priority", data={"value": "High"},
                           headers=HX)
    assert response.status_code == 422
    assert "out of date" in soup(response).find(id="inline-priority-error").text
    assert case.priority == "Medium"


def test_a_stale_inline_edit_is_409_with_what_changed_and_my_choice_kept(client, case, agent):
    stale = case.version
    client.post(f"/cases/{case.number}/fields/priority", data={"value": "High",
                                                               "version": stale})
    response = client.post(f"/cases/{case.number}/fields/priority",
                           data={"value": "Low", "version": stale}, headers=HX)
    assert response.status_code == 409
    html = soup(response)
    conflict = html.select_one(".conflict").get_text(" ", strip=True)
    assert "Priority" in conflict and "Medium → High" in conflict and "Alex Agent" in conflict
    select = html.find("select", id="inline-priority")
    assert select.find("option", selected=True).text == "Low"
    assert select.find_parent("form").find("input", {"name": "version"})["value"] == \
        str(case.version)
    assert case.priority == "High"


def test_the_header_offers_edit_close_and_reopen(client, case, agent):
    page = soup(client.get(f"/cases/{case.number}"))
    actions = page.select_one("#case-header .actions")
    assert actions.find("a", string="Edit")["href"] == f"/cases/{case.number}/edit"
    assert actions.find("a", string="Close case")["href"] == f"/cases/{case.number}/close"


def test_read_only_agents_see_no_edit_controls_and_get_403(app, login, admin, case):
    from app.services.settings import set_case_access

    reader = make_user(name="Rita Reader", password=None)
    set_case_access("public_read", actor=admin)
    db.session.commit()
    client = login(reader)
    page = soup(client.get(f"/cases/{case.number}"))
    assert page.find("a", id="edit-priority") is None
    assert page.select_one("#case-header .actions") is None
    assert client.get(f"/cases/{case.number}/header?edit=priority").status_code == 403
    response = client.post(f"/cases/{case.number}/fields/priority",
                           data={"value": "High", "version": case.version}, headers=HX)
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#flash-messages"
    for path in ("edit", "close"):
        assert client.get(f"/cases/{case.number}/{path}").status_code == 403


def test_inline_edit_works_with_csrf_on(app, client, case):
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_from(client.get(f"/cases/{case.number}"))
    refused = client.post(f"/cases/{case.number}/fields/priority",
                          data={"value": "High", "version": case.version}, headers=HX)
    assert refused.status_code == 400
    response = client.post(f"/cases/{case.number}/fields/priority",
                           data={"value": "High", "version": case.version},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200 and case.priority == "High"


@pytest.mark.parametrize("path", ["", "/details"])
def test_the_related_lists_of_the_page_layout_sit_beside_either_tab(client, case, path):
    client.post(f"/cases/{case.number}/fields/priority",
                data={"value": "High", "version": case.version})
    side = soup(client.get(f"/cases/{case.number}{path}")).select_one("aside.case-side")
    assert side.find(id="case-team") is not None
    history = side.find(id="related-history").get_text(" ", strip=True)
    assert "Priority" in history and "Medium" in history and "High" in history
    tab_only = soup(client.get(f"/cases/{case.number}{path}", headers=HX))
    assert tab_only.find(id="related-lists") is None


# What each registered related list shows for the case of the test below: its container's
# id, a selector for its rows' text, and the rows. A new list adds its line here.
RELATED_LIST_ROWS = {
    "case_team": ("case-team", "li.team-member .subject", ["Tess Team"]),
    "files": ("related-files", "li .subject", ["notes.txt"]),
    "tasks": ("related-tasks", "li .subject", ["Call back"]),
    "history": ("related-history", "li strong", ["High"]),
    "knowledge": ("case-knowledge", "li.kb-attached .subject", ["How do I reset my password?"]),
    "milestones": ("related-milestones", "li.ms-item .subject", ["First response", "Resolution"]),
}


def test_every_registered_related_list_renders_on_the_case_page(login, admin, count_queries):
    from app.cases.related import REGISTRY
    from app.services import case_team, team_admin
    from app.services import cases as case_service
    from app.services import feed as feed_service
    from app.services import settings as settings_service

    assert set(REGISTRY) == set(RELATED_LIST_ROWS), "each related list needs its rows here"
    empty, case = make_case(actor=admin), make_case(actor=admin, priority="Low")
    role = team_admin.create_role(actor=admin, name="Lead", access="edit")
    case_team.add_case_team_member(case, make_user(name="Tess Team"), role, actor=admin)
    feed_service.add_files(case, actor=admin, uploads=[("notes.txt", b"notes", "text/plain")])
    feed_service.create_task(case, actor=admin, subject="Call back")
    case_service.update_case(case, actor=admin, expected_version=None, priority="High")
    attach_article(case, make_article(admin), actor=admin, link="/knowledge")
    attach_entitlement(case, make_entitlement(process=make_process()))
    settings_service.set_case_page_layout(list(REGISTRY), actor=admin)
    db.session.commit()
    client, urls = login(admin), [f"/cases/{c.number}" for c in (empty, case)]
    counts = []
    for url in urls:
        client.get(url)  # the first view also records it
        db.session.expunge_all()  # as a server's request starts: nothing loaded
        with count_queries() as counter:
            page = soup(client.get(url))
        counts.append(counter.count)
    # A live list sits in the slot that fetches it again; the case team is its own component.
    sections = [(el if el.name == "section" else el.find("section", recursive=False))["id"]
                for el in page.select("#related-lists > *")]
    assert sections == [f"related-{key}-loading" if REGISTRY[key].lazy
                        else RELATED_LIST_ROWS[key][0] for key in REGISTRY]
    for key, (container, selector, rows) in RELATED_LIST_ROWS.items():
        shown = page
        if REGISTRY[key].lazy:  # read once the page has loaded, in a request of its own
            lazy = page.select_one(f"#related-{key}-loading")
            assert lazy["hx-trigger"] == "load"
            shown = soup(client.get(lazy["hx-get"], headers=HX))
            assert shown.find("html") is None
        assert [row.get_text(strip=True) for row in shown.select(f"#{container} {selector}")] \
            == rows, key
    assert counts[0] == counts[1] <= 10, counts
