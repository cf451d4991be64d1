"""The publisher's Email action: sent through the outbox, stored as a public feed item."""
import sqlalchemy as sa

from app.extensions import db
from app.mail import delivery
from app.models import FeedItem, OutboxMessage
from app.services.mail_ingest import ingest_message
from tests.conftest import HX, csrf_from, soup
from tests.factories import make_case, make_contact, make_user
from tests.smtp import smtp  # noqa: F401


def form(case, **extra) -> dict:
    data = {"email-to": "jamie@customer.test", "email-cc": "", "email-request_key": "key-1",
            "email-subject": f"[Case {case.padded_number}] Your printer",
            "email-body": "Hello Jamie,\n\nPlease **restart** the printer."}
    return data | extra


def case_with_contact(agent):
    contact = make_contact(name="Jamie Doe", email="jamie@customer.test")
    case = make_case(actor=agent, contact=contact, subject="Printer on floor 3")
    db.session.commit()
    return case


def test_the_email_form_is_prefilled_for_the_contact_and_the_case_number(app, login, agent):
    case = case_with_contact(agent)
    page = login(agent).get(f"/cases/{case.number}/emails/new")
    assert page.status_code == 200
    html = soup(page)
    assert html.find("input", {"name": "email-to"})["value"] == "jamie@customer.test"
    assert html.find("input", {"name": "email-subject"})["value"] == \
        f"[Case {case.padded_number}] Printer on floor 3"
    assert html.find("input", {"name": "email-request_key"})["value"]


def test_sending_stores_a_public_email_item_and_delivers_it(app, login, agent, smtp):
    case = case_with_contact(agent)
    response = login(agent).post(f"/cases/{case.number}/emails",
                                 data=form(case, **{"email-cc": "boss@customer.test"}))
    assert response.status_code == 303 and response.headers["Location"].endswith("#feed")
    item = db.session.scalar(sa.select(FeedItem).where(FeedItem.kind == "email"))
    assert item.visibility == "public" and item.author_id == agent.id
    assert "<strong>restart</strong>" in item.body_html
    assert {"field": "to", "label": "To", "new": "jamie@customer.test"} in item.changes
    assert db.session.get(type(case), case.id).first_response_at is not None
    delivery.send_due()
    (received,) = smtp.messages
    assert sorted(received.rcpt_tos) == ["boss@customer.test", "jamie@customer.test"]
    assert received["Subject"] == f"[Case {case.padded_number}] Your printer"
    assert "Please **restart** the printer." in received.text
    assert "<strong>restart</strong>" in received.html
    assert f"<case-{case.number}@" in received["References"]
    assert received["Auto-Submitted"] is None  # a person wrote it: replies are welcome


def test_the_customers_reply_threads_back_and_the_next_email_answers_it(app, login, agent, smtp):
    case = case_with_contact(agent)
    client = login(agent)
    client.post(f"/cases/{case.number}/emails", data=form(case))
    delivery.send_due()
    sent_id = smtp.messages[0]["Message-ID"]
    reply = (f"From: jamie@customer.test\r\nSubject: Re: printer\r\nMessage-ID: <r1@customer.test>"
             f"\r\nIn-Reply-To: {sent_id}\r\n\r\nRestarted, still broken.\r\n").encode()
    assert ingest_message(reply).case.id == case.id
    db.session.commit()
    client.post(f"/cases/{case.number}/emails", data=form(case, **{"email-request_key": "k2"}))
    delivery.send_due()
    assert smtp.messages[1]["In-Reply-To"] == "<r1@customer.test>"
    assert "<r1@customer.test>" in smtp.messages[1]["References"]


def test_the_htmx_answer_is_the_new_feed_item_and_a_fresh_form(app, login, agent):
    case = case_with_contact(agent)
    response = login(agent).post(f"/cases/{case.number}/emails", data=form(case), headers=HX)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<html" not in text
    html = soup(response)
    assert html.find("li", class_="kind-email")
    panel = html.find(id="pub-email")
    assert panel["hx-swap-oob"] == "true"
    assert panel.find("input", {"name": "email-request_key"})["value"] != "key-1"
    assert response.headers.get("HX-Trigger") == "related-changed, case-changed"


def test_bad_addresses_and_header_injection_are_refused_with_422(app, login, agent):
    case = case_with_contact(agent)
    client = login(agent)
    bad = client.post(f"/cases/{case.number}/emails", data=form(case, **{"email-to": "nope"}))
    assert bad.status_code == 422 and "<html" in bad.get_data(as_text=True)
    assert "nope is not a valid email address." in soup(bad).find(id="email-to-error").text
    injected = client.post(f"/cases/{case.number}/emails", headers=HX, data=form(
        case, **{"email-subject": "Hello\r\nBcc: victim@example.com"}))
    assert injected.status_code == 422
    assert injected.headers["HX-Retarget"] == "#pub-email"
    assert "must be on one line" in soup(injected).find(id="email-subject-error").text
    empty = client.post(f"/cases/{case.number}/emails", data=form(case, **{"email-body": ""}))
    assert "Write the message before sending." in soup(empty).find(id="email-body-error").text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem)
                             .where(FeedItem.kind == "email")) == 0


def test_a_double_submitted_email_is_sent_once(app, login, agent):
    case = case_with_contact(agent)
    client = login(agent)
    client.post(f"/cases/{case.number}/emails", data=form(case))
    again = client.post(f"/cases/{case.number}/emails", data=form(case), headers=HX)
    assert again.status_code == 200 and "already queued" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_an_inactive_user_is_never_emailed_from_the_case(app, login, agent):
    gone = make_user(email="gone@example.com")
    gone.active = False
    case = case_with_contact(agent)
    response = login(agent).post(f"/cases/{case.number}/emails",
                                 data=form(case, **{"email-to": "gone@example.com"}))
    assert response.status_code == 422
    assert "inactive users" in soup(response).find(id="email-to-error").text


def test_sending_email_needs_the_csrf_token(app, login, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    case = case_with_contact(agent)
    client = login(agent)
    page = client.get(f"/cases/{case.number}/emails/new")
    assert client.post(f"/cases/{case.number}/emails", data=form(case)).status_code == 400
    response = client.post(f"/cases/{case.number}/emails",
                           data=form(case) | {"csrf_token": csrf_from(page)})
    assert response.status_code == 303


def test_a_missing_case_has_no_email_form(app, login, agent):
    assert login(agent).get("/cases/999999/emails/new").status_code == 404


def test_customers_cannot_send_email_from_a_case(app, login, agent):
    case = case_with_contact(agent)
    customer = make_user(role="customer")
    db.session.commit()
    assert login(customer).post(f"/cases/{case.number}/emails", data=form(case)).status_code \
        == 403


def test_an_agent_who_may_only_read_the_case_cannot_email_from_it(app, login, agent, admin):
    from app.services.settings import set_case_access

    case = case_with_contact(agent)
    set_case_access("public_read", actor=admin)
    reader = make_user(email="reader@example.com")
    db.session.commit()
    client = login(reader)
    assert client.get(f"/cases/{case.number}/emails/new").status_code == 403
    assert client.post(f"/cases/{case.number}/emails", data=form(case)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_private_case_is_not_found_for_an_agent_outside_it(app, login, agent, admin):
    from app.services.settings import set_case_access

    case = case_with_contact(agent)
    set_case_access("private", actor=admin)
    outsider = make_user(email="outsider@example.com")
    db.session.commit()
    response = login(outsider).post(f"/cases/{case.number}/emails", data=form(case))
    assert response.status_code == 404
