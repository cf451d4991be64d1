"""Admin: predefined case teams with member rows added and removed by htmx or plain posts."""
import sqlalchemy as sa

from app.extensions import db
from app.models import CaseTeamMember, PredefinedTeam
from app.services import case_team
from tests.conftest import HX, csrf_from, soup
from tests.factories import (
    make_case, make_contact, make_predefined_team, make_role, make_user,
)


def team_named(name):
    return db.session.scalar(sa.select(PredefinedTeam).where(PredefinedTeam.name == name))


def rows(*members):
    """Form data for member rows: (person key, label, role id) triples."""
    data = {}
    for i, (key, label, role_id) in enumerate(members):
        data.update({f"members-{i}-person": key, f"members-{i}-person_label": label,
                     f"members-{i}-role": str(role_id)})
    return data


def test_teams_page_shows_an_empty_state(login, admin):
    page = login(admin).get("/teams/")
    assert page.status_code == 200
    assert "No predefined teams yet" in soup(page).select_one(".empty-state").text


def test_the_team_form_asks_for_a_role_first_when_there_is_none(login, admin):
    page = soup(login(admin).get("/teams/new"))
    assert "Create a case team role first" in page.text
    assert page.find("form", id="team-form") is None


def test_admin_creates_a_team_of_a_user_and_a_contact(login, admin):
    lead, observer = make_role("Technical Lead", "edit"), make_role("Observer")
    dana, contact = make_user(name="Dana Lee"), make_contact(name="Chris Customer")
    db.session.commit()
    client = login(admin)
    response = client.post("/teams/new", data={
        "name": "Tier 2", "description": "Escalations",
        **rows((f"user:{dana.id}", "Dana Lee", lead.id),
               (f"contact:{contact.id}", "Chris Customer", observer.id))})
    assert response.status_code == 303
    team = team_named("Tier 2")
    assert [(m.person_name, m.role.name) for m in team.members] == [
        ("Dana Lee", "Technical Lead"), ("Chris Customer", "Observer")]
    listed = soup(client.get("/teams/")).select_one("table.data tbody tr").text
    assert "Dana Lee" in listed and "Chris Customer" in listed and "contact" in listed


def test_without_javascript_a_typed_email_or_name_finds_the_person(login, admin):
    role = make_role("Observer")
    dana = make_user(name="Dana Lee", email="dana@example.com")
    contact = make_contact(name="Chris Customer")
    db.session.commit()
    response = login(admin).post("/teams/new", data={
        "name": "Typed", **rows(("", "DANA@example.com", role.id), ("", "chris customer", role.id))})
    assert response.status_code == 303
    team = team_named("Typed")
    assert {m.user_id or m.contact_id for m in team.members} == {dana.id, contact.id}


def test_an_unknown_person_or_missing_role_marks_the_row(login, admin):
    role = make_role("Observer")
    dana = make_user(name="Dana Lee")
    db.session.commit()
    client = login(admin)
    response = client.post("/teams/new", data={"name": "T", **rows(("", "Nobody Here", role.id))})
    assert response.status_code == 422
    assert "No active user or contact is called “Nobody Here”" in soup(response).select_one("#member-rows .error").text
    response = client.post("/teams/new", data={"name": "T", **rows((f"user:{dana.id}", "Dana", ""))})
    assert response.status_code == 422
    assert "Choose a role." in soup(response).select_one("#member-rows").text
    assert team_named("T") is None


def test_a_person_appears_at_most_once_in_a_team(login, admin):
    role, other = make_role("Observer"), make_role("Lead")
    dana = make_user(name="Dana Lee")
    db.session.commit()
    response = login(admin).post("/teams/new", data={"name": "Dupes", **rows(
        (f"user:{dana.id}", "Dana Lee", role.id), (f"user:{dana.id}", "Dana Lee", other.id))})
    assert response.status_code == 422
    assert "already in this team" in soup(response).select_one("#member-rows").text
    assert team_named("Dupes") is None


def test_customers_and_inactive_users_cannot_be_team_users(login, admin):
    role = make_role("Observer")
    customer = make_user(role="customer", name="Cus Tomer")
    gone = make_user(name="Gone Agent")
    gone.active = False
    db.session.commit()
    response = login(admin).post("/teams/new", data={"name": "T", **rows(
        (f"user:{customer.id}", "Cus Tomer", role.id), (f"user:{gone.id}", "Gone Agent", role.id))})
    assert response.status_code == 422
    assert team_named("T") is None


def test_team_names_are_unique(login, admin):
    make_role("Observer")
    make_predefined_team(name="Tier 2")
    db.session.commit()
    response = login(admin).post("/teams/new", data={"name": "tier 2"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_add_member_row_with_htmx_returns_only_the_rows(login, admin):
    make_role("Observer")
    db.session.commit()
    response = login(admin).post("/teams/new", data={"name": "", "add_row": "1", **rows(("", "", ""))},
                                 headers=HX)
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.find("html") is None
    assert fragment.find(id="member-rows")
    assert len(fragment.select("#member-rows tbody tr")) == 2
    assert fragment.select("#member-rows tbody tr")[-1].find("input", {"data-autofocus": True})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PredefinedTeam)) == 0


