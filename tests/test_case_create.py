"""Creating a case: the form, sequential numbers, type-ahead fallbacks and bad input."""
import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, FeedItem, User
from app.services import cases as case_service
from tests.conftest import HX, IS_POSTGRES, csrf_from, soup
from tests.factories import make_account, make_case, make_contact, make_user


@pytest.fixture
def client(login, agent):
    return login(agent)


def valid(**overrides) -> dict:
    data = {"subject": "VPN drops every hour", "description": "Since Monday.",
            "status": "New", "priority": "High", "origin": "Email", "case_type": "Problem",
            "account_id": "", "account_id_label": "", "contact_id": "", "contact_id_label": ""}
    return data | overrides


def only_case() -> Case:
    return db.session.scalars(sa.select(Case)).one()


def error_text(response, name: str) -> str:
    """The error shown for a field (type-ahead errors sit by their search box)."""
    page = soup(response)
    box = page.find(id=f"{name}-error") or page.find(id=f"case-{name.split('_')[0]}-error")
    return box.get_text(" ", strip=True) if box else ""


def test_the_new_case_form_defaults_the_owner_to_me(client, agent):
    make_user(name="Bea Colleague", password=None)
    db.session.commit()
    page = soup(client.get("/cases/new"))
    owner = page.find("select", id="owner_id")
    assert owner.find("option", selected=True).text == "Alex Agent"
    assert [o.text for o in owner.find_all("option")] == ["Alex Agent", "Bea Colleague"]
    assert page.find("input", {"name": "account_id_label", "type": "search"})["hx-get"] \
        .startswith("/accounts/typeahead")
    assert page.find(id="case-contact")["data-fills"] == "case-account"


def test_an_htmx_request_for_the_form_gets_the_form_alone(client):
    response = client.get("/cases/new", headers=HX)
    html = soup(response)
    assert html.find("html") is None and html.find("form", id="case-form") is not None


def test_creating_a_case_opens_it_with_the_next_number(client, agent):
    response = client.post("/cases/new", data=valid(owner_id=agent.id))
    case = only_case()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/cases/{case.number}"
    assert (case.subject, case.priority, case.origin, case.type) == (
        "VPN drops every hour", "High", "Email", "Problem")
    assert case.owner == agent and case.created_by == agent
    page = client.get(response.headers["Location"])
    assert f"Case {case.padded_number} is open." in page.get_data(as_text=True)


def test_handing_a_new_case_to_someone_else_under_private_access_lands_on_the_list(
        client, agent, admin):
    from app.services.settings import set_case_access

    colleague = make_user(name="Rosa Colleague")
    set_case_access("private", actor=admin)
    db.session.commit()
    response = client.post("/cases/new", data=valid(owner_id=colleague.id))
    case = only_case()
    assert response.status_code == 303
    assert response.headers["Location"] == "/cases/"
    page = client.get("/cases/").get_data(as_text=True)
    assert f"Case {case.padded_number} is open and assigned to Rosa Colleague." in page
    assert client.get(f"/cases/{case.number}").status_code == 404


def test_an_htmx_create_answers_with_hx_redirect(client, agent):
    response = client.post("/cases/new", data=valid(owner_id=agent.id), headers=HX)
    assert response.headers["HX-Redirect"] == f"/cases/{only_case().number}"


def test_case_numbers_are_sequential_and_shown_padded(client, agent):
    first = make_case(actor=agent)
    second = make_case(actor=agent)
    db.session.commit()
    assert second.number == first.number + 1
    assert first.padded_number == f"{first.number:08d}"
    page = client.get(f"/cases/{first.number}").get_data(as_text=True)
    assert f"{first.number:08d}" in page


def test_the_owner_can_be_someone_else(client, agent):
    bea = make_user(name="Bea Colleague", password=None)
    db.session.commit()
    client.post("/cases/new", data=valid(owner_id=bea.id))
    assert only_case().owner_id == bea.id


def test_an_account_and_contact_chosen_by_id_are_saved(client, agent):
    contact = make_contact(name="Carla Customer")
    db.session.commit()
    client.post("/cases/new", data=valid(owner_id=agent.id, contact_id=contact.id,
                                         contact_id_label="Carla Customer"))
    case = only_case()
    assert case.contact == contact and case.account == contact.account


def test_without_javascript_typed_names_are_resolved(client, agent):
    acme = make_account(name="Acme Corp")
    make_account(name="Globex")
    carla = make_contact(account=acme, name="Carla Customer")
    db.session.commit()
    response = client.post("/cases/new", data=valid(owner_id=agent.id,
                                                    account_id_label="acme corp",
                                                    contact_id_label="carla customer"))
    assert response.status_code == 303
    assert (only_case().account, only_case().contact) == (acme, carla)


def test_a_contact_typed_by_email_is_resolved_and_fills_its_account(client, agent):
    carla = make_contact(name="Carla Customer", email="carla@acme.test")
    db.session.commit()
    client.post("/cases/new", data=valid(owner_id=agent.id, contact_id_label="carla@acme.test"))
    assert (only_case().contact, only_case().account) == (carla, carla.account)


@pytest.mark.parametrize("field, label, message", [
    ("account_id", "Nowhere Ltd", "No account matches"),
    ("account_id", "Acme", "2 accounts are named"),
    ("contact_id", "Nobody", "No contact"),
    ("contact_id", "Sam", "matches several contacts"),
])
def test_typed_names_that_match_none_or_several_get_a_clear_error(client, agent, field, label,
                                                                  message):
    make_account(name="Acme")
    make_account(name="Acme")
    make_contact(name="Sam One")
    make_contact(name="Sam Two")
    db.session.commit()
    response = client.post("/cases/new", data=valid(owner_id=agent.id,
                                                    **{f"{field}_label": label}))
    assert response.status_code == 422
    assert message in error_text(response, field)
    assert soup(response).find("input", {"name": f"{field}_label"})["value"] == label
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


