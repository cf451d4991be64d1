"""No match: the results page offers a new account or contact, prefilled from the query, and
saving lands on the new record's 360 page with New case one click away."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Account, Contact
from tests.conftest import soup
from tests.factories import make_account


def empty_state_links(response):
    empty = soup(response).select_one(".search-empty")
    assert empty is not None and "Nothing matches" in empty.get_text()
    return {a.get_text(strip=True): a["href"] for a in empty.select("a")}


def test_no_match_offers_a_new_account_named_from_the_words(login, agent):
    client = login(agent)
    links = empty_state_links(client.get("/search?q=Zeta Freight"))
    assert links["New account"] == "/accounts/new?name=Zeta+Freight"
    form = soup(client.get(links["New account"]))
    assert form.find("input", attrs={"name": "name"})["value"] == "Zeta Freight"
    response = client.post("/accounts/new", data={"name": "Zeta Freight", "phone": "",
                                                  "website": "", "tier": "Standard",
                                                  "support_notes": "", "verification": ""})
    account = db.session.scalar(sa.select(Account).where(Account.name == "Zeta Freight"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/accounts/{account.id}"
    page = soup(client.get(response.headers["Location"]))
    assert page.find(id="new-case-link")["href"] == f"/cases/new?account_id={account.id}"
    # Now the search finds it.
    assert soup(client.get("/search?q=zeta")).select_one(".search-group .result")


def test_no_match_on_digits_offers_a_new_contact_with_the_phone(login, agent):
    acme = make_account(name="Acme Corp")
    db.session.commit()
    client = login(agent)
    links = empty_state_links(client.get("/search", query_string={"q": "+30 210 999 8888"}))
    assert links["New contact"] == "/contacts/new?phone=%2B30+210+999+8888"
    form = soup(client.get(links["New contact"]))
    assert form.find("input", attrs={"name": "phone"})["value"] == "+30 210 999 8888"
    response = client.post("/contacts/new", data={
        "account_id": str(acme.id), "account_id_label": "Acme Corp", "name": "Dora Demo",
        "email": "", "phone": "+30 210 999 8888", "title": ""})
    contact = db.session.scalar(sa.select(Contact).where(Contact.name == "Dora Demo"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/contacts/{contact.id}"
    page = soup(client.get(response.headers["Location"]))
    assert page.find(id="new-case-link")["href"] == (
        f"/cases/new?account_id={acme.id}&contact_id={contact.id}")
    assert contact.phone_digits == "302109998888"
    found = client.get("/search?q=2109998888")
    assert "Dora Demo" in soup(found).select_one("section.search-group").get_text()


def test_no_match_on_an_address_fills_the_email(login, agent):
    client = login(agent)
    links = empty_state_links(client.get("/search?q=New.Person@Zeta.test"))
    assert links["New contact"] == "/contacts/new?email=new.person@zeta.test"
    form = soup(client.get(links["New contact"]))
    assert form.find("input", attrs={"name": "email"})["value"] == "new.person@zeta.test"
