"""Opening a case checks the account's entitlements, records the one it opens under and starts
its milestones; the form suggests knowledge articles for the subject."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from app.models.common import utcnow
from app.models.entitlements import CaseMilestone
from tests.conftest import soup
from tests.entitlement_factories import make_entitlement, make_process
from tests.factories import make_account, make_contact
from tests import test_ingest as inbound


@pytest.fixture
def client(login, agent):
    return login(agent)


def new_case(account, **overrides) -> dict:
    data = {"subject": "Router reboots at night", "description": "", "status": "New",
            "priority": "High", "origin": "Phone", "case_type": "Problem",
            "account_id": str(account.id), "account_id_label": account.name,
            "contact_id": "", "contact_id_label": ""}
    return data | overrides


def cases() -> list[Case]:
    return list(db.session.scalars(sa.select(Case)))


def test_the_form_shows_the_accounts_entitlements_with_the_active_one_chosen(client):
    account = make_account(name="Northwind")
    active = make_entitlement(account, name="Premium phone support")
    make_entitlement(account, name="Old web support", start=utcnow().date() - timedelta(days=400),
                     end=utcnow().date() - timedelta(days=40))
    db.session.commit()
    page = soup(client.get(f"/cases/new?account_id={account.id}"))
    slot = page.select_one("#eligibility-slot")
    assert slot["hx-get"].startswith("/entitlements/eligibility")
    chosen = slot.select_one("input[name=entitlement_id][checked]")
    assert chosen["value"] == str(active.id)
    assert "Expired" in slot.get_text(" ", strip=True)
    assert page.select_one("#case-kb-suggestions")["hx-get"] == "/knowledge/suggest"


def test_a_case_opened_under_an_entitlement_records_it_and_starts_its_milestones(client):
    account = make_account(name="Northwind")
    entitlement = make_entitlement(account, process=make_process(), allowance=3)
    db.session.commit()
    response = client.post("/cases/new", data=new_case(account, entitlement_id=entitlement.id))
    assert response.status_code == 303
    (case,) = cases()
    assert case.entitlement_id == entitlement.id
    db.session.refresh(entitlement)
    assert entitlement.remaining == 2
    kinds = {row.milestone.kind for row in db.session.scalars(sa.select(CaseMilestone))}
    assert kinds == {"first_response", "resolution"}


def test_without_an_active_entitlement_a_reason_is_asked_and_kept_on_the_case(client):
    account = make_account(name="Globex")
    make_entitlement(account, start=utcnow().date() - timedelta(days=400),
                     end=utcnow().date() - timedelta(days=40))
    db.session.commit()
    refused = client.post("/cases/new", data=new_case(account))
    assert refused.status_code == 422 and cases() == []
    text = soup(refused).get_text(" ", strip=True)
    assert "Say why this case is opened without an entitlement." in text
    assert soup(refused).select_one("#subject")["value"] == "Router reboots at night"
    opened = client.post("/cases/new", data=new_case(
        account, no_entitlement_reason="Goodwill while the renewal is signed"))
    assert opened.status_code == 303
    (case,) = cases()
    assert (case.entitlement_id, case.no_entitlement_reason) == (
        None, "Goodwill while the renewal is signed")


def test_an_account_without_entitlements_opens_cases_as_before(client):
    account = make_account(name="Initech")
    db.session.commit()
    assert client.post("/cases/new", data=new_case(account)).status_code == 303
    (case,) = cases()
    assert case.entitlement_id is None and case.no_entitlement_reason == ""


def test_the_account_360_shows_its_entitlements_and_contracts(client):
    account = make_account(name="Northwind")
    make_entitlement(account, name="Premium phone support")
    db.session.commit()
    page = soup(client.get(f"/accounts/{account.id}"))
    section = page.select_one("#account-entitlements")
    assert "Premium phone support" in section.get_text(" ", strip=True)
    assert "1 active" in section.select_one(".count-pill").text


def test_a_case_opened_by_email_takes_the_accounts_email_entitlement(app, admin):
    account = make_account(name="Northwind")
    make_contact(account, email="jamie@customer.test")
    make_entitlement(account, name="Phone line", kind="phone")
    email_support = make_entitlement(account, name="Email desk", kind="email", allowance=2)
    db.session.commit()
    assert inbound.ingest(app, inbound.mail(subject="Scanner is offline")).exit_code == 0
    (case,) = cases()
    assert case.entitlement_id == email_support.id and case.no_entitlement_reason == ""


def test_a_case_opened_by_email_without_an_active_entitlement_is_flagged_and_listed(
        app, admin, login, agent):
    account = make_account(name="Globex")
    make_contact(account, email="jamie@customer.test")
    make_entitlement(account, kind="email", start=utcnow().date() - timedelta(days=400),
                     end=utcnow().date() - timedelta(days=40))
    db.session.commit()
    assert inbound.ingest(app, inbound.mail(subject="Scanner is offline")).exit_code == 0
    (case,) = cases()
    assert case.entitlement_id is None
    assert "no active entitlement" in case.no_entitlement_reason
    listed = soup(login(agent).get("/entitlements/without"))
    assert [a.get_text(" ", strip=True) for a in listed.select("table a.subject")] == [
        f"{case.padded_number} Scanner is offline"]
