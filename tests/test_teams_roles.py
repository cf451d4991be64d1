"""Admin: case team roles — list, new, edit, clone, delete (refused while in use)."""
import sqlalchemy as sa

from app.extensions import db
from app.models import CaseTeamMember, CaseTeamRole, PredefinedTeamMember
from tests.conftest import csrf_from, soup
from tests.factories import (
    add_team_member, make_case, make_predefined_team, make_role, make_user, make_workflow_rule,
)


def role_named(name):
    return db.session.scalar(sa.select(CaseTeamRole).where(CaseTeamRole.name == name))


def test_roles_page_shows_an_empty_state_with_a_way_forward(login, admin):
    page = login(admin).get("/teams/roles")
    assert page.status_code == 200
    empty = soup(page).select_one(".empty-state")
    assert "No case team roles yet" in empty.text
    assert empty.find("a")["href"] == "/teams/roles/new"


def test_admin_creates_a_role_and_sees_it_listed_with_its_access(login, admin):
    client = login(admin)
    response = client.post("/teams/roles/new", data={"name": "  Technical   Lead ", "access": "edit",
                                                     "visible_in_portal": "y"})
    assert response.status_code == 303
    role = role_named("Technical Lead")
    assert (role.access, role.visible_in_portal) == ("edit", True)
    row = soup(client.get("/teams/roles")).select_one("table.data tbody tr")
    assert "Technical Lead" in row.text and "Read/Write" in row.text and "Visible" in row.text


def test_role_names_are_unique_ignoring_case(login, admin):
    make_role("Observer")
    db.session.commit()
    response = login(admin).post("/teams/roles/new", data={"name": "observer", "access": "read"})
    assert response.status_code == 422
    assert "already exists" in soup(response).select_one(".has-error .error").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseTeamRole)) == 1


def test_bad_role_input_gets_clear_errors_not_a_500(login, admin):
    client = login(admin)
    for data in ({"name": "", "access": "read"}, {"name": "X", "access": "admin"},
                 {"name": "x" * 81, "access": "read"}, {}):
        response = client.post("/teams/roles/new", data=data)
        assert response.status_code == 422, data
        assert soup(response).select(".error"), data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseTeamRole)) == 0


def test_clone_opens_the_form_prefilled_with_a_new_name(login, admin):
    source = make_role("Technical Lead", access="edit", visible_in_portal=True)
    make_role("Copy of Technical Lead")
    db.session.commit()
    client = login(admin)
    form = soup(client.get(f"/teams/roles/{source.id}/clone"))
    assert form.find("input", {"name": "name"})["value"] == "Copy of Technical Lead (2)"
    assert form.find("input", {"name": "access", "value": "edit"}).has_attr("checked")
    assert form.find("input", {"name": "visible_in_portal"}).has_attr("checked")
    created = client.post(f"/teams/roles/{source.id}/clone",
                          data={"name": "Senior Lead", "access": "edit", "visible_in_portal": "y"})
    assert created.status_code == 303
    assert role_named("Senior Lead").access == "edit"
    assert role_named("Technical Lead").id == source.id


def test_cloning_under_the_same_name_is_refused(login, admin):
    source = make_role("Observer")
    db.session.commit()
    response = login(admin).post(f"/teams/roles/{source.id}/clone",
                                 data={"name": "Observer", "access": "read"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_editing_a_role_changes_its_access(login, admin):
    role = make_role("Observer")
    db.session.commit()
    client = login(admin)
    assert soup(client.get(f"/teams/roles/{role.id}")).find("input", {"name": "name"})["value"] == "Observer"
    response = client.post(f"/teams/roles/{role.id}", data={"name": "Watcher", "access": "edit"})
    assert response.status_code == 303
    db.session.refresh(role)
    assert (role.name, role.access, role.visible_in_portal) == ("Watcher", "edit", False)


def test_an_unused_role_is_deleted_after_confirmation(login, admin):
    role = make_role("Observer")
    db.session.commit()
    client = login(admin)
    confirm = client.get(f"/teams/roles/{role.id}/delete")
    assert confirm.status_code == 200
    assert "Delete role" in soup(confirm).select_one("main form button[type=submit]").text
    assert role_named("Observer") is not None
    assert client.post(f"/teams/roles/{role.id}/delete").status_code == 303
    assert role_named("Observer") is None


def test_deleting_a_role_in_use_is_refused_and_offers_a_replacement(login, admin):
    role = make_role("Observer")
    other = make_role("Account Manager")
    add_team_member(make_case(), make_user(), role)
    make_predefined_team([(make_user(), role)])
    db.session.commit()
    client = login(admin)
    confirm = soup(client.get(f"/teams/roles/{role.id}/delete"))
    assert "1 case team member and 1 predefined team member" in confirm.text
    options = [o.text for o in confirm.find("select", {"name": "replacement"}).find_all("option")]
    assert "Account Manager" in options and "Observer" not in options
    refused = client.post(f"/teams/roles/{role.id}/delete", data={"replacement": ""})
    assert refused.status_code == 409
    assert "Choose a role to give them instead" in refused.get_data(as_text=True)
    assert role_named("Observer") is not None
    replaced = client.post(f"/teams/roles/{role.id}/delete", data={"replacement": str(other.id)})
    assert replaced.status_code == 303
    assert role_named("Observer") is None
    assert set(db.session.scalars(sa.select(CaseTeamMember.role_id))) == {other.id}
    assert set(db.session.scalars(sa.select(PredefinedTeamMember.role_id))) == {other.id}


def test_a_role_that_workflow_alerts_write_to_moves_them_to_its_replacement(login, admin):
    role = make_role("Observer")
    other = make_role("Account Manager")
    rule = make_workflow_rule(kinds={"kinds": [], "team_role_id": role.id})
    untouched = make_workflow_rule(kinds={"kinds": ["admins"]})
    db.session.commit()
    client = login(admin)
    confirm = soup(client.get(f"/teams/roles/{role.id}/delete"))
    assert "1 workflow email alert" in confirm.text
    refused = client.post(f"/teams/roles/{role.id}/delete", data={"replacement": ""})
    assert refused.status_code == 409 and role_named("Observer") is not None
    assert client.post(f"/teams/roles/{role.id}/delete",
                       data={"replacement": str(other.id)}).status_code == 303
    assert role_named("Observer") is None
    db.session.expire_all()
    [alert] = [action for action in rule.actions if action.kind == "email"]
    assert alert.recipients["team_role_id"] == other.id
    assert [a.recipients for a in untouched.actions] == [
        {"kinds": ["admins"], "team_role_id": None, "user_ids": [], "addresses": []}]


def test_a_role_in_use_with_no_other_role_explains_what_to_do(login, admin):
    role = make_role("Observer")
    add_team_member(make_case(), make_user(), role)
    db.session.commit()
    page = soup(login(admin).get(f"/teams/roles/{role.id}/delete"))
    assert "Create another role" in page.text
    assert page.select_one("main form button[type=submit]") is None


def test_a_role_cannot_replace_itself(login, admin):
    role = make_role("Observer")
    add_team_member(make_case(), make_user(), role)
    make_role("Other")
    db.session.commit()
    response = login(admin).post(f"/teams/roles/{role.id}/delete", data={"replacement": str(role.id)})
    assert response.status_code == 422
    assert role_named("Observer") is not None


def test_missing_roles_answer_404(login, admin):
    client = login(admin)
    for url in ("/teams/roles/999", "/teams/roles/999/clone", "/teams/roles/999/delete"):
        assert client.get(url).status_code == 404


def test_agents_cannot_manage_roles(login, agent):
    role = make_role("Observer")
    db.session.commit()
    client = login(agent)
    assert client.get("/teams/roles").status_code == 403
    assert client.post("/teams/roles/new", data={"name": "Sneaky", "access": "edit"}).status_code == 403
    assert client.post(f"/teams/roles/{role.id}/delete").status_code == 403
    assert role_named("Sneaky") is None and role_named("Observer") is not None


def test_role_form_keeps_csrf_on(app, login, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(admin)
    assert client.post("/teams/roles/new", data={"name": "A", "access": "read"}).status_code == 400
    token = csrf_from(client.get("/teams/roles/new"))
    response = client.post("/teams/roles/new", data={"name": "A", "access": "read", "csrf_token": token})
    assert response.status_code == 303
    assert role_named("A") is not None
