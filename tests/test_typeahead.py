"""The account and contact type-ahead endpoints the case and contact forms search with."""
import pytest

from app.extensions import db
from tests.conftest import HX, soup
from tests.factories import make_account, make_contact, make_user


@pytest.fixture
def client(login, agent):
    return login(agent)


def choices(response):
    return soup(response).find_all("button", attrs={"data-choose": True})


def labels(response):
    return [b["data-label"] for b in choices(response)]


def test_account_suggestions_carry_id_and_label_and_match_case_insensitively(client):
    acme = make_account(name="Acme Corp")
    make_account(name="Globex")
    db.session.commit()
    response = client.get("/accounts/typeahead?q=ACME", headers=HX)
    assert response.status_code == 200
    assert soup(response).find("html") is None
    [button] = choices(response)
    assert button["type"] == "button"
    assert (button["data-id"], button["data-label"]) == (str(acme.id), "Acme Corp")
    assert "Acme Corp" in button.text


def test_account_suggestions_read_the_macro_inputs_own_name(client):
    make_account(name="Acme Corp")
    make_account(name="Globex")
    db.session.commit()
    assert labels(client.get("/accounts/typeahead?account_id_label=glob")) == ["Globex"]
    assert labels(client.get("/accounts/typeahead?q=acme&account_id_label=glob")) == ["Acme Corp"]
    both = client.get("/accounts/typeahead?a_label=acme&b_label=glob")
    assert labels(both) == ["Acme Corp", "Globex"]


def test_names_starting_with_the_text_come_before_names_containing_it(client):
    for name in ("Big Acme", "Acme Corp", "Zeta Acme Labs", "Acme Alpha"):
        make_account(name=name)
    db.session.commit()
    assert labels(client.get("/accounts/typeahead?q=acme")) == [
        "Acme Alpha", "Acme Corp", "Big Acme", "Zeta Acme Labs"]


def test_at_most_ten_suggestions_are_offered(client):
    for n in range(15):
        make_account(name=f"Company {n:02d}")
    db.session.commit()
    assert len(choices(client.get("/accounts/typeahead?q=company"))) == 10
    assert len(choices(client.get("/accounts/typeahead?q="))) == 10


def test_no_match_says_no_matches(client):
    make_account(name="Acme Corp")
    db.session.commit()
    response = client.get("/accounts/typeahead?q=zzz")
    assert choices(response) == []
    assert soup(response).find(class_="none").text.strip() == "No matches"
    assert soup(client.get("/contacts/typeahead?q=zzz")).find(class_="none").text.strip() == \
        "No matches"


def test_wildcards_in_the_typed_text_match_only_literally(client):
    make_account(name="100% Uptime")
    make_account(name="Plain Co")
    make_account(name="Under_score")
    make_account(name="Underscore")
    db.session.commit()
    assert labels(client.get("/accounts/typeahead?q=%25")) == ["100% Uptime"]
    assert labels(client.get("/accounts/typeahead?q=r_s")) == ["Under_score"]
    acme = make_account(name="Acme")
    make_contact(acme, name="Jo 50%", email="jo@acme.example")
    make_contact(acme, name="Al Plain", email="al@acme.example")
    db.session.commit()
    assert labels(client.get("/contacts/typeahead?q=%25")) == ["Jo 50%"]


