"""The customer 360 pages: header, sections with counts, timeline, and a flat query count."""
import pytest

from app.extensions import db
from app.models import FeedItem, Task
from app.services import settings as settings_service
from tests.conftest import HX, soup
from tests.factories import make_account, make_asset, make_case, make_contact, make_user


def count_of(page, title_id):
    return page.find(id=title_id).find(class_="count-pill").get_text()


def add_cases(agent, account, contact, n, status="New"):
    for i in range(n):
        case = make_case(actor=agent, subject=f"Case {i} for {account.name}", account=account,
                         contact=contact, status=status)
        db.session.add(FeedItem(case_id=case.id, kind="email", author=None, visibility="public",
                                body=f"Email about case {i}"))
        db.session.add(Task(case_id=case.id, subject=f"Call back {i}"))
    db.session.commit()


@pytest.fixture
def customer(app, agent):
    account = make_account(name="Helios Shipping", phone="+30 210 555 0100", tier="Enterprise",
                           verification="Support PIN: 4471\nAuthorised: Eleni Markou",
                           support_notes="Prefers phone calls before 14:00.")
    eleni = make_contact(account, name="Eleni Markou", email="eleni@helios.test",
                         phone="+30 697 000 1111")
    make_contact(account, name="Petros Ioannou")
    make_asset(account=account, serial="HX-1")
    db.session.commit()
    return account, eleni


def test_the_account_page_answers_who_is_this_and_may_i_help_them(login, agent, customer):
    account, eleni = customer
    add_cases(agent, account, eleni, 2)
    add_cases(agent, account, None, 1, status="Closed")
    page = soup(login(agent).get(f"/accounts/{account.id}"))
    header = page.select_one(".customer-header")
    text = header.get_text(" ", strip=True)
    for expected in ("Helios Shipping", "Enterprise", "+30 210 555 0100", "Support PIN: 4471",
                     "Authorised: Eleni Markou", "Prefers phone calls before 14:00."):
        assert expected in text
    assert count_of(page, "open-cases-title") == "2"
    assert count_of(page, "closed-cases-title") == "1"
    assert count_of(page, "contacts-title") == "2"
    assert count_of(page, "assets-title") == "1"
    assert count_of(page, "tasks-title") == "3"
    assert count_of(page, "emails-title") == "3"
    assert page.find(id="open-cases-link")["href"] == "/cases/?view=open&account=Helios+Shipping"
    assert page.find(id="closed-cases-link")["href"] == (
        "/cases/?view=closed&account=Helios+Shipping")
    timeline = page.select("#customer-timeline .timeline-item")
    assert timeline[0].find("p").get_text() == "Email about case 0"  # newest first
    new_case = page.find(id="new-case-link")["href"]
    assert new_case == f"/cases/new?account_id={account.id}"


def test_the_contact_page_shows_its_accounts_header_and_only_its_own_cases(login, agent, customer):
    account, eleni = customer
    add_cases(agent, account, eleni, 2)
    add_cases(agent, account, None, 3)
    page = soup(login(agent).get(f"/contacts/{eleni.id}"))
    header = page.select_one(".customer-header").get_text(" ", strip=True)
    assert "Eleni Markou" in header and "Helios Shipping" in header
    assert "eleni@helios.test" in header and "Support PIN: 4471" in header
    assert count_of(page, "open-cases-title") == "2"
    assert page.find(id="new-case-link")["href"] == (
        f"/cases/new?account_id={account.id}&contact_id={eleni.id}")


def test_hidden_cases_stay_out_of_every_section(login, agent, admin, customer):
    account, eleni = customer
    other = make_user()
    make_case(actor=other, subject="Hidden boardroom matter", account=account, contact=eleni)
    settings_service.set_case_access("private", actor=admin)
    db.session.commit()
    response = login(agent).get(f"/accounts/{account.id}")
    assert "Hidden boardroom matter" not in response.get_data(as_text=True)
    assert count_of(soup(response), "open-cases-title") == "0"


def test_the_timeline_pages_with_htmx(login, agent, customer):
    account, eleni = customer
    add_cases(agent, account, eleni, 12)  # 12 system + 12 email feed items
    client = login(agent)
    fragment = client.get(f"/accounts/{account.id}?activity=2", headers=HX)
    assert soup(fragment).find("html") is None
    assert len(soup(fragment).select("#customer-timeline .timeline-item")) == 4
    page = client.get(f"/accounts/{account.id}?activity=2")
    assert soup(page).find(id="customer-timeline") and soup(page).find("html")


@pytest.mark.parametrize("path", ["/accounts/{account}", "/contacts/{contact}"])
def test_the_query_count_does_not_grow_with_the_number_of_cases(
        login, agent, customer, count_queries, path):
    account, eleni = customer
    client = login(agent)
    url = path.format(account=account.id, contact=eleni.id)
    add_cases(agent, account, eleni, 2)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add_cases(agent, account, eleni, 15)
    add_cases(agent, account, None, 5, status="Closed")
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements
