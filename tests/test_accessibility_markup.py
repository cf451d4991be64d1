"""Markup that assistive technology reads: no "None" attributes, one id each, honest names."""
import re

import pytest

from app.extensions import db
from tests.conftest import soup
from tests.factories import add_team_member, make_case, make_predefined_team, make_role


def attributes_saying_none(response) -> list[str]:
    return re.findall(r'[\w-]+="None"', response.get_data(as_text=True))


def duplicate_ids(response) -> set[str]:
    ids = [tag["id"] for tag in soup(response).find_all(id=True)]
    return {i for i in ids if ids.count(i) > 1}


@pytest.mark.parametrize("path", ["/admin/workflow/rules/new", "/teams/roles"])
def test_admin_forms_render_no_attribute_as_none(login, admin, path):
    make_role(name="Observer")
    db.session.commit()
    response = login(admin).get(path)
    assert response.status_code == 200
    assert attributes_saying_none(response) == []


def test_the_case_team_editor_and_a_user_page_give_each_id_once(app, login, admin, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    case = make_case(actor=agent)
    role = make_role(name="Engineer", access="edit")
    add_team_member(case, admin, role)
    make_predefined_team([(agent, role)], name="Printer experts")
    db.session.commit()
    client = login(admin)
    team = client.get(f"/cases/{case.number}/team")
    user_page = client.get(f"/admin/users/{agent.id}")
    for page in (team, user_page):
        assert duplicate_ids(page) == set()
        assert attributes_saying_none(page) == []
        forms = soup(page).find_all("form", method="post")
        assert len(forms) >= 2
        assert all(form.find("input", attrs={"name": "csrf_token"}) for form in forms)


def test_the_user_menu_is_named_by_the_name_it_shows(login, agent):
    summary = soup(login(agent).get("/cases/")).select_one(".user-menu summary")
    assert not summary.has_attr("aria-label")
    assert summary.get_text(" ", strip=True).startswith("AA Alex Agent")
