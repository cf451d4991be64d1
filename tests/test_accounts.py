"""Accounts: the list with active search, create, edit and the customer 360 page."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Account
from app.services import settings as settings_service
from tests.conftest import HX, sent_to_portal, soup
from tests.factories import make_account, make_asset, make_case, make_contact, make_user

VALID = {"name": "Northwind Traders", "phone": "+44 20 7946 0000",
         "website": "https://northwind.example", "tier": "Premium",
         "support_notes": "Prefers email.\nNever call before 9.",
         "verification": "Customer number and postcode."}


@pytest.fixture
def client(login, agent):
    return login(agent)


def names_in(response) -> list[str]:
    return [a.text for a in soup(response).select("#account-results td.subject a")]


def account_named(name):
    return db.session.scalar(sa.select(Account).where(Account.name == name))


def test_the_account_list_page_shows_accounts_with_a_real_search_form(client):
    make_account(name="Acme Corp", tier="Enterprise")
    make_account(name="Globex")
    db.session.commit()
    response = client.get("/accounts/")
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    page = soup(response)
    assert page.find("html") and page.find(id="account-results")
    assert names_in(response) == ["Acme Corp", "Globex"]
    form = page.find("form", attrs={"role": "search"})
    assert form["method"] == "get" and form.find("button", type="submit")
    search = form.find("input", attrs={"name": "q"})
    assert search["hx-trigger"] == "input changed delay:300ms, search"
    assert search["hx-push-url"] == "true" and search["hx-sync"] == "this:replace"
    assert page.select_one(search["hx-indicator"]) is not None


def test_the_search_filters_by_name_without_javascript(client):
    make_account(name="Acme Corp")
    make_account(name="Globex")
    db.session.commit()
    response = client.get("/accounts/?q=acme")
    assert names_in(response) == ["Acme Corp"]
    assert soup(response).find("input", id="account-q")["value"] == "acme"


def test_an_htmx_search_answers_with_just_the_results(client):
    make_account(name="Acme Corp")
    make_account(name="Globex")
    db.session.commit()
    response = client.get("/accounts/?q=glob", headers=HX)
    fragment = soup(response)
    assert response.status_code == 200
    assert fragment.find("html") is None
    assert fragment.find().get("id") == "account-results"
    assert names_in(response) == ["Globex"]


def test_percent_and_underscore_in_a_search_match_only_literally(client):
    for name in ("100% Uptime Ltd", "Plain Company", "Under_score Inc", "Underscore Inc"):
        make_account(name=name)
    db.session.commit()
    assert names_in(client.get("/accounts/?q=%25")) == ["100% Uptime Ltd"]
    assert names_in(client.get("/accounts/?q=_")) == ["Under_score Inc"]
    assert names_in(client.get("/accounts/?q=%5C")) == []


def test_a_search_that_matches_nothing_says_so(client):
    make_account(name="Acme Corp")
    db.session.commit()
    response = client.get("/accounts/?q=zzz", headers=HX)
    assert "No accounts match “zzz”" in soup(response).text


def test_an_empty_list_invites_creating_the_first_account(client):
    page = soup(client.get("/accounts/"))
    assert "No accounts yet" in page.text
    assert page.find("a", href="/accounts/new")


def test_the_list_pages_fifty_accounts_at_a_time(client):
    for n in range(51):
        make_account(name=f"Company {n:02d}")
    db.session.commit()
    first = client.get("/accounts/")
    assert len(names_in(first)) == 50
    pager = soup(first).find("nav", class_="pager")
    assert "1–50 of 51" in pager.text
    next_link = pager.find("a", rel="next")
    assert next_link["href"] == "/accounts/?page=2"
    assert next_link["hx-target"] == "#account-results"
    second = client.get("/accounts/?page=2", headers=HX)
    assert names_in(second) == ["Company 50"]
    assert soup(second).find("html") is None
    assert len(names_in(client.get("/accounts/?page=nonsense"))) == 50


def test_the_pager_keeps_the_search(client):
    for n in range(52):
        make_account(name=f"Acme {n:02d}")
    db.session.commit()
    link = soup(client.get("/accounts/?q=acme")).find("a", rel="next")
    assert link["href"] == "/accounts/?q=acme&page=2"


def test_the_list_shows_contact_and_open_case_counts(client, agent):
    acme = make_account(name="Acme Corp")
    make_contact(acme)
    make_contact(acme)
    make_case(actor=agent, account=acme)
    make_case(actor=agent, account=acme, status="Closed")
    db.session.commit()
    cells = [td.text.strip() for td in soup(client.get("/accounts/")).select("td.count-col")]
    assert cells == ["2", "1"]


def test_the_list_issues_as_many_queries_for_fifty_rows_as_for_five(client, agent,
                                                                    count_queries):
    url = "/accounts/"

    def queries_for(rows):
        for n in range(rows):
            account = make_account(name=f"Bulk {rows}-{n:02d}")
            make_contact(account)
            make_case(actor=agent, account=account)
        db.session.commit()
        client.get(f"{url}?q=Bulk {rows}-")  # same warm state (cached user) for both counts
        with count_queries() as counter:
            response = client.get(f"{url}?q=Bulk {rows}-")
        assert len(names_in(response)) == rows
        return counter.count

    assert queries_for(5) == queries_for(50)


def test_a_script_in_an_account_name_is_shown_escaped(client):
    account = make_account(name="<script>alert(1)</script>")
    db.session.commit()
    for url in ("/accounts/", f"/accounts/{account.id}", f"/accounts/{account.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_customers_cannot_reach_account_pages(login):
    customer = make_user(role="customer")
    account = make_account()
    db.session.commit()
    client = login(customer)
    for url in ("/accounts/", "/accounts/new", f"/accounts/{account.id}",
                f"/accounts/{account.id}/edit"):
        assert sent_to_portal(client.get(url)), url
    assert client.post("/accounts/new", data=VALID).status_code == 403
    assert account_named(VALID["name"]) is None


def test_the_new_account_form_renders_as_a_page_and_as_a_fragment(client):
    page = soup(client.get("/accounts/new"))
    assert page.find("html") and page.find("form", id="account-form")
    assert [o["value"] for o in page.find("select", attrs={"name": "tier"}).find_all("option")] \
        == ["Standard", "Premium", "Enterprise"]
    fragment = soup(client.get("/accounts/new", headers=HX))
    assert fragment.find("html") is None and fragment.find("form")["id"] == "account-form"


def test_creating_an_account_without_javascript_redirects_to_it(client):
    response = client.post("/accounts/new", data=VALID)
    account = account_named("Northwind Traders")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/accounts/{account.id}"
    assert (account.tier, account.website, account.verification) == (
        "Premium", "https://northwind.example", "Customer number and postcode.")
    page = soup(client.get(response.headers["Location"]))
    assert "Created the account Northwind Traders." in page.find(id="flash-messages").text


def test_creating_an_account_with_htmx_answers_with_hx_redirect(client):
    response = client.post("/accounts/new", data={"name": "  Initech  ", "tier": "Standard"},
                           headers=HX)
    account = account_named("Initech")
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/accounts/{account.id}"
    assert account.website == "" and account.phone == ""


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Name is required."),
    ({"name": "   "}, "name", "Name is required."),
    ({"name": "x" * 201}, "name", "at most 200 characters"),
    ({"phone": "1" * 41}, "phone", "at most 40 characters"),
    ({"website": "javascript:alert(1)"}, "website", "http:// or https://"),
    ({"website": "ftp://files.example"}, "website", "http:// or https://"),
    ({"website": "northwind"}, "website", "http:// or https://"),
    ({"website": "javascript:alert(document.domain)//x.com"}, "website", "http:// or https://"),
    ({"website": "data:text/html,x.com"}, "website", "http:// or https://"),
    ({"website": "https://" + "a" * 250 + ".com"}, "website", "at most 255 characters"),
    ({"tier": "Platinum"}, "tier", "Choose a tier"),
    ({"support_notes": "x" * 5001}, "support_notes", "at most 5000 characters"),
])
def test_invalid_account_input_is_refused_with_a_clear_message(client, changes, field, message):
    response = client.post("/accounts/new", data=VALID | changes)
    assert response.status_code == 422
    error = soup(response).find(id=f"{field}-error")
    assert error is not None and message in error.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account)) == 0


def test_a_refused_htmx_submit_swaps_back_just_the_form_with_errors(client):
    response = client.post("/accounts/new", data=VALID | {"website": "nope"}, headers=HX)
    fragment = soup(response)
    assert response.status_code == 422
    assert fragment.find("html") is None
    form = fragment.find("form", id="account-form")
    assert form["hx-target"] == "this"
    assert form.find("input", attrs={"name": "name"})["value"] == "Northwind Traders"
    assert form.find("input", attrs={"name": "website"}).has_attr("data-autofocus")


def test_creating_an_account_works_with_csrf_on(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/accounts/new")
    token = soup(page).find("form", id="account-form").find("input", attrs={"name": "csrf_token"})
    refused = client.post("/accounts/new", data=VALID)
    assert refused.status_code == 400 and "Reload the page" in refused.get_data(as_text=True)
    assert account_named("Northwind Traders") is None
    response = client.post("/accounts/new", data=VALID | {"csrf_token": token["value"]})
    assert response.status_code == 303
    assert account_named("Northwind Traders") is not None


def test_the_edit_form_shows_the_account_as_page_and_fragment(client):
    account = make_account(name="Acme Corp", website="https://acme.example", tier="Enterprise")
    db.session.commit()
    page = soup(client.get(f"/accounts/{account.id}/edit"))
    assert page.find("html") and page.find("input", attrs={"name": "name"})["value"] == "Acme Corp"
    assert page.find("option", selected=True)["value"] == "Enterprise"
    fragment = soup(client.get(f"/accounts/{account.id}/edit", headers=HX))
    assert fragment.find("html") is None
    assert fragment.find("form")["action"] == f"/accounts/{account.id}/edit"


def test_editing_an_account_saves_and_redirects(client):
    account = make_account(name="Acme Corp")
    db.session.commit()
    response = client.post(f"/accounts/{account.id}/edit", data=VALID | {"name": "Acme Ltd"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/accounts/{account.id}"
    db.session.refresh(account)
    assert account.name == "Acme Ltd" and account.tier == "Premium"
    htmx = client.post(f"/accounts/{account.id}/edit", data=VALID, headers=HX)
    assert htmx.headers["HX-Redirect"] == f"/accounts/{account.id}"


def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(client):
    account = make_account(name="Acme Corp")
    db.session.commit()
    response = client.post(f"/accounts/{account.id}/edit",
                           data=VALID | {"name": "Acme Renamed", "website": "www acme"})
    assert response.status_code == 422
    page = soup(response)
    assert page.find("input", attrs={"name": "name"})["value"] == "Acme Renamed"
    assert page.find("textarea", attrs={"name": "verification"}).text.strip() == \
        VALID["verification"]
    db.session.refresh(account)
    assert account.name == "Acme Corp"


def test_a_missing_account_answers_404(client):
    assert client.get("/accounts/999999").status_code == 404
    assert client.get("/accounts/999999/edit").status_code == 404
    assert client.post("/accounts/999999/edit", data=VALID).status_code == 404


def test_the_account_page_shows_key_fields_notes_contacts_and_assets(client):
    account = make_account(**VALID)
    jane = make_contact(account, name="Jane Doe", email="jane@northwind.example", title="IT lead")
    make_asset(account, serial="SN-42", install_date=date(2024, 3, 1))
    db.session.commit()
    response = client.get(f"/accounts/{account.id}")
    page = soup(response)
    assert page.find("h1").text.split() == ["Northwind", "Traders", "Premium"]
    assert "Customer number and postcode." in page.select_one(".callout-verify").text
    assert "Never call before 9." in page.text
    assert page.find("a", href="https://northwind.example")["rel"] == ["noopener", "noreferrer",
                                                                      "nofollow"]
    assert page.find("a", string="Jane Doe")["href"] == f"/contacts/{jane.id}"
    assert "SN-42" in page.text and "01 Mar 2024" in page.text
    new_case = page.find("a", string="New case")
    assert new_case["href"] == f"/cases/new?account_id={account.id}"
    assert page.find("a", string="Add contact")["href"] == f"/contacts/new?account_id={account.id}"


def test_the_account_page_lists_its_cases_most_recent_first_with_badges(client, agent):
    account = make_account()
    other = make_account()
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for n, subject in enumerate(["Oldest", "Middle", "Newest"]):
        case = make_case(actor=agent, account=account, subject=subject, priority="High")
        case.created_at = start + timedelta(days=n)
    make_case(actor=agent, account=other, subject="Someone else's")
    db.session.commit()
    page = soup(client.get(f"/accounts/{account.id}"))
    rows = page.select("#related-cases tbody tr")
    assert [r.select_one("a.subject").text for r in rows] == ["Newest", "Middle", "Oldest"]
    first = rows[0]
    assert first.select_one(".badge.status-new").text == "New"
    assert first.select_one(".badge.priority-high").text == "High"
    link = first.select_one("a.subject")
    number = first.select_one(".case-number").text
    assert number.isdigit() and link["href"] == f"/cases/{int(number)}"


def test_the_account_page_leaves_out_cases_the_agent_may_not_see(client, agent, admin):
    account = make_account()
    colleague = make_user(role="agent")
    make_case(actor=agent, account=account, subject="Mine")
    make_case(actor=colleague, account=account, subject="Private to a colleague")
    settings_service.set_case_access("private", actor=admin)
    db.session.commit()
    page = soup(client.get(f"/accounts/{account.id}"))
    assert [td.text for td in page.select("#related-cases a.subject")] == ["Mine"]
    counts = [td.text.strip() for td in soup(client.get("/accounts/")).select("td.count-col")]
    assert counts == ["0", "1"]


def test_the_account_cases_page_through_htmx(client, agent):
    account = make_account()
    for n in range(25):
        make_case(actor=agent, account=account, subject=f"Case {n}")
    db.session.commit()
    page = soup(client.get(f"/accounts/{account.id}"))
    assert len(page.select("#related-cases tbody tr")) == 20
    link = page.select_one("#related-cases a[rel=next]")
    assert link["href"] == f"/accounts/{account.id}?page=2"
    response = client.get(link["href"], headers=HX)
    fragment = soup(response)
    assert fragment.find("html") is None and fragment.find().get("id") == "related-cases"
    assert len(fragment.select("tbody tr")) == 5


def test_an_account_without_anything_yet_shows_calm_empty_states(client):
    account = make_account(name="Fresh Co")
    db.session.commit()
    text = soup(client.get(f"/accounts/{account.id}")).text
    for expected in ("No cases yet", "No contacts yet", "No installed products recorded",
                     "No verification steps yet"):
        assert expected in text


def test_an_over_long_search_is_refused_with_a_message_and_lists_everything(client):
    make_account(name="Acme Corp")
    db.session.commit()
    response = client.get("/accounts/?q=" + "a" * 201)
    assert response.status_code == 200
    assert "at most 200 characters" in soup(response).find(class_="error").text
    assert names_in(response) == ["Acme Corp"]


def test_an_account_with_many_contacts_links_to_all_of_them(client):
    account = make_account(name="Big Co")
    for n in range(27):
        make_contact(account, name=f"Person {n:02d}")
    db.session.commit()
    page = soup(client.get(f"/accounts/{account.id}"))
    assert len(page.select("ul.people li a")) == 25
    link = page.find("a", string="All 27 contacts")
    assert link["href"] == f"/contacts/?account_id={account.id}"


def test_the_account_service_refuses_fields_outside_its_own(agent):
    from app.services import accounts as account_service
    from app.services.errors import ValidationFailed

    account = make_account(name="Acme Corp")
    with pytest.raises(ValidationFailed, match="cannot be changed here: id"):
        account_service.update_account(account, actor=agent, name="New", id=99)
    with pytest.raises(ValidationFailed, match="http:// or https://"):
        account_service.update_account(account, actor=agent, website="javascript:alert(1)")


@pytest.mark.parametrize("typed, stored", [
    ("northwind.example", "https://northwind.example"),
    ("www.northwind.example/support?x=1", "https://www.northwind.example/support?x=1"),
    ("http://northwind.example", "http://northwind.example"),
])
def test_a_website_typed_without_its_scheme_is_stored_with_https(client, typed, stored):
    response = client.post("/accounts/new", data=VALID | {"website": typed})
    assert response.status_code == 303
    assert account_named(VALID["name"]).website == stored
