"""`flask mail ingest`: replies thread into their case, known contacts open cases, loops stop."""
import base64
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.mail import delivery
from app.models import Attachment, Case, FeedItem, InboundEmail, OutboxMessage
from app.services.case_mail import send_case_email
from app.services.mail_headers import thread_root
from app.services.mail_ingest import ingest_message
from tests.factories import make_case, make_contact, make_user, make_workflow_rule
from tests.smtp import smtp  # noqa: F401

PDF = b"%PDF-1.4\n% a tiny test file\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def mail(sender="jamie@customer.test", subject="Hello", body="Hi there", *, attach=(),
         headers=None, message_id="<m1@customer.test>") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Jamie Doe <{sender}>"
    msg["To"] = "support@casebook.test"
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    for name, data, ctype in attach:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def ingest(app, raw: bytes):
    return app.test_cli_runner().invoke(args=["mail", "ingest"], input=raw)


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Case, FeedItem, Attachment, InboundEmail))


def emails(case) -> list[FeedItem]:
    return list(db.session.scalars(sa.select(FeedItem).where(
        FeedItem.case_id == case.id, FeedItem.kind == "email").order_by(FeedItem.id)))


def upload_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "tmp"]


def test_a_reply_threads_into_its_case_with_its_attachments(app, agent):
    contact = make_contact(email="jamie@customer.test")
    case = make_case(actor=agent, contact=contact)
    sent = send_case_email(case, actor=agent, to="jamie@customer.test", subject="Question",
                           body="Which model is it?")
    message_id = db.session.scalar(sa.select(OutboxMessage.message_id)
                                   .where(OutboxMessage.feed_item_id == sent.id))
    db.session.commit()
    raw = mail(subject="Re: Question",
               body="It is the LaserJet 4.\n\nOn Mon, Alex wrote:\n> Which?",
               headers={"In-Reply-To": message_id, "References": message_id},
               attach=[("photo.png", PNG, "image/png"), ("invoice.pdf", PDF, "application/pdf")])
    result = ingest(app, raw)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Added to case {case.padded_number}."
    reply = emails(case)[-1]
    assert reply.body == "It is the LaserJet 4."
    assert reply.visibility == "public" and reply.author is None
    assert {"field": "from", "label": "From", "new": "Jamie Doe <jamie@customer.test>"} \
        in reply.changes
    assert sorted((a.original_name, a.content_type) for a in reply.attachments) == [
        ("invoice.pdf", "application/pdf"), ("photo.png", "image/png")]
    assert len(upload_files(app)) == 2


def test_a_reply_is_matched_by_the_case_number_in_the_subject(app, agent):
    case = make_case(actor=agent, contact=make_contact(email="jamie@customer.test"))
    db.session.commit()
    result = ingest(app, mail(subject=f"RE: [Case {case.padded_number}] Printer"))
    assert result.exit_code == 0 and "Added to case" in result.output
    assert len(emails(case)) == 1


def test_a_reply_is_matched_by_the_cases_thread_reference(app, agent):
    case = make_case(actor=agent)
    db.session.commit()
    root = thread_root(case)
    assert ingest_message(mail(subject="Re: alert", headers={"References": f"<x@y> {root}"}))\
        .case.id == case.id


def test_a_second_reply_threads_to_the_first_inbound_message(app, agent):
    case = make_case(actor=agent, contact=make_contact(email="jamie@customer.test"))
    db.session.commit()
    ingest(app, mail(subject=f"[Case {case.padded_number}]", message_id="<first@customer.test>"))
    result = ingest(app, mail(subject="Re: no number", message_id="<second@customer.test>",
                              headers={"In-Reply-To": "<first@customer.test>"}))
    assert "Added to case" in result.output
    assert len(emails(case)) == 2


def test_new_mail_from_a_known_contact_opens_a_case(app, admin):
    contact = make_contact(email="jamie@customer.test")
    make_workflow_rule([("owner", "changed", "")], kinds=["owner"])
    db.session.commit()
    result = ingest(app, mail(subject="Scanner is offline", body="Since this morning.",
                              attach=[("log.txt", b"error 42", "text/plain")]))
    assert result.exit_code == 0 and result.output.startswith("Opened case")
    case = db.session.scalar(sa.select(Case))
    assert (case.subject, case.origin, case.contact_id, case.account_id) == \
        ("Scanner is offline", "Email", contact.id, contact.account_id)
    assert case.owner_id == admin.id and case.description == "Since this morning."
    (item,) = emails(case)
    assert item.visibility == "public" and item.attachments[0].original_name == "log.txt"
    assert db.session.scalar(sa.select(OutboxMessage.to_addrs)) == [admin.email]


