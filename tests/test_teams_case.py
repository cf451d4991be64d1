"""The team on a case: add people and predefined teams, change roles, remove; feed items."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CaseTeamMember, FeedItem
from app.services import case_team
from app.services.errors import AccessDenied, ValidationFailed
from app.services.settings import set_case_access
from tests.conftest import HX, csrf_from, soup
from tests.factories import (
    add_team_member, make_case, make_contact, make_predefined_team, make_role, make_user,
)


@pytest.fixture
def roles(app):
    return {"lead": make_role("Technical Lead", "edit", True),
            "observer": make_role("Observer", "read", False)}


def members_of(case):
    return {m.person_name: m for m in case_team.case_team_members(case)}


def feed_texts(case):
    return list(db.session.scalars(sa.select(FeedItem.body).where(
        FeedItem.case_id == case.id, FeedItem.kind == "system").order_by(FeedItem.id)))[1:]


def test_adding_a_predefined_team_adds_all_its_members_and_remembers_the_team(admin, roles):
    dana, sam, contact = make_user(name="Dana"), make_user(name="Sam"), make_contact(name="Chris")
    team = make_predefined_team([(dana, roles["lead"]), (sam, roles["observer"]),
                                 (contact, roles["observer"])], name="Tier 2")
    case = make_case()
    added = case_team.add_predefined_team(case, team, actor=admin)
    assert {m.person_name for m in added} == {"Dana", "Sam", "Chris"}
    members = members_of(case)
    assert members["Dana"].role.name == "Technical Lead" and members["Chris"].is_contact
    assert all(m.teams == [team] and not m.added_manually for m in members.values())
    assert case_team.case_predefined_teams(case) == [team]
    assert feed_texts(case) == ["Added the predefined team Tier 2 to the case team: "
                                "Dana (Technical Lead), Sam (Observer), Chris (Observer)."]


def test_removing_a_team_removes_only_members_who_came_only_from_it(admin, roles):
    by_hand, in_both, only_team = make_user(name="ByHand"), make_user(name="Both"), make_user(name="Only")
    tier2 = make_predefined_team([(by_hand, roles["observer"]), (in_both, roles["observer"]),
                                  (only_team, roles["observer"])], name="Tier 2")
    night = make_predefined_team([(in_both, roles["lead"])], name="Night shift")
    case = make_case()
    case_team.add_case_team_member(case, by_hand, roles["lead"], actor=admin)
    case_team.add_predefined_team(case, tier2, actor=admin)
    case_team.add_predefined_team(case, night, actor=admin)
    removed = case_team.remove_predefined_team(case, tier2, actor=admin)
    assert removed == ["Only"]
    members = members_of(case)
    assert set(members) == {"ByHand", "Both"}
    assert members["ByHand"].added_manually and members["ByHand"].teams == []
    assert members["ByHand"].role.name == "Technical Lead"
    assert members["Both"].teams == [night]
    assert "Removed the predefined team Tier 2 from the case team: Only." in feed_texts(case)[-1]


def test_someone_added_by_a_team_and_then_by_hand_stays_when_the_team_goes(admin, roles):
    dana = make_user(name="Dana")
    team = make_predefined_team([(dana, roles["observer"])], name="Tier 2")
    case = make_case()
    case_team.add_predefined_team(case, team, actor=admin)
    member = case_team.add_case_team_member(case, dana, roles["lead"], actor=admin)
    assert member.added_manually and member.teams == [team]
    assert member.source_label == "Tier 2, Added by hand"
    assert "changing their role from Observer to Technical Lead" in feed_texts(case)[-1]
    case_team.remove_predefined_team(case, team, actor=admin)
    assert members_of(case)["Dana"].role.name == "Technical Lead"


def test_a_member_already_on_the_case_keeps_their_role_when_a_team_adds_them(admin, roles):
    dana, sam = make_user(name="Dana"), make_user(name="Sam")
    team = make_predefined_team([(dana, roles["observer"]), (sam, roles["observer"])], name="T")
    case = make_case()
    case_team.add_case_team_member(case, dana, roles["lead"], actor=admin)
    added = case_team.add_predefined_team(case, team, actor=admin)
    assert [m.person_name for m in added] == ["Sam"]
    assert members_of(case)["Dana"].role.name == "Technical Lead"
    assert "1 already on the case kept their role" in feed_texts(case)[-1]


def test_adding_the_same_team_twice_or_an_empty_team_is_refused(admin, roles):
    team = make_predefined_team([(make_user(), roles["observer"])], name="Tier 2")
    empty = make_predefined_team(name="Empty")
    case = make_case()
    case_team.add_predefined_team(case, team, actor=admin)
    with pytest.raises(ValidationFailed, match="already on this case"):
        case_team.add_predefined_team(case, team, actor=admin)
    with pytest.raises(ValidationFailed, match="no members"):
        case_team.add_predefined_team(case, empty, actor=admin)
    with pytest.raises(ValidationFailed, match="not on this case"):
        case_team.remove_predefined_team(case, empty, actor=admin)


def test_adding_someone_twice_with_the_same_role_is_refused(admin, roles):
    dana = make_user(name="Dana")
    case = make_case()
    case_team.add_case_team_member(case, dana, roles["lead"], actor=admin)
    with pytest.raises(ValidationFailed, match="already on the case team"):
        case_team.add_case_team_member(case, dana, roles["lead"], actor=admin)


def test_every_team_change_writes_an_internal_feed_item(admin, roles):
    dana = make_user(name="Dana")
    case = make_case()
    member = case_team.add_case_team_member(case, dana, roles["observer"], actor=admin)
    case_team.change_case_team_role(member, roles["lead"], actor=admin)
    case_team.change_case_team_role(member, roles["lead"], actor=admin)  # no change, no item
    case_team.remove_case_team_member(member, actor=admin)
    assert feed_texts(case) == [
        "Added Dana to the case team as Observer.",
        "Changed Dana's case team role from Observer to Technical Lead.",
        "Removed Dana from the case team.",
    ]
    items = db.session.scalars(sa.select(FeedItem).where(FeedItem.case_id == case.id)).all()
    assert {i.visibility for i in items} == {"internal"}


def test_the_service_refuses_team_changes_from_someone_who_cannot_edit(app, admin, roles):
    set_case_access("public_read", actor=admin)
    case = make_case()
    reader = make_user()
    with pytest.raises(AccessDenied):
        case_team.add_case_team_member(case, make_user(), roles["lead"], actor=reader)


def test_portal_shows_only_members_whose_role_is_visible_there(admin, roles):
    case = make_case()
    add_team_member(case, make_user(name="Visible Lead"), roles["lead"])
    add_team_member(case, make_user(name="Hidden Observer"), roles["observer"])
    assert [m.person_name for m in case_team.portal_team_members(case)] == ["Visible Lead"]


def test_workflow_recipients_are_team_users_optionally_by_role(admin, roles):
    case = make_case()
    lead, watcher, gone = make_user(name="A Lead"), make_user(name="B Watcher"), make_user(name="C Gone")
    gone.active = False
    for user, role in ((lead, "lead"), (watcher, "observer"), (gone, "lead")):
        add_team_member(case, user, roles[role])
    add_team_member(case, make_contact(name="Contact"), roles["lead"])
    assert case_team.team_member_users(case) == [lead, watcher]
    assert case_team.team_member_users(case, "technical lead") == [lead]
    assert [c.name for c in case_team.team_member_contacts(case, "Technical Lead")] == ["Contact"]


# Views ---------------------------------------------------------------------------------------

def test_team_page_renders_whole_and_as_the_related_list_fragment(login, agent, roles):
    case = make_case(actor=agent)
    add_team_member(case, make_user(name="Dana Lee"), roles["lead"])
    db.session.commit()
    client = login(agent)
    page = client.get(f"/cases/{case.number}/team")
    assert page.status_code == 200
    assert soup(page).find("html") and soup(page).find(id="case-team")
    assert soup(page).select_one(".team-editor")
    fragment = client.get(f"/cases/{case.number}/team", headers=HX)
    assert fragment.status_code == 200
    assert soup(fragment).find("html") is None
    row = soup(fragment).select_one("#case-team li.team-member").text
    assert "Dana Lee" in row and "Technical Lead" in row and "Read/Write" in row and "Portal" in row
    assert soup(fragment).select_one(".team-editor") is None
    assert "Vary" in fragment.headers and "HX-Request" in fragment.headers["Vary"]
    editing = client.get(f"/cases/{case.number}/team?edit=1", headers=HX)
    assert soup(editing).select_one(".team-editor")


def test_adding_a_member_with_htmx_returns_the_updated_list_and_tells_the_feed(login, agent, roles):
    case = make_case(actor=agent)
    dana = make_user(name="Dana Lee")
    db.session.commit()
    response = login(agent).post(f"/cases/{case.number}/team/members", headers=HX,
                                 data={"person": f"user:{dana.id}", "person_label": "Dana Lee",
                                       "role": str(roles["lead"].id)})
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "case-changed"
    assert "Dana Lee" in soup(response).select_one("#case-team .team-members").text
    assert "Dana Lee is on the case team as Technical Lead." in response.get_data(as_text=True)


def test_adding_a_member_without_javascript_redirects_back_to_the_team_page(login, agent, roles):
    case = make_case(actor=agent)
    make_contact(name="Chris Customer", email="chris@customer.test")
    db.session.commit()
    client = login(agent)
    response = client.post(f"/cases/{case.number}/team/members",
                           data={"person": "", "person_label": "chris@customer.test",
                                 "role": str(roles["observer"].id)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{case.number}/team")
    assert "Chris Customer" in members_of(case)


def test_adding_an_unknown_person_or_no_role_answers_422_with_the_reason(login, agent, roles):
    case = make_case(actor=agent)
    dana = make_user(name="Dana Lee")
    db.session.commit()
    client = login(agent)
    unknown = client.post(f"/cases/{case.number}/team/members", headers=HX,
                          data={"person_label": "Nobody", "role": str(roles["lead"].id)})
    assert unknown.status_code == 422
    assert "No active user or contact is called “Nobody”" in soup(unknown).select_one("#case-team .error").text
    no_role = client.post(f"/cases/{case.number}/team/members", headers=HX,
                          data={"person": f"user:{dana.id}", "role": ""})
    assert no_role.status_code == 422
    assert "Choose a role." in no_role.get_data(as_text=True)
    nothing = client.post(f"/cases/{case.number}/team/members", headers=HX,
                          data={"person": "user:abc", "role": "x"})
    assert nothing.status_code == 422
    assert members_of(case) == {}


def test_changing_a_role_and_removing_a_member_through_the_views(login, agent, roles):
    case = make_case(actor=agent)
    member = add_team_member(case, make_user(name="Dana Lee"), roles["observer"])
    db.session.commit()
    client = login(agent)
    changed = client.post(f"/cases/{case.number}/team/members/{member.id}", headers=HX,
                          data={"role": str(roles["lead"].id)})
    assert changed.status_code == 200
    assert members_of(case)["Dana Lee"].role.name == "Technical Lead"
    confirm = client.get(f"/cases/{case.number}/team/members/{member.id}/remove")
    assert "Remove Dana Lee from the case team?" in confirm.get_data(as_text=True)
    assert members_of(case)
    removed = client.post(f"/cases/{case.number}/team/members/{member.id}/remove", headers=HX)
    assert removed.status_code == 200
    assert members_of(case) == {}
    assert "Nobody is on the case team yet" in removed.get_data(as_text=True)


def test_adding_and_removing_a_predefined_team_through_the_views(login, agent, roles):
    case = make_case(actor=agent)
    team = make_predefined_team([(make_user(name="Dana Lee"), roles["lead"])], name="Tier 2")
    db.session.commit()
    client = login(agent)
    added = client.post(f"/cases/{case.number}/team/teams", headers=HX, data={"team": str(team.id)})
    assert added.status_code == 200
    assert "Tier 2" in soup(added).select_one(".teams-on-case").text
    again = client.post(f"/cases/{case.number}/team/teams", headers=HX, data={"team": str(team.id)})
    assert again.status_code == 422
    assert "already on this case" in again.get_data(as_text=True)
    bad = client.post(f"/cases/{case.number}/team/teams", headers=HX, data={"team": "9999"})
    assert bad.status_code == 422
    removed = client.post(f"/cases/{case.number}/team/teams/{team.id}/remove")
    assert removed.status_code == 303
    assert members_of(case) == {}


def test_a_member_of_another_case_is_not_found_through_this_case(login, agent, roles):
    mine, other = make_case(actor=agent), make_case()
    theirs = add_team_member(other, make_user(name="Dana"), roles["lead"])
    db.session.commit()
    client = login(agent)
    assert client.post(f"/cases/{mine.number}/team/members/{theirs.id}",
                       data={"role": str(roles["observer"].id)}).status_code == 404
    assert client.post(f"/cases/{mine.number}/team/members/{theirs.id}/remove").status_code == 404
    assert db.session.get(CaseTeamMember, theirs.id).role_id == roles["lead"].id


def test_read_only_members_see_the_team_but_no_controls(login, admin, roles):
    set_case_access("public_read", actor=admin)
    case = make_case()
    reader = make_user(name="Reader")
    add_team_member(case, reader, roles["observer"])
    db.session.commit()
    client = login(reader)
    fragment = client.get(f"/cases/{case.number}/team?edit=1", headers=HX)
    assert fragment.status_code == 200
    assert soup(fragment).select_one(".team-editor") is None
    assert "Update members" not in fragment.get_data(as_text=True)
    refused = client.post(f"/cases/{case.number}/team/members",
                          data={"person": f"user:{reader.id}", "role": str(roles["lead"].id)})
    assert refused.status_code == 403
    assert members_of(case)["Reader"].role.name == "Observer"


def test_case_people_typeahead_lists_the_case_accounts_contacts_first(login, agent, roles):
    ours = make_contact(name="Zed Ours")
    make_contact(name="Amy Theirs")
    case = make_case(actor=agent, account=ours.account)
    db.session.commit()
    response = login(agent).get(f"/cases/{case.number}/team/people", query_string={"person_label": "e"})
    labels = [b["data-label"] for b in soup(response).find_all("button", {"data-id": True})
              if b["data-id"].startswith("contact:")]
    assert labels == ["Zed Ours", "Amy Theirs"]


def test_the_team_list_takes_the_same_number_of_queries_for_any_team_size(login, agent, roles, count_queries):
    case = make_case(actor=agent)
    team = make_predefined_team([(make_user(), roles["lead"])], name="T")
    case_team.add_predefined_team(case, team, actor=agent)
    db.session.commit()
    client, url = login(agent), f"/cases/{case.number}/team?edit=1"

    def counted() -> int:
        db.session.expire_all()  # the tests share one session: make every request load afresh
        with count_queries() as counter:
            assert client.get(url, headers=HX).status_code == 200
        return counter.count

    small = counted()
    for _ in range(8):
        add_team_member(case, make_user(), roles["observer"], teams=[team])
        add_team_member(case, make_contact(), roles["lead"])
    db.session.commit()
    assert counted() == small


def test_case_team_forms_keep_csrf_on(app, login, agent, roles):
    case = make_case(actor=agent)
    dana = make_user(name="Dana Lee")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(agent)
    data = {"person": f"user:{dana.id}", "role": str(roles["lead"].id)}
    assert client.post(f"/cases/{case.number}/team/members", data=data).status_code == 400
    token = csrf_from(client.get(f"/cases/{case.number}/team"))
    response = client.post(f"/cases/{case.number}/team/members", data=data,
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert "Dana Lee" in members_of(case)


def test_the_case_page_lists_the_team_with_roles_sources_and_accounts(login, admin, roles):
    """The Case Team list on the case page: users before contacts, by name, each with what
    brought them and their address or account."""
    from app.models import Account

    account = Account(name="Northwind & Co")
    db.session.add(account)
    tier2 = make_predefined_team([], name="Tier 2")
    night = make_predefined_team([], name="Night shift")
    case = make_case(actor=admin)
    add_team_member(case, make_user(name="zoe Zed", email="zoe@example.com"), roles["lead"])
    add_team_member(case, make_user(name="Adam <b>Ant</b>", email="adam@example.com"),
                    roles["observer"], manually=False, teams=[tier2, night])
    add_team_member(case, make_user(name="Bea Both"), roles["lead"], teams=[tier2])
    add_team_member(case, make_contact(name="Carla Contact", account=account),
                    roles["observer"], manually=False, teams=[night])
    add_team_member(case, make_contact(name="Al Alone", account=None), roles["lead"])
    db.session.commit()

    page = soup(login(admin).get(f"/cases/{case.number}"))
    members = page.select("#case-team li.team-member")
    assert [m.select_one(".subject").text for m in members] == [
        "Adam <b>Ant</b>", "Bea Both", "zoe Zed", "Al Alone", "Carla Contact"]
    adam, bea, *_, carla = members
    assert adam.select_one(".subject b") is None  # a name is text, not markup
    assert adam.select_one(".sub.muted").text == "adam@example.com"
    assert adam.select_one(".role-name").find_next_sibling().text == "\u00b7 Night shift, Tier 2"
    assert bea.select_one(".role-name").find_next_sibling().text == "\u00b7 Tier 2, Added by hand"
    assert carla.select_one(".sub.muted").text == "Contact \u00b7 Northwind & Co"
    assert page.select_one("#case-team .badge.access-edit").text == "Read/Write"

def test_the_add_member_form_sends_one_person_and_the_chosen_id_wins_over_a_shared_name(
        login, agent, roles):
    from werkzeug.datastructures import MultiDict

    case = make_case(actor=agent)
    make_user(name="Dana Lee", email="dana.one@example.com")
    second = make_user(name="Dana Lee", email="dana.two@example.com")
    db.session.commit()
    client = login(agent)
    form = soup(client.get(f"/cases/{case.number}/team?edit=1", headers=HX)).select_one(
        "form.team-add")
    assert len(form.select("input[name=person]")) == 1
    # What the browser posts after a pick: every input of the form, in order, with the
    # type-ahead's hidden id filled in.
    form.select_one(".typeahead input[type=hidden]")["value"] = f"user:{second.id}"
    data = MultiDict([(i["name"], i.get("value", "")) for i in form.select("input[name]")])
    data["person_label"] = "Dana Lee"
    data["role"] = str(roles["lead"].id)
    response = client.post(f"/cases/{case.number}/team/members", headers=HX, data=data)
    assert response.status_code == 200
    [member] = case_team.case_team_members(case)
    assert member.user_id == second.id