@pytest.mark.parametrize("field, value", [("account_id", "987654"), ("contact_id", "987654"),
                                          ("account_id", "abc"), ("contact_id", "-1"),
                                          ("account_id", "99999999999999999999")])
def test_a_missing_or_garbled_link_is_a_form_error_not_a_500(client, agent, field, value):
    response = client.post("/cases/new", data=valid(owner_id=agent.id, **{field: value}))
    assert response.status_code == 422
    text = error_text(response, field)
    assert "could not be found" in text or "no longer exists" in text


def test_a_contact_of_another_account_is_refused(client, agent):
    acme = make_account(name="Acme")
    other = make_contact(name="Olaf Outsider")
    db.session.commit()
    response = client.post("/cases/new", data=valid(owner_id=agent.id, account_id=acme.id,
                                                    account_id_label="Acme",
                                                    contact_id=other.id,
                                                    contact_id_label="Olaf Outsider"))
    assert response.status_code == 422
    assert "does not work for Acme" in error_text(response, "contact_id")


@pytest.mark.parametrize("overrides, field, message", [
    ({"subject": ""}, "subject", "Subject is required."),
    ({"subject": "   "}, "subject", "Subject is required."),
    ({"subject": "x" * 256}, "subject", "at most 255 characters"),
    ({"description": "x" * 20001}, "description", "at most 20000 characters"),
    ({"status": "Bogus"}, "status", "Choose a status from the list."),
    ({"status": "Closed"}, "status", "Choose a status from the list."),
    ({"priority": "Urgent"}, "priority", "Choose a priority from the list."),
    ({"origin": "Pigeon"}, "origin", "Choose an origin from the list."),
    ({"case_type": "Rant"}, "case_type", "Choose a type from the list."),
    ({"owner_id": "999999"}, "owner_id", "Choose an owner from the list."),
    ({"owner_id": "abc"}, "owner_id", "Choose an owner from the list."),
])
def test_bad_input_is_refused_with_a_clear_message(client, agent, overrides, field, message):
    response = client.post("/cases/new", data=valid(owner_id=agent.id) | overrides)
    assert response.status_code == 422
    assert message in error_text(response, field)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_an_inactive_user_cannot_be_made_owner(client, agent):
    gone = make_user(name="Gone Agent", password=None)
    gone.active = False
    customer = make_user(role="customer", password=None)
    db.session.commit()
    for user in (gone, customer):
        response = client.post("/cases/new", data=valid(owner_id=user.id))
        assert response.status_code == 422


def test_a_422_keeps_everything_typed(client, agent):
    response = client.post("/cases/new", data=valid(owner_id=agent.id, subject="",
                                                    description="Keep me"))
    page = soup(response)
    assert page.find("textarea", id="description").text.strip() == "Keep me"
    assert page.find("select", id="priority").find("option", selected=True).text == "High"


def test_a_subject_with_script_is_stored_as_text_and_shown_escaped(client, agent):
    client.post("/cases/new", data=valid(owner_id=agent.id, subject="<script>alert(1)</script>"))
    case = only_case()
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_new_case_link_can_name_the_account_or_contact(client, agent):
    carla = make_contact(name="Carla Customer")
    db.session.commit()
    page = soup(client.get(f"/cases/new?contact_id={carla.id}"))
    assert page.find("input", {"name": "contact_id"})["value"] == str(carla.id)
    assert page.find("input", {"name": "account_id_label"})["value"] == carla.account.name
    assert client.get("/cases/new?account_id=nonsense").status_code == 200


def test_creating_writes_an_opening_item_in_the_feed(client, agent):
    client.post("/cases/new", data=valid(owner_id=agent.id))
    item = db.session.scalars(sa.select(FeedItem)).one()
    assert (item.kind, item.author_id) == ("system", agent.id)


def test_the_create_form_works_with_csrf_on(app, client, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/cases/new")
    token = soup(page).find("input", {"name": "csrf_token"})["value"]
    assert client.post("/cases/new", data=valid(owner_id=agent.id)).status_code == 400
    response = client.post("/cases/new", data=valid(owner_id=agent.id, csrf_token=token))
    assert response.status_code == 303
    htmx = client.post("/cases/new", data=valid(owner_id=agent.id),
                       headers={**HX, "X-CSRFToken": csrf_from(page)})
    assert "HX-Redirect" in htmx.headers


@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite in memory is one connection per test; "
                                            "concurrent writers need PostgreSQL")
def test_cases_created_at_once_from_many_threads_get_unique_numbers(app, agent):
    threads, per_thread = 8, 5
    start = threading.Barrier(threads)
    errors: list[BaseException] = []
    agent_id = agent.id

    def work():
        try:
            with app.app_context():
                actor = db.session.get(User, agent_id)
                start.wait()
                for n in range(per_thread):
                    case_service.create_case(actor=actor, subject=f"Parallel {n}")
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported below, with the thread's own traceback lost
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    got = db.session.scalars(sa.select(Case.number).order_by(Case.number)).all()
    assert len(got) == len(set(got)) == threads * per_thread
    assert got == list(range(got[0], got[0] + threads * per_thread))