def test_mail_from_an_unknown_sender_on_a_new_thread_is_ignored(app, admin):
    result = ingest(app, mail(sender="stranger@elsewhere.test"))
    assert result.exit_code == 0 and "not a known contact" in result.output
    assert counts() == (0, 0, 0, 0)


def test_an_unknown_sender_replying_to_a_case_is_kept_internal(app, agent):
    case = make_case(actor=agent, contact=make_contact(email="jamie@customer.test"))
    db.session.commit()
    ingest(app, mail(sender="someone@elsewhere.test", subject=f"[Case {case.padded_number}]"))
    assert emails(case)[0].visibility == "internal"


def test_a_reply_from_staff_is_internal_and_authored_by_them(app, agent):
    case = make_case(actor=agent)
    db.session.commit()
    ingest(app, mail(sender=agent.email, subject=f"[Case {case.padded_number}] note"))
    item = emails(case)[0]
    assert item.author_id == agent.id and item.visibility == "internal"


def test_auto_replies_bulk_mail_and_bounces_never_open_cases_or_append(app, agent):
    contact = make_contact(email="jamie@customer.test")
    case = make_case(actor=agent, contact=contact)
    db.session.commit()
    before = counts()
    subject = f"Out of office: [Case {case.padded_number}]"
    for n, headers in enumerate(({"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"},
                                 {"X-Autoreply": "yes"}, {"Return-Path": "<>"})):
        result = ingest(app, mail(subject=subject, headers=headers,
                                  message_id=f"<auto{n}@customer.test>"))
        assert result.exit_code == 0 and result.output.startswith("Ignored"), headers
    bounce = mail(sender="MAILER-DAEMON@customer.test", subject=subject,
                  message_id="<bounce@customer.test>")
    assert "bounce" in ingest(app, bounce).output
    assert counts() == before


def test_our_own_alert_coming_back_does_not_loop(app, admin, smtp):
    make_workflow_rule([("priority", "changed_to", "High")], kinds=["admins"])
    case = make_case(actor=admin, priority="High")
    db.session.commit()
    delivery.send_due()
    (received,) = smtp.messages
    result = ingest(app, received.raw)
    assert "Ignored" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    assert emails(case) == []


def test_the_same_message_delivered_twice_is_stored_once(app, agent):
    case = make_case(actor=agent, contact=make_contact(email="jamie@customer.test"))
    db.session.commit()
    raw = mail(subject=f"[Case {case.padded_number}]")
    ingest(app, raw)
    assert "already received" in ingest(app, raw).output
    assert len(emails(case)) == 1


def test_a_malformed_message_is_rejected_with_a_clear_error_and_nothing_written(app, agent):
    contact = make_contact(email="jamie@customer.test")
    case = make_case(actor=agent, contact=contact)
    db.session.commit()
    before = counts()
    result = ingest(app, b"This is not an email at all")
    assert result.exit_code == 65
    assert "not an email message" in result.output and "Nothing was stored" in result.output
    assert ingest(app, b"").exit_code == 65
    assert "no valid From" in ingest(app, b"Subject: hi\n\nbody\n").output
    damaged = mail(subject=f"[Case {case.padded_number}]",
                   attach=[("a.pdf", PDF, "application/pdf")])
    damaged = damaged.replace(base64.b64encode(PDF), b"!!not*base64")
    result = ingest(app, damaged)
    assert result.exit_code == 65 and "a.pdf is damaged" in result.output
    assert counts() == before
    assert upload_files(app) == []


def test_a_new_case_is_not_half_written_when_an_attachment_is_too_large(app, admin):
    app.config["UPLOAD_MAX_MB"] = 0.001
    make_contact(email="jamie@customer.test")
    db.session.commit()
    result = ingest(app, mail(attach=[("big.pdf", PDF * 100, "application/pdf")]))
    assert result.exit_code == 65 and "big.pdf is larger" in result.output
    assert counts() == (0, 0, 0, 0)
    assert make_user()  # the session still works after the rollback


def test_html_only_mail_is_stored_as_plain_text(app, agent):
    case = make_case(actor=agent)
    db.session.commit()
    msg = EmailMessage()
    msg["From"] = "jamie@customer.test"
    msg["Subject"] = f"[Case {case.padded_number}]"
    msg.set_content("<p>Hello <b>there</b><script>alert(1)</script></p>", subtype="html")
    ingest(app, msg.as_bytes())
    (item,) = emails(case)
    assert "script" not in item.body and "Hello there" in item.body
    assert "<script" not in item.body_html
