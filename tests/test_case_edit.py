"""Editing a case: the full form, optimistic locking, close and reopen."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, FeedItem
from app.services import cases as case_service
from tests.conftest import HX, soup
from tests.factories import make_account, make_case, make_contact, make_user


@pytest.fixture
def client(login, agent):
    return login(agent)


@pytest.fixture
def case(agent):
    case = make_case(actor=agent, subject="Printer jams", contact=make_contact())
    db.session.commit()
    return case


def form_data(client, case) -> dict:
    """What the edit form sends back untouched."""
    page = soup(client.get(f"/cases/{case.number}/edit"))
    form = page.find("form", id="case-form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    for select in form.find_all("select"):
        data[select["name"]] = select.find("option", selected=True)["value"]
    data["description"] = form.find("textarea").text.strip()
    return data


def change_items(case) -> list[FeedItem]:
    return db.session.scalars(sa.select(FeedItem).where(FeedItem.case_id == case.id,
                                                        FeedItem.kind == "change")).all()


def test_the_edit_form_starts_with_the_case_values(client, case):
    data = form_data(client, case)
    assert data["subject"] == "Printer jams" and data["version"] == str(case.version)
    assert data["contact_id"] == str(case.contact_id)
    assert data["account_id_label"] == case.account.name
    assert data["status"] == "New" and data["owner_id"] == str(case.owner_id)


def test_an_htmx_request_for_the_edit_form_gets_the_form_alone(client, case):
    html = soup(client.get(f"/cases/{case.number}/edit", headers=HX))
    assert html.find("html") is None and html.find("form", id="case-form") is not None


def test_saving_the_edit_form_changes_fields_and_writes_one_change_item(client, case, agent):
    data = form_data(client, case) | {"subject": "Printer jams on tray 2", "priority": "High",
                                      "case_type": "Incident"}
    response = client.post(f"/cases/{case.number}/edit", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.number}"
    assert (case.subject, case.priority, case.type) == ("Printer jams on tray 2", "High",
                                                        "Incident")
    [item] = change_items(case)
    assert item.author == agent
    rows = {c["label"]: (c.get("old"), c.get("new")) for c in item.changes}
    assert rows == {"Subject": ("Printer jams", "Printer jams on tray 2"),
                    "Priority": ("Medium", "High"), "Type": ("Question", "Incident")}


def test_an_htmx_edit_answers_with_hx_redirect(client, case):
    data = form_data(client, case) | {"priority": "Low"}
    response = client.post(f"/cases/{case.number}/edit", data=data, headers=HX)
    assert response.headers["HX-Redirect"] == f"/cases/{case.number}"


def test_saving_without_changes_writes_nothing(client, case):
    client.post(f"/cases/{case.number}/edit", data=form_data(client, case))
    assert change_items(case) == []


def test_changing_the_account_by_typed_name_drops_a_contact_of_the_old_account(client, case):
    globex = make_account(name="Globex")
    db.session.commit()
    data = form_data(client, case) | {"account_id": "", "account_id_label": "Globex"}
    response = client.post(f"/cases/{case.number}/edit", data=data)
    assert response.status_code == 422
    assert "does not work for Globex" in soup(response).find(id="case-contact-error").text
    data |= {"contact_id": "", "contact_id_label": ""}
    assert client.post(f"/cases/{case.number}/edit", data=data).status_code == 303
    assert case.account == globex and case.contact is None


@pytest.mark.parametrize("overrides, field", [
    ({"subject": ""}, "subject"), ({"subject": "y" * 300}, "subject"),
    ({"status": "Deleted"}, "status"), ({"owner_id": "0"}, "owner_id"),
])
def test_bad_edits_are_422_and_change_nothing(client, case, overrides, field):
    response = client.post(f"/cases/{case.number}/edit",
                           data=form_data(client, case) | overrides)
    assert response.status_code == 422
    assert soup(response).find(id=f"{field}-error") is not None
    db.session.expire_all()
    assert case.subject == "Printer jams" and change_items(case) == []


def test_a_stale_edit_is_409_with_what_changed_and_my_input_kept(client, case, agent):
    mine = form_data(client, case) | {"subject": "My new subject", "description": "Typed a lot"}
    bea = make_user(name="Bea Colleague", password=None)
    case_service.update_case(case, actor=bea, expected_version=case.version, priority="High")
    db.session.commit()
    response = client.post(f"/cases/{case.number}/edit", data=mine)
    assert response.status_code == 409
    page = soup(response)
    conflict = page.select_one(".conflict").get_text(" ", strip=True)
    assert "Priority" in conflict and "Medium → High" in conflict and "Bea Colleague" in conflict
    assert page.find("input", {"name": "subject"})["value"] == "My new subject"
    assert page.find("textarea", {"name": "description"}).text.strip() == "Typed a lot"
    assert page.find("input", {"name": "version"})["value"] == str(case.version)
    assert case.subject == "Printer jams"
    # Priority was left alone in my form, so it now shows Bea's value: saving keeps it.
    shown = page.find("select", {"name": "priority"}).find("option", selected=True)["value"]
    assert shown == "High"
    again = {**mine, "priority": shown, "version": case.version,
             "description_digest": page.find("input", {"name": "description_digest"})["value"]}
    assert client.post(f"/cases/{case.number}/edit", data=again).status_code == 303
    assert (case.subject, case.description, case.priority) == ("My new subject", "Typed a lot",
                                                               "High")


def test_after_a_conflict_a_field_both_changed_keeps_mine(client, case, agent):
    mine = form_data(client, case) | {"priority": "Low", "description": "Mine"}
    bea = make_user(name="Bea Colleague", password=None)
    case_service.update_case(case, actor=bea, expected_version=case.version,
                             priority="High", description="Theirs", subject="Their subject")
    db.session.commit()
    page = soup(client.post(f"/cases/{case.number}/edit", data=mine))
    assert page.find("select", {"name": "priority"}).find("option", selected=True)["value"] \
        == "Low"
    assert page.find("textarea", {"name": "description"}).text.strip() == "Mine"
    assert page.find("input", {"name": "subject"})["value"] == "Their subject"
    conflict = page.select_one(".conflict").get_text(" ", strip=True)
    assert "Description : edited by Bea Colleague" in conflict


def test_a_concurrent_commit_during_the_save_is_409_not_500(app, client, case):
    """Another transaction bumps the version between our check and our UPDATE."""
    data = form_data(client, case) | {"subject": "Racing"}

    def sneak_in(mapper, connection, target):
        connection.execute(sa.update(Case).where(Case.id == target.id)
                           .values(version=Case.version + 1))

    sa.event.listen(Case, "before_update", sneak_in)
    try:
        response = client.post(f"/cases/{case.number}/edit", data=data)
    finally:
        sa.event.remove(Case, "before_update", sneak_in)
    assert response.status_code == 409
    assert soup(response).select_one(".conflict") is not None
    db.session.expire_all()
    assert case.subject == "Printer jams"


def test_an_agent_who_may_not_reassign_sees_the_owner_read_only(login, admin, agent):
    from app.services.settings import set_case_access

    owner = make_user(name="Olga Owner", password=None)
    case = make_case(actor=owner, subject="Not mine")
    set_case_access("public_read", actor=admin)
    db.session.commit()
    # public_read: only the owner, Read/Write members and admins change the case.
    assert login(agent).get(f"/cases/{case.number}/edit").status_code == 403


def test_closing_asks_for_an_optional_note_then_records_the_time(client, case):
    page = soup(client.get(f"/cases/{case.number}/close"))
    assert page.find("textarea", {"name": "note"}) is not None
    version = page.find("input", {"name": "version"})["value"]
    response = client.post(f"/cases/{case.number}/close",
                           data={"note": "Replaced the **roller**.", "version": version})
    assert response.status_code == 303
    assert case.status == "Closed" and case.closed_at is not None
    [item] = change_items(case)
    assert item.body == "Replaced the **roller**." and "<strong>roller</strong>" in item.body_html
    assert "Case " + case.padded_number + " is closed." in client.get(
        f"/cases/{case.number}").get_data(as_text=True)


def test_closing_with_htmx_answers_with_hx_redirect(client, case):
    response = client.post(f"/cases/{case.number}/close", data={"version": case.version},
                           headers=HX)
    assert response.headers["HX-Redirect"] == f"/cases/{case.number}"
    assert case.closed_at is not None


def test_a_stale_close_is_409_and_keeps_the_note(client, case, agent):
    stale = case.version
    case_service.update_case(case, actor=agent, expected_version=stale, priority="Low")
    db.session.commit()
    response = client.post(f"/cases/{case.number}/close",
                           data={"note": "All fixed", "version": stale})
    assert response.status_code == 409
    assert soup(response).find("textarea", {"name": "note"}).text.strip() == "All fixed"
    assert case.is_open


def test_an_over_long_closing_note_is_422(client, case):
    response = client.post(f"/cases/{case.number}/close",
                           data={"note": "n" * 20001, "version": case.version})
    assert response.status_code == 422 and case.is_open


def test_closing_a_closed_case_says_so(client, case, agent):
    case_service.close_case(case, actor=agent)
    db.session.commit()
    response = client.get(f"/cases/{case.number}/close", follow_redirects=True)
    assert "already closed" in response.get_data(as_text=True)
    again = client.post(f"/cases/{case.number}/close", data={"version": case.version},
                        follow_redirects=True)
    assert "already closed" in again.get_data(as_text=True)


def test_a_closed_case_can_be_reopened(client, case, agent):
    case_service.close_case(case, actor=agent)
    db.session.commit()
    page = soup(client.get(f"/cases/{case.number}"))
    form = page.find("form", action=f"/cases/{case.number}/reopen")
    version = form.find("input", {"name": "version"})["value"]
    response = client.post(f"/cases/{case.number}/reopen", data={"version": version})
    assert response.status_code == 303
    assert case.status == "Working" and case.closed_at is None


def test_a_stale_reopen_is_409_with_what_changed(client, case, agent):
    case_service.close_case(case, actor=agent)
    db.session.commit()
    stale = case.version
    case_service.update_case(case, actor=agent, expected_version=stale, priority="Critical")
    db.session.commit()
    response = client.post(f"/cases/{case.number}/reopen", data={"version": stale})
    assert response.status_code == 409
    assert "Medium → Critical" in soup(response).select_one(".conflict").get_text(" ",
                                                                                  strip=True)
    assert not case.is_open


def test_reopen_without_a_version_changes_nothing(client, case, agent):
    case_service.close_case(case, actor=agent)
    db.session.commit()
    response = client.post(f"/cases/{case.number}/reopen", data={}, follow_redirects=True)
    assert "out of date" in response.get_data(as_text=True)
    assert not case.is_open
    assert client.get(f"/cases/{case.number}/reopen").status_code == 405
