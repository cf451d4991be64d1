"""The Email tab: fill subject and message from an admin's template, and attach files."""
import io

import sqlalchemy as sa

from app.extensions import db
from app.mail import delivery
from app.models import Attachment, FeedItem, OutboxMessage
from tests.conftest import HX, soup
from tests.factories import make_case, make_contact, make_email_template
from tests.smtp import smtp  # noqa: F401


def case_with_template(agent):
    contact = make_contact(name="Jamie Doe", email="jamie@customer.test")
    case = make_case(actor=agent, contact=contact, subject="Printer on floor 3")
    template = make_email_template(
        name="Apology", subject="Sorry about case {{ case.number }}",
        body_text="Hello {{ case.contact }},\n\nWe are sorry about “{{ case.subject }}”.")
    db.session.commit()
    return case, template


def test_the_email_tab_offers_the_admins_templates(login, agent):
    case, template = case_with_template(agent)
    page = soup(login(agent).get(f"/cases/{case.number}/emails/new"))
    options = {o.get_text(): o["value"] for o in page.select("select[name=email-template] option")}
    assert options["Apology"] == str(template.id)
    assert page.find("input", {"name": "email-attachments", "type": "file"}) is not None
    assert page.select_one("#pub-email form")["enctype"] == "multipart/form-data"


def test_picking_a_template_fills_subject_and_message_for_the_case_and_sends_nothing(
        login, agent):
    case, template = case_with_template(agent)
    for headers in ({}, HX):
        response = login(agent).post(f"/cases/{case.number}/emails", headers=headers, data={
            "action": "use_template", "email-template": str(template.id),
            "email-to": "someone@customer.test", "email-subject": "", "email-body": ""})
        assert response.status_code == 200
        form = soup(response)
        assert form.find("input", {"name": "email-subject"})["value"] == \
            f"Sorry about case {case.padded_number}"
        body = form.find("textarea", {"name": "email-body"}).get_text()
        assert "Hello Jamie Doe" in body and "“Printer on floor 3”" in body
        assert form.find("input", {"name": "email-to"})["value"] == "someone@customer.test"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem).where(
        FeedItem.kind == "email")) == 0


def test_a_missing_template_is_refused_on_the_form(login, agent):
    case, _template = case_with_template(agent)
    response = login(agent).post(f"/cases/{case.number}/emails", data={
        "action": "use_template", "email-template": "999", "email-to": "a@customer.test"})
    assert response.status_code == 422
    assert "Choose a template." in soup(response).select_one("#email-template-error").get_text()


def test_attached_files_go_on_the_feed_item_and_with_the_sent_email(app, login, agent, smtp):
    case, _template = case_with_template(agent)
    response = login(agent).post(f"/cases/{case.number}/emails", data={
        "email-to": "jamie@customer.test", "email-subject": "Your logs", "email-body": "Attached.",
        "email-request_key": "k1",
        "email-attachments": [(io.BytesIO(b"line 1\nline 2\n"), "printer.log"),
                              (io.BytesIO(b"%PDF-1.4 report"), "report.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    item = db.session.scalar(sa.select(FeedItem).where(FeedItem.kind == "email"))
    assert sorted(a.original_name for a in item.attachments) == ["printer.log", "report.pdf"]
    page = soup(login(agent).get(f"/cases/{case.number}"))
    assert "printer.log" in page.select_one(f"#feed-item-{item.id} .files").get_text()
    delivery.send_due()
    (sent,) = smtp.messages
    files = {part.get_filename(): part.get_content() for part in sent.message.iter_attachments()}
    assert set(files) == {"printer.log", "report.pdf"}
    assert "line 2" in str(files["printer.log"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 2


def test_an_email_whose_attachment_was_lost_fails_alone_and_says_why(app, login, agent, smtp):
    from app.services import files as file_store

    case, _template = case_with_template(agent)
    login(agent).post(f"/cases/{case.number}/emails", data={
        "email-to": "jamie@customer.test", "email-subject": "Logs", "email-body": "Attached.",
        "email-attachments": [(io.BytesIO(b"gone soon"), "gone.log")]},
        content_type="multipart/form-data")
    file_store.path_for(db.session.scalar(sa.select(Attachment.sha256))).unlink()
    delivery.send_due()
    message = db.session.scalar(sa.select(OutboxMessage))
    db.session.refresh(message)
    assert message.status == "failed" and "gone.log" in message.last_error
    assert smtp.messages == []