def test_a_script_in_a_name_is_escaped_in_suggestions(client):
    account = make_account(name='<script>alert("a")</script>')
    make_contact(account, name="<img src=x onerror=alert(1)>", email="x@evil.example")
    db.session.commit()
    for url in ("/accounts/typeahead?q=script", "/contacts/typeahead?q=img"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<img" not in html, url
        assert "&lt;" in html


def test_contact_suggestions_match_name_or_email_and_carry_their_account(client):
    acme = make_account(name="Acme Corp")
    jane = make_contact(acme, name="Jane Doe", email="jane@acme.example", phone="555 0199",
                        title="Secret title")
    make_contact(acme, name="Bob Roe", email="bob@initech.example")
    db.session.commit()
    response = client.get("/contacts/typeahead?q=JANE")
    [button] = choices(response)
    assert (button["data-id"], button["data-label"]) == (str(jane.id), "Jane Doe")
    assert (button["data-account-id"], button["data-account-label"]) == (str(acme.id), "Acme Corp")
    assert button.find(class_="sub").text == "jane@acme.example · Acme Corp"
    assert labels(client.get("/contacts/typeahead?contact_id_label=initech")) == ["Bob Roe"]
    html = response.get_data(as_text=True)
    assert "555 0199" not in html and "Secret title" not in html


def test_contact_suggestions_narrow_to_one_account_when_asked(client):
    acme = make_account(name="Acme Corp")
    globex = make_account(name="Globex")
    make_contact(acme, name="Jane Acme")
    make_contact(globex, name="Jane Globex")
    db.session.commit()
    assert labels(client.get("/contacts/typeahead?q=jane")) == ["Jane Acme", "Jane Globex"]
    assert labels(client.get(f"/contacts/typeahead?q=jane&account_id={globex.id}")) == [
        "Jane Globex"]
    assert labels(client.get(f"/contacts/typeahead?q=&account_id={acme.id}")) == ["Jane Acme"]
    assert len(choices(client.get("/contacts/typeahead?q=jane&account_id="))) == 2


def test_contacts_beginning_with_the_text_come_first_then_those_containing_it(client):
    acme = make_account(name="Acme Corp")
    make_contact(acme, name="Ann Smith", email=None)  # no address: still found by name
    make_contact(acme, name="Zoe Park", email="smithers@acme.example")
    make_contact(acme, name="Smith Jones", email="sj@acme.example")
    make_contact(acme, name="Bob Roe", email="bob@smithco.example")
    make_contact(acme, name="Carl Nobody", email="carl@acme.example")
    db.session.commit()
    assert labels(client.get("/contacts/typeahead?q=SMITH")) == [
        "Smith Jones", "Zoe Park", "Ann Smith", "Bob Roe"]


def test_a_type_ahead_asks_the_database_at_most_twice(client, count_queries):
    for n in range(30):
        make_contact(make_account(name=f"Umbrella {n:02d}"), name=f"Tess {n:02d}",
                     email=f"tess{n}@umbrella.example")
    db.session.commit()
    # Ten names begin with the text: the index answers alone. Fewer: one search within names.
    for text, expected in (("tess", 1), ("ess 1", 2), ("nobody", 2)):
        with count_queries() as counter:
            client.get(f"/contacts/typeahead?q={text}", headers=HX)
        searches = [sql for sql in counter.statements if "FROM contacts" in sql]
        assert len(searches) == expected, searches
    with count_queries() as counter:
        assert len(choices(client.get("/accounts/typeahead?q=umbrella", headers=HX))) == 10
    assert len([sql for sql in counter.statements if "FROM accounts" in sql]) == 1


def test_a_contact_without_email_shows_just_the_account_on_its_sub_line(client):
    make_contact(make_account(name="Acme Corp"), name="No Mail", email=None)
    db.session.commit()
    [button] = choices(client.get("/contacts/typeahead?q=no"))
    assert button.find(class_="sub").text == "Acme Corp"


def test_type_ahead_asks_anonymous_visitors_to_sign_in(app):
    make_contact(make_account(name="Acme Corp"), name="Jane Doe")
    db.session.commit()
    client = app.test_client()
    for url in ("/accounts/typeahead?q=acme", "/contacts/typeahead?q=jane"):
        response = client.get(url, headers=HX)
        assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")
        assert "Acme" not in response.get_data(as_text=True)


def test_type_ahead_is_refused_to_customers(login):
    make_contact(make_account(name="Acme Corp"), name="Jane Doe")
    customer = make_user(role="customer")
    db.session.commit()
    client = login(customer)
    for url in ("/accounts/typeahead?q=acme", "/contacts/typeahead?q=jane"):
        response = client.get(url, headers=HX)
        assert response.status_code == 403
        assert "Acme" not in response.get_data(as_text=True)


def test_the_new_case_contact_picker_narrows_to_the_chosen_account_and_announces_changes(client):
    acme = make_account(name="Acme Corp")
    globex = make_account(name="Globex")
    make_contact(acme, name="Jane Acme")
    make_contact(globex, name="Jane Globex")
    db.session.commit()
    form = soup(client.get("/cases/new"))
    contact = form.select_one("#case-contact-search")
    assert contact["data-narrow-by"] == "case-account"
    assert form.select_one("[data-widen=case-contact]").text.strip() == "Search all contacts"
    assert form.select_one("#case-contact-notice")["aria-live"] == "polite"
    # What the picker sends: its own text, and the chosen account's id.
    assert labels(client.get(f"/contacts/typeahead?contact_id_label=jane&account_id={acme.id}")) == [
        "Jane Acme"]
    assert labels(client.get("/contacts/typeahead?contact_id_label=jane")) == [
        "Jane Acme", "Jane Globex"]