def test_add_and_remove_rows_work_without_javascript(login, admin):
    role = make_role("Observer")
    dana, sam = make_user(name="Dana Lee"), make_user(name="Sam Smith")
    db.session.commit()
    client = login(admin)
    data = {"name": "Kept name", **rows((f"user:{dana.id}", "Dana Lee", role.id),
                                        (f"user:{sam.id}", "Sam Smith", role.id))}
    added = soup(client.post("/teams/new", data={**data, "add_row": "1"}))
    assert added.find("html") is not None
    assert added.find("input", {"name": "name"})["value"] == "Kept name"
    assert len(added.select("#member-rows tbody tr")) == 3
    removed = soup(client.post("/teams/new", data={**data, "remove_row": "0"}))
    labels = [i["value"] for i in removed.select("#member-rows input[type=search]")]
    assert labels == ["Sam Smith"]
    assert team_named("Kept name") is None


def test_editing_a_team_prefills_rows_and_replaces_members(login, admin):
    role, lead = make_role("Observer"), make_role("Lead", "edit")
    dana, sam = make_user(name="Dana Lee"), make_user(name="Sam Smith")
    team = make_predefined_team([(dana, role)], name="Tier 2")
    db.session.commit()
    client = login(admin)
    form = soup(client.get(f"/teams/{team.id}"))
    assert form.find("input", {"name": "members-0-person"})["value"] == f"user:{dana.id}"
    assert form.find("input", {"name": "members-0-person_label"})["value"] == "Dana Lee"
    response = client.post(f"/teams/{team.id}", data={
        "name": "Tier Two", **rows((f"user:{dana.id}", "Dana Lee", lead.id),
                                   (f"user:{sam.id}", "Sam Smith", role.id))})
    assert response.status_code == 303
    db.session.expire_all()
    assert [(m.person_name, m.role.name) for m in team.members] == [("Dana Lee", "Lead"),
                                                                    ("Sam Smith", "Observer")]
    assert team.name == "Tier Two"


def test_deleting_a_team_keeps_the_members_it_brought_to_cases(login, admin):
    role = make_role("Observer")
    dana = make_user(name="Dana Lee")
    team = make_predefined_team([(dana, role)], name="Tier 2")
    case = make_case()
    case_team.add_predefined_team(case, team, actor=admin)
    db.session.commit()
    client = login(admin)
    confirm = client.get(f"/teams/{team.id}/delete")
    assert "Cases it was added to keep their members" in confirm.get_data(as_text=True)
    assert client.post(f"/teams/{team.id}/delete").status_code == 303
    assert team_named("Tier 2") is None
    member = db.session.scalar(sa.select(CaseTeamMember))
    assert member.user_id == dana.id and member.added_manually and member.teams == []


def test_people_typeahead_finds_staff_and_contacts_but_not_customers(login, admin):
    make_user(name="Dana Lee", email="dana@example.com")
    make_user(role="customer", name="Dana Customer", email="dc@customer.test")
    make_contact(name="Dana Contact")
    make_user(name="Percent 100%")
    db.session.commit()
    client = login(admin)
    response = client.get("/teams/people", query_string={"members-0-person_label": "dana"})
    choices = [b["data-label"] for b in soup(response).find_all("button")]
    assert choices == ["Dana Lee", "Dana Contact"]
    assert soup(response).find("button")["data-id"].startswith("user:")
    wildcard = soup(client.get("/teams/people", query_string={"q": "%"}))
    assert [b["data-label"] for b in wildcard.find_all("button")] == ["Percent 100%"]
    assert "No matches" in client.get("/teams/people?q=zzz").get_data(as_text=True)


def test_agents_cannot_manage_predefined_teams(login, agent):
    team = make_predefined_team(name="Tier 2")
    db.session.commit()
    client = login(agent)
    for url in ("/teams/", "/teams/new", f"/teams/{team.id}", "/teams/people?q=a"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/teams/{team.id}/delete").status_code == 403
    assert team_named("Tier 2") is not None


def test_team_form_keeps_csrf_on(app, login, admin):
    make_role("Observer")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(admin)
    assert client.post("/teams/new", data={"name": "Tier 2"}).status_code == 400
    token = csrf_from(client.get("/teams/new"))
    response = client.post("/teams/new", data={"name": "Tier 2", "csrf_token": token})
    assert response.status_code == 303
    assert team_named("Tier 2") is not None


def test_a_member_row_carries_no_csrf_token_of_its_own(app, login, admin):
    """The team form carries the page's token once; its member rows are plain sub-forms."""
    from app.teams.forms import TeamForm

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/teams/new"):
        form = TeamForm(formdata=None)
        assert "csrf_token" in form._fields
        assert "csrf_token" not in form.members[0].form._fields
    page = soup(login(admin).get("/teams/new"))
    names = [i["name"] for i in page.select("form input[type=hidden]") if i.get("name")]
    assert not [name for name in names if name.endswith("-csrf_token")]


def test_demo_teams_install_once_and_again_without_duplicates(admin):
    from app.services.team_admin import install_demo_teams, list_roles

    agents = [make_user(name=f"Agent {i}", password=None) for i in range(3)]
    contact = make_contact(name="Chris Customer")
    first = install_demo_teams(actor=admin, agents=agents, contacts=[contact])
    again = install_demo_teams(actor=admin, agents=agents, contacts=[contact])
    assert [t.id for t in first] == [t.id for t in again]
    roles = {r.name: (r.access, r.visible_in_portal) for r in list_roles()}
    assert roles["Technical Lead"] == ("edit", True)
    assert roles["Account Manager"] == ("read", True)
    assert roles["Observer"] == ("read", False)
    assert [m.person_name for m in first[1].members] == ["Agent 2", "Chris Customer"]
