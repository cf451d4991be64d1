"""Verifying a caller: recorded with who, how and when, shown on the 360 page, carried into
the next case opened from it, and shown on that case."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, FeedItem, Verification
from tests.conftest import csrf_from, soup
from tests.factories import make_account, make_contact, make_user


@pytest.fixture
def caller(app):
    account = make_account(name="Helios Shipping", verification="Support PIN: 4471")
    contact = make_contact(account, name="Eleni Markou", phone="+30 697 000 1111")
    db.session.commit()
    return account, contact


def verify(client, contact, **data):
    return client.post(f"/contacts/{contact.id}/verify",
                       data={"method": "pin", "outcome": "passed", "note": ""} | data)


def test_a_verification_is_recorded_with_who_how_and_when_and_shown(login, agent, caller):
    account, contact = caller
    client = login(agent)
    response = verify(client, contact)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/contacts/{contact.id}"
    row = db.session.scalar(sa.select(Verification))
    assert (row.contact_id, row.account_id, row.method, row.passed, row.verified_by_id) == (
        contact.id, account.id, "pin", True, agent.id)
    status = soup(client.get(f"/contacts/{contact.id}")).find(id="verify-status")
    text = " ".join(status.get_text(" ", strip=True).split())
    assert text.startswith("Verified by Alex Agent just now") and "By support PIN" in text
    # The account's page shows the latest check of anyone at the account, and whom.
    account_status = soup(client.get(f"/accounts/{account.id}")).find(id="verify-status")
    assert "Eleni Markou" in account_status.get_text()


def test_minutes_ago_is_shown(login, agent, caller):
    account, contact = caller
    client = login(agent)
    verify(client, contact)
    row = db.session.scalar(sa.select(Verification))
    row.created_at -= timedelta(minutes=2)
    db.session.commit()
    status = soup(client.get(f"/contacts/{contact.id}")).find(id="verify-status")
    assert "Verified by Alex Agent 2 min ago" in " ".join(status.get_text(" ", strip=True).split())


def test_a_failed_check_and_other_with_a_note_are_recorded(login, agent, caller):
    _, contact = caller
    client = login(agent)
    assert verify(client, contact, method="other", note="").status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Verification.id))) == 0
    verify(client, contact, method="question", outcome="failed")
    status = soup(client.get(f"/contacts/{contact.id}")).find(id="verify-status")
    assert "Verification failed by Alex Agent" in " ".join(status.get_text(" ", strip=True).split())
    verify(client, contact, method="other", note="Called back on the number on file")
    row = db.session.scalars(sa.select(Verification).order_by(Verification.id.desc())).first()
    assert (row.method, row.note, row.passed) == ("other", "Called back on the number on file", True)


def test_the_verification_is_carried_into_the_next_case_and_shown_on_it(login, agent, caller):
    account, contact = caller
    client = login(agent)
    verify(client, contact, method="phone")
    verification = db.session.scalar(sa.select(Verification))
    page = soup(client.get(f"/contacts/{contact.id}"))
    new_case = page.find(id="new-case-link")["href"]
    assert f"verification={verification.id}" in new_case
    form = soup(client.get(new_case))
    assert form.find("input", attrs={"name": "verification"})["value"] == str(verification.id)
    response = client.post("/cases/new", data={
        "subject": "Shipment stuck in customs", "description": "", "status": "New",
        "priority": "Medium", "origin": "Phone", "type": "Question",
        "account_id": str(account.id), "contact_id": str(contact.id),
        "owner_id": str(agent.id), "verification": str(verification.id)})
    assert response.status_code == 303
    case = db.session.scalar(sa.select(Case).where(Case.subject == "Shipment stuck in customs"))
    assert case.verification_id == verification.id
    case_page = soup(client.get(f"/cases/{case.number}"))
    header = case_page.find(id="case-header").get_text(" ", strip=True)
    assert "Verified" in header and "known phone number" in header
    feed = [item.body for item in db.session.scalars(
        sa.select(FeedItem).where(FeedItem.case_id == case.id, FeedItem.kind == "system"))]
    assert "Alex Agent verified the caller by known phone number." in feed
    assert "verified the caller by known phone number" in case_page.get_text(" ", strip=True)


def test_a_verification_of_another_customer_or_too_old_is_not_carried(login, agent, caller):
    account, contact = caller
    stranger = make_contact(make_account(name="Other Co"))
    db.session.commit()
    client = login(agent)
    verify(client, stranger)
    foreign = db.session.scalar(sa.select(Verification))
    response = client.post("/cases/new", data={
        "subject": "Someone else's check", "status": "New", "priority": "Medium",
        "origin": "Phone", "type": "Question", "account_id": str(account.id),
        "contact_id": str(contact.id), "owner_id": str(agent.id),
        "verification": str(foreign.id)})
    assert response.status_code == 303
    case = db.session.scalar(sa.select(Case).where(Case.subject == "Someone else's check"))
    assert case.verification_id is None
    verify(client, contact)
    old = db.session.scalars(sa.select(Verification).order_by(Verification.id.desc())).first()
    old.created_at -= timedelta(hours=2)
    db.session.commit()
    assert "verification=" not in soup(client.get(f"/contacts/{contact.id}")).find(
        id="new-case-link")["href"]


def test_verifying_needs_the_csrf_token(app, login, agent, caller):
    _, contact = caller
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(agent)
    assert verify(client, contact).status_code == 400
    token = csrf_from(client.get(f"/contacts/{contact.id}"))
    assert verify(client, contact, csrf_token=token).status_code == 303


def test_customers_cannot_verify(login, caller):
    _, contact = caller
    customer = make_user(role="customer")
    db.session.commit()
    assert verify(login(customer), contact).status_code == 403
