"""Contacts: the list with active search, create and edit (with and without JavaScript), detail."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Contact
from tests.conftest import HX, sent_to_portal, soup
from tests.factories import PASSWORD, make_account, make_case, make_contact, make_user


@pytest.fixture
def client(login, agent):
    return login(agent)


@pytest.fixture
def acme(app):
    account = make_account(name="Acme Corp")
    db.session.commit()
    return account


def names_in(response) -> list[str]:
    return [a.text for a in soup(response).select("#contact-results td.subject a")]


def contact_named(name):
    return db.session.scalar(sa.select(Contact).where(Contact.name == name))


def error_for(response, field):
    return soup(response).find(id=f"{field}-error")


def form_data(account, **changes):
    return {"account_id": str(account.id), "account_id_label": account.name,
            "name": "Jane Doe", "email": "jane@acme.example", "phone": "555 0101",
            "title": "IT manager"} | changes


def test_the_contact_list_page_shows_contacts_with_their_accounts(client, acme):
    make_contact(acme, name="Jane Doe", email="jane@acme.example")
    make_contact(make_account(name="Globex"), name="Hank Scorpio", email="hank@globex.example")
    db.session.commit()
    response = client.get("/contacts/")
    page = soup(response)
    assert response.status_code == 200 and page.find("html")
    assert names_in(response) == ["Hank Scorpio", "Jane Doe"]
    assert page.find("a", string="Acme Corp")["href"] == f"/accounts/{acme.id}"
    search = page.find("form", attrs={"role": "search"}).find("input", attrs={"name": "q"})
    assert search["hx-get"] == "/contacts/" and search["hx-target"] == "#contact-results"
    assert search["hx-trigger"] == "input changed delay:300ms, search"


def test_the_contact_search_matches_name_or_email_and_htmx_gets_the_results(client, acme):
    make_contact(acme, name="Jane Doe", email="jane@acme.example")
    make_contact(acme, name="John Roe", email="jr@initech.example")
    db.session.commit()
    assert names_in(client.get("/contacts/?q=JANE")) == ["Jane Doe"]
    response = client.get("/contacts/?q=initech", headers=HX)
    fragment = soup(response)
    assert fragment.find("html") is None and fragment.find().get("id") == "contact-results"
    assert names_in(response) == ["John Roe"]


def test_percent_in_a_contact_search_matches_only_literally(client, acme):
    make_contact(acme, name="Ann 100% Sure")
    make_contact(acme, name="Bob Plain")
    db.session.commit()
    assert names_in(client.get("/contacts/?q=%25")) == ["Ann 100% Sure"]
    assert "No contacts match" in soup(client.get("/contacts/?q=_")).text


def test_the_contact_list_can_narrow_to_one_account(client, acme):
    make_contact(acme, name="Jane Doe")
    make_contact(make_account(), name="Other Person")
    db.session.commit()
    response = client.get(f"/contacts/?account_id={acme.id}")
    assert names_in(response) == ["Jane Doe"]
    assert "People at Acme Corp" in soup(response).find(class_="subtitle").text
    assert len(names_in(client.get("/contacts/?account_id=nonsense"))) == 2


def test_the_contact_list_pages_fifty_at_a_time(client, acme):
    for n in range(53):
        make_contact(acme, name=f"Person {n:02d}")
    db.session.commit()
    assert len(names_in(client.get("/contacts/"))) == 50
    second = client.get("/contacts/?page=2", headers=HX)
    assert names_in(second) == ["Person 50", "Person 51", "Person 52"]
    assert "51–53 of 53" in soup(second).find("nav", class_="pager").text


def test_the_contact_list_issues_as_many_queries_for_fifty_rows_as_for_five(client,
                                                                            count_queries):
    url = "/contacts/"

    def queries_for(rows):
        for n in range(rows):
            make_contact(make_account(), name=f"Bulk {rows}-{n:02d}")
        db.session.commit()
        client.get(f"{url}?q=Bulk {rows}-")  # same warm state (cached user) for both counts
        with count_queries() as counter:
            response = client.get(f"{url}?q=Bulk {rows}-")
        assert len(names_in(response)) == rows
        return counter.count

    assert queries_for(5) == queries_for(50)


def test_a_script_in_a_contact_name_is_shown_escaped(client, acme):
    contact = make_contact(acme, name="<script>alert(1)</script>")
    db.session.commit()
    for url in ("/contacts/", f"/contacts/{contact.id}", f"/contacts/{contact.id}/edit",
                f"/accounts/{acme.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_customers_cannot_reach_contact_pages(login, acme):
    contact = make_contact(acme)
    customer = make_user(role="customer")
    db.session.commit()
    client = login(customer)
    for url in ("/contacts/", "/contacts/new", f"/contacts/{contact.id}",
                f"/contacts/{contact.id}/edit"):
        assert sent_to_portal(client.get(url)), url


def test_the_new_contact_form_offers_the_account_type_ahead(client):
    page = soup(client.get("/contacts/new"))
    assert page.find("html") and page.find("form", id="contact-form")
    search = page.find("input", id="account-search")
    assert search["name"] == "account_id_label"
    assert search["hx-get"] == "/accounts/typeahead"
    assert page.find("input", attrs={"type": "hidden", "name": "account_id"})
    fragment = soup(client.get("/contacts/new", headers=HX))
    assert fragment.find("html") is None and fragment.find("form")["id"] == "contact-form"


def test_the_new_contact_form_can_start_with_an_account_chosen(client, acme):
    page = soup(client.get(f"/contacts/new?account_id={acme.id}"))
    assert page.find("input", attrs={"name": "account_id"})["value"] == str(acme.id)
    assert page.find("input", id="account-search")["value"] == "Acme Corp"
    assert soup(client.get("/contacts/new?account_id=999999")).find(
        "input", attrs={"name": "account_id"})["value"] == ""


def test_creating_a_contact_stores_the_email_lowercase_and_redirects(client, acme):
    response = client.post("/contacts/new", data=form_data(acme, email="  Jane@ACME.example "))
    contact = contact_named("Jane Doe")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/contacts/{contact.id}"
    assert (contact.email, contact.account_id, contact.title) == (
        "jane@acme.example", acme.id, "IT manager")


def test_creating_a_contact_with_htmx_answers_with_hx_redirect(client, acme):
    response = client.post("/contacts/new", data=form_data(acme, email=""), headers=HX)
    contact = contact_named("Jane Doe")
    assert response.headers["HX-Redirect"] == f"/contacts/{contact.id}"
    assert contact.email is None


def test_without_javascript_a_typed_account_name_that_matches_one_account_is_used(client, acme):
    make_account(name="Acme Corporation Holdings")
    make_account(name="Globex")
    db.session.commit()
    response = client.post("/contacts/new", data=form_data(
        acme, account_id="", account_id_label="acme corp"))
    assert response.status_code == 303
    assert contact_named("Jane Doe").account_id == acme.id
    client.post("/contacts/new", data=form_data(acme, account_id="", account_id_label="glob",
                                                name="Hank", email="hank@globex.example"))
    assert contact_named("Hank").account.name == "Globex"


@pytest.mark.parametrize("label, message", [
    ("", "Choose the account this contact works for."),
    ("Nobody Inc", "No account matches “Nobody Inc”"),
    ("Twin", "2 accounts are named “Twin”"),
    ("Tw", "“Tw” matches several accounts"),
])
def test_without_javascript_an_unclear_account_name_is_a_clear_error(client, label, message):
    make_account(name="Twin")
    make_account(name="Twin")
    db.session.commit()
    response = client.post("/contacts/new", data={"account_id": "", "account_id_label": label,
                                                  "name": "Jane Doe"})
    assert response.status_code == 422
    assert message in error_for(response, "account").text
    assert soup(response).find("input", id="account-search")["value"] == label
    assert contact_named("Jane Doe") is None


@pytest.mark.parametrize("account_id", ["999999", "abc", "-1", "99999999999999999999"])
def test_an_account_id_that_does_not_exist_is_a_form_error_not_a_crash(client, account_id):
    response = client.post("/contacts/new", data={"account_id": account_id, "name": "Jane Doe"})
    assert response.status_code == 422
    assert "That account no longer exists" in error_for(response, "account").text
    assert contact_named("Jane Doe") is None


def test_a_typed_name_that_disagrees_with_the_chosen_id_wins(client, acme):
    globex = make_account(name="Globex")
    db.session.commit()
    client.post("/contacts/new", data=form_data(acme, account_id=str(acme.id),
                                                account_id_label="Globex"))
    assert contact_named("Jane Doe").account_id == globex.id


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Name is required."),
    ({"name": "x" * 201}, "name", "at most 200 characters"),
    ({"email": "not-an-email"}, "email", "Enter a valid email address"),
    ({"email": "a@b"}, "email", "Enter a valid email address"),
    ({"email": "x" * 250 + "@example.com"}, "email", "at most 254 characters"),
    ({"phone": "1" * 41}, "phone", "at most 40 characters"),
    ({"title": "x" * 121}, "title", "at most 120 characters"),
])
def test_invalid_contact_input_is_refused_with_a_clear_message(client, acme, changes, field,
                                                              message):
    response = client.post("/contacts/new", data=form_data(acme, **changes))
    assert response.status_code == 422
    assert message in error_for(response, field).text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0


def test_a_duplicate_email_is_refused_with_a_link_to_the_existing_contact(client, acme):
    existing = make_contact(acme, name="Jane Original", email="jane@acme.example")
    db.session.commit()
    response = client.post("/contacts/new", data=form_data(acme, email="JANE@acme.example"),
                           headers=HX)
    assert response.status_code == 422
    error = error_for(response, "email")
    assert "already belongs to Jane Original at Acme Corp" in error.text
    assert error.find("a")["href"] == f"/contacts/{existing.id}"
    assert soup(response).find("html") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 1


def test_the_duplicate_email_link_escapes_the_existing_name(client, acme):
    make_contact(acme, name="<b>Bold</b>", email="bold@acme.example")
    db.session.commit()
    response = client.post("/contacts/new", data=form_data(acme, email="bold@acme.example"))
    html = response.get_data(as_text=True)
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_creating_a_contact_works_with_csrf_on(app, client, acme):
    app.config["WTF_CSRF_ENABLED"] = True
    form = soup(client.get("/contacts/new")).find("form", id="contact-form")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    assert client.post("/contacts/new", data=form_data(acme)).status_code == 400
    response = client.post("/contacts/new", data=form_data(acme) | {"csrf_token": token})
    assert response.status_code == 303 and contact_named("Jane Doe") is not None


def test_the_edit_form_shows_the_contact_and_its_account(client, acme):
    contact = make_contact(acme, name="Jane Doe", email="jane@acme.example")
    db.session.commit()
    page = soup(client.get(f"/contacts/{contact.id}/edit"))
    assert page.find("input", attrs={"name": "email"})["value"] == "jane@acme.example"
    assert page.find("input", attrs={"name": "account_id"})["value"] == str(acme.id)
    assert page.find("input", id="account-search")["value"] == "Acme Corp"
    fragment = soup(client.get(f"/contacts/{contact.id}/edit", headers=HX))
    assert fragment.find("html") is None
    assert fragment.find("form")["hx-post"] == f"/contacts/{contact.id}/edit"


def test_editing_a_contact_can_keep_its_email_and_move_it_to_another_account(client, acme):
    contact = make_contact(acme, name="Jane Doe", email="jane@acme.example")
    globex = make_account(name="Globex")
    db.session.commit()
    response = client.post(f"/contacts/{contact.id}/edit",
                           data=form_data(globex, name="Jane Smith"))
    assert response.status_code == 303
    db.session.refresh(contact)
    assert (contact.name, contact.email, contact.account_id) == (
        "Jane Smith", "jane@acme.example", globex.id)


def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(client, acme):
    contact = make_contact(acme, name="Jane Doe", email="jane@acme.example")
    make_contact(acme, name="Taken", email="taken@acme.example")
    db.session.commit()
    response = client.post(f"/contacts/{contact.id}/edit",
                           data=form_data(acme, name="Jane Typed", email="taken@acme.example",
                                          account_id="", account_id_label="Acme"))
    assert response.status_code == 422
    page = soup(response)
    assert page.find("input", attrs={"name": "name"})["value"] == "Jane Typed"
    assert page.find("input", id="account-search")["value"] == "Acme"
    assert "already belongs to Taken" in error_for(response, "email").text
    db.session.refresh(contact)
    assert (contact.name, contact.email) == ("Jane Doe", "jane@acme.example")


def test_a_missing_contact_answers_404(client):
    assert client.get("/contacts/999999").status_code == 404
    assert client.post("/contacts/999999/edit", data={"name": "x"}).status_code == 404


def test_the_contact_page_shows_their_details_and_cases(client, agent, acme):
    contact = make_contact(acme, name="Jane Doe", email="jane@acme.example", title="IT manager")
    acme.verification = "Ask for the site code."
    make_case(actor=agent, contact=contact, subject="Jane's printer")
    make_case(actor=agent, account=acme, subject="Not Jane's")
    db.session.commit()
    page = soup(client.get(f"/contacts/{contact.id}"))
    assert page.find("h1").text == "Jane Doe"
    assert "IT manager at Acme Corp" in page.find(class_="subtitle").text
    assert page.find("a", href="mailto:jane@acme.example")
    assert "Ask for the site code." in page.select_one(".callout-verify").text
    assert [td.text for td in page.select("#related-cases a.subject")] == ["Jane's printer"]
    new_case = page.find("a", string="New case")["href"]
    assert new_case.startswith("/cases/new?") and f"contact_id={contact.id}" in new_case


def test_the_contact_cases_page_through_htmx(client, agent, acme):
    contact = make_contact(acme)
    for n in range(21):
        make_case(actor=agent, contact=contact, subject=f"Case {n}")
    db.session.commit()
    response = client.get(f"/contacts/{contact.id}?page=2", headers=HX)
    fragment = soup(response)
    assert fragment.find("html") is None and fragment.find().get("id") == "related-cases"
    assert len(fragment.select("tbody tr")) == 1


@pytest.mark.browser
def test_in_a_browser_the_account_is_chosen_from_the_type_ahead_and_lists_search_live(
        page, live_server):
    with live_server.app.app_context():
        make_user(email="bea@example.com", name="Bea Browser")
        acme_id = make_account(name="Acme Corp").id
        make_account(name="Globex")
        db.session.commit()
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "bea@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")
    page.goto(live_server.url + "/contacts/new")
    page.fill("#name", "Jane Doe")
    page.click("#account-search")
    page.keyboard.type("acm")
    page.click("#account-results button[data-label='Acme Corp']")
    assert page.input_value("#account input[type=hidden]") == str(acme_id)
    assert page.input_value("#account-search") == "Acme Corp"
    page.fill("#email", "Jane@Acme.example")
    page.click("#contact-form button[type=submit]")
    page.wait_for_selector("h1:text('Jane Doe')")
    assert "jane@acme.example" in page.inner_text(".props")
    page.goto(live_server.url + "/accounts/")
    page.evaluate("window.stillHere = true")
    page.fill("#account-q", "glob")
    page.wait_for_url("**/accounts/?q=glob")
    page.wait_for_function("document.querySelectorAll('#account-results td.subject').length === 1")
    assert page.inner_text("#account-results td.subject") == "Globex"
    assert page.evaluate("window.stillHere") is True
