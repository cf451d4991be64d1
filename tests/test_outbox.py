"""The outbox: queued with the change, delivered by a real SMTP server, retried, never twice."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.mail import delivery
from app.mail.sender import sender_for, stop_sender
from app.models import OutboxMessage, Task
from app.models.common import utcnow
from app.services import feed as feed_service
from app.services import notifications, outbox
from app.services.cases import update_case
from app.services.errors import ValidationFailed
from app.services.mail_headers import thread_root
from tests.conftest import HX, IS_POSTGRES, _fresh_database, csrf_from, make_test_app, soup
from tests.factories import make_case, make_user, make_workflow_rule
from tests.smtp import SMTPServer, free_port, smtp  # noqa: F401

LATER = timedelta(hours=2)


def queue(to=("jamie@customer.test",), subject="Hello", **extra) -> OutboxMessage:
    message = outbox.enqueue_message(to=list(to), subject=subject, text="Body text", **extra)
    db.session.commit()
    return message


def count(status=None) -> int:
    stmt = sa.select(sa.func.count()).select_from(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return db.session.scalar(stmt)


def test_smtp_down_the_save_succeeds_and_the_alert_waits_then_arrives_exactly_once(app, admin,
                                                                                    smtp):
    make_workflow_rule([("priority", "changed_to", "High")])
    case = make_case(actor=admin)
    db.session.commit()
    smtp.stop()
    update_case(case, actor=admin, expected_version=None, priority="High")
    db.session.commit()
    report = delivery.send_due()
    assert (report.sent, report.retrying) == (0, 1)
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.status == "queued" and message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert case.priority == "High"

    smtp.start()
    assert delivery.send_due().sent == 0  # not due yet: back-off
    assert delivery.send_due(now=utcnow() + LATER).sent == 1
    assert delivery.send_due(now=utcnow() + LATER * 10).sent == 0
    assert len(smtp.messages) == 1
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_at is not None


def test_failures_back_off_and_after_the_last_try_the_message_fails_with_its_error(app, smtp):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp.stop()
    message = queue()
    waits = []
    for attempt in range(3):
        delivery.send_due(now=utcnow() + timedelta(days=attempt))
        db.session.refresh(message)
        waits.append(message.next_attempt_at)
    assert message.status == "failed" and message.attempts == 3
    assert message.last_error
    assert delivery.retry_delay(2) == 2 * delivery.retry_delay(1)
    assert delivery.send_due(now=utcnow() + timedelta(days=9)).sent == 0


def test_each_message_keeps_one_message_id_across_retries(app, smtp):
    smtp.stop()
    message = queue()
    first_id = message.message_id
    delivery.send_due()
    smtp.start()
    delivery.send_due(now=utcnow() + LATER)
    (received,) = smtp.messages
    assert received["Message-ID"] == first_id


def test_outgoing_mail_has_message_id_references_and_a_plain_text_part(app, admin, smtp):
    case = make_case(actor=admin)
    queue(case=case, html="<p>Body</p>", references=[thread_root(case)],
          in_reply_to="<earlier@customer.test>")
    delivery.send_due()
    (received,) = smtp.messages
    assert received["Message-ID"].startswith("<") and received["Message-ID"].endswith(">")
    assert f"<case-{case.number}@" in received["References"]
    assert received["In-Reply-To"] == "<earlier@customer.test>"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.text.strip() == "Body text"
    assert "<p>Body</p>" in received.html
    assert received["From"] == "Casebook Support <support@casebook.test>"


def test_mail_is_never_sent_to_an_inactive_user(app, smtp):
    left = make_user(email="left@example.com")
    stays = make_user(email="stays@example.com")
    left.active = False
    db.session.commit()
    assert outbox.enqueue_message(to=["LEFT@example.com"], subject="x", text="y") is None
    message = queue(to=["stays@example.com", "left@example.com"])
    assert message.to_addrs == ["stays@example.com"]
    stays.active = False  # deactivated while the message waited
    db.session.commit()
    delivery.send_due()
    assert smtp.messages == []
    db.session.refresh(message)
    assert message.status == "failed" and "inactive" in message.last_error


def test_a_newline_in_any_header_value_is_refused(app):
    for bad in ({"subject": "Hi\r\nBcc: victim@example.com"},
                {"to": ["a@example.com\nBcc: victim@example.com"]},
                {"references": ["<a@b>\r\nX-Evil: 1"]}):
        values = {"to": ["a@example.com"], "subject": "Hi", "text": "Body"} | bad
        with pytest.raises(ValidationFailed):
            outbox.enqueue_message(**values)
    assert count() == 0


def test_a_permanent_rejection_fails_at_once_with_the_servers_answer(app, smtp):
    smtp.refuse.add("nobody@customer.test")
    message = queue(to=["nobody@customer.test"])
    report = delivery.send_due()
    assert report.failed == 1
    db.session.refresh(message)
    assert message.status == "failed" and message.attempts == 1
    assert "550" in message.last_error


def test_a_claimed_message_is_not_handed_to_a_second_sender(app):
    queue()
    first = delivery.claim_next(utcnow())
    assert first is not None and first.attempts == 1
    assert db.session.get(OutboxMessage, first.id).status == "sending"
    assert delivery.claim_next(utcnow()) is None


def test_a_message_left_mid_send_by_a_crashed_sender_is_failed_not_resent(app):
    message = queue()
    delivery.claim_next(utcnow())
    assert delivery.recover_stale(utcnow()) == 0
    assert delivery.recover_stale(utcnow() + timedelta(hours=1)) == 1
    db.session.commit()
    db.session.refresh(message)
    assert message.status == "failed" and "may or may not have arrived" in message.last_error


@pytest.fixture
def file_app(postgres_schema, tmp_path):
    """An app on a database file (or the PostgreSQL test database) that threads can share."""
    uri = os.environ.get("CASEBOOK_TEST_DB_URI") if IS_POSTGRES else \
        f"sqlite:///{tmp_path / 'mail.db'}"
    app = make_test_app(postgres_schema, SQLALCHEMY_DATABASE_URI=uri,
                        UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        _fresh_database(app, postgres_schema)
        yield app
        stop_sender(app)  # a sender left running would poll the next test's database
        db.session.remove()
        db.engine.dispose()


def test_two_senders_at_once_deliver_every_message_exactly_once(file_app):
    server = SMTPServer(free_port())
    server.start()
    file_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    for n in range(30):
        outbox.enqueue_message(to=[f"person{n}@customer.test"], subject=f"Message {n}", text="x")
    db.session.commit()

    def drain():
        with file_app.app_context():
            delivery.send_due()
            db.session.remove()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    server.stop()
    subjects = sorted(m["Subject"] for m in server.messages)
    assert subjects == sorted(f"Message {n}" for n in range(30))
    assert count("sent") == 30


def test_the_in_process_sender_delivers_after_the_commit_without_an_explicit_drain(file_app):
    server = SMTPServer(free_port())
    server.start()
    file_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                           MAIL_SENDER_THREAD=True)
    admin = make_user(role="admin", email="ada@example.com")
    make_workflow_rule([("priority", "changed_to", "High")], kinds=["admins"])
    case = make_case(actor=admin)
    db.session.commit()
    from app.services import users as user_service

    user_service.start_session(admin)
    number, version = case.number, case.version
    db.session.commit()  # requests share this test's session: leave no read transaction open
    client = file_app.test_client(user=admin)
    response = client.post(f"/cases/{number}/feed/share",
                           data={"share-status": "New", "share-priority": "High",
                                 "share-version": str(version)})
    assert response.status_code in (200, 303)
    db.session.rollback()  # the request ran in this test's app context: release its session
    deadline = time.monotonic() + 10
    while not server.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    server.stop()
    assert len(server.messages) == 1


def test_a_stopped_sender_leaves_the_queue_alone(file_app):
    """An app done with its database stops its sender: the thread ends and polls no more."""
    server = SMTPServer(free_port())
    server.start()
    file_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                           MAIL_SENDER_POLL_SECONDS=0.05)
    sender = sender_for(file_app)
    sender.start()
    thread = sender.thread
    sender.stop()
    assert not thread.is_alive()
    outbox.enqueue_message(to=["person@customer.test"], subject="After the stop", text="x")
    db.session.commit()
    time.sleep(0.5)  # ten of its poll intervals
    assert server.messages == [] and count("queued") == 1
    sender.start()  # and it starts again, delivering what waited
    deadline = time.monotonic() + 10
    while not server.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    sender.stop()
    server.stop()
    assert [m["Subject"] for m in server.messages] == ["After the stop"]


def test_links_in_mail_use_the_base_url_never_the_requests_host(app, login, admin, smtp):
    app.config["BASE_URL"] = "https://desk.example.com"
    make_workflow_rule([("priority", "changed_to", "High")], kinds=["admins"])
    case = make_case(actor=admin)
    db.session.commit()
    client = login(admin)
    response = client.post(f"http://localhost:8080/cases/{case.number}/feed/share",
                           data={"share-status": "New", "share-priority": "High",
                                 "share-version": str(case.version)})
    assert response.status_code == 303
    delivery.send_due()
    (received,) = smtp.messages
    assert f"https://desk.example.com/cases/{case.number}" in received.text
    assert "localhost" not in received.text


def test_mail_built_outside_a_request_links_under_the_base_urls_path(app, admin):
    app.config["BASE_URL"] = "https://example.org/desk/"
    bea = make_user(email="bea@example.com")
    case = make_case(actor=admin)
    feed_service.create_task(case, actor=admin, subject="Call back", due_date=date.today(),
                             assignee=bea)
    assert app.test_cli_runner().invoke(args=["mail", "tick"]).exit_code == 0
    (reminder,) = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "reminder"))
    assert f"https://example.org/desk/cases/{case.number}" in reminder.body_text
    assert f'href="https://example.org/desk/cases/{case.number}"' in reminder.body_html


def test_a_due_task_reminds_its_assignee_once(app, admin, smtp):
    runner = app.test_cli_runner()
    bea = make_user(email="bea@example.com")
    case = make_case(actor=admin)
    today = date.today()
    due = feed_service.create_task(case, actor=admin, subject="Call back", due_date=today,
                                   assignee=bea)
    feed_service.create_task(case, actor=admin, subject="Later", assignee=bea,
                             due_date=today + timedelta(days=3))
    done = feed_service.create_task(case, actor=admin, subject="Done", assignee=bea,
                                    due_date=today - timedelta(days=1))
    done.completed_at = utcnow()
    db.session.commit()
    result = runner.invoke(args=["mail", "tick"])
    assert result.exit_code == 0 and "Queued 1 task reminder." in result.output
    assert runner.invoke(args=["mail", "tick"]).output.startswith("Queued 0 task reminders.")
    assert db.session.get(Task, due.id).reminded_at is not None
    result = runner.invoke(args=["mail", "send"])
    assert "Sent 1" in result.output
    (received,) = smtp.messages
    assert received.rcpt_tos == ["bea@example.com"] and "Call back" in received["Subject"]
    assert "Call back" in received.text and received.html


def test_reminders_skip_inactive_assignees(app, admin):
    gone = make_user()
    case = make_case(actor=admin)
    feed_service.create_task(case, actor=admin, subject="x", due_date=date.today(), assignee=gone)
    gone.active = False
    assert notifications.queue_task_reminders() == 0


def test_the_mail_worker_delivers_until_stopped(tmp_path):
    server = SMTPServer(free_port())
    server.start()
    db_file = tmp_path / "worker.db"
    env = dict(os.environ, FLASK_SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_file}",
               FLASK_MAIL_SERVER="127.0.0.1", FLASK_MAIL_PORT=str(server.port),
               FLASK_SECRET_KEY="worker-test", FLASK_MAIL_SENDER_THREAD="false")
    app = make_test_app(None, SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_file}")
    with app.app_context():
        db.create_all()
        outbox.enqueue_message(to=["jamie@customer.test"], subject="From the worker", text="x")
        db.session.commit()
        db.engine.dispose()
    root = Path(__file__).resolve().parents[1]
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker",
                               "--interval", "0.2"], cwd=root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not server.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
        server.stop()
    assert [m["Subject"] for m in server.messages] == ["From the worker"], err
    assert worker.returncode == 0 and "Mail worker stopped." in out


# Admin: the outbox page ------------------------------------------------------------------------

def test_admin_sees_messages_with_status_attempts_and_error(app, login, admin, smtp):
    smtp.stop()
    queue(subject="Waiting message")
    delivery.send_due()
    page = login(admin).get("/admin/workflow/outbox")
    assert page.status_code == 200
    row = soup(page).find("table", class_="outbox-table").find("tbody").find("tr")
    assert "Waiting message" in row.text and "Queued" in row.text
    assert row.find("td", class_="num").text.strip() == "1"
    assert "Connection" in row.text or "refused" in row.text.lower()


def test_outbox_filters_by_status_as_page_and_fragment(app, login, admin, smtp):
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    smtp.refuse.add("bounce@customer.test")
    queue(subject="Good one")
    queue(to=["bounce@customer.test"], subject="Bad one")
    delivery.send_due()
    client = login(admin)
    page = client.get("/admin/workflow/outbox?status=failed")
    assert soup(page).find(id="outbox-results") and "<html" in page.get_data(as_text=True)
    assert "Bad one" in page.get_data(as_text=True)
    assert "Good one" not in page.get_data(as_text=True)
    fragment = client.get("/admin/workflow/outbox?status=sent", headers=HX)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "Good one" in text and "Bad one" not in text
    assert "HX-Request" in fragment.headers["Vary"]


def test_resend_queues_a_failed_message_again_with_the_same_message_id(app, login, admin, smtp):
    app.config.update(MAIL_MAX_ATTEMPTS=1, WTF_CSRF_ENABLED=True)
    smtp.stop()
    message = queue(subject="Try again")
    delivery.send_due()
    db.session.refresh(message)
    assert message.status == "failed"
    client = login(admin)
    page = client.get("/admin/workflow/outbox?status=failed")
    form = soup(page).find("form", action=lambda a: a and "/resend" in a)
    token = form.find("input", {"name": "csrf_token"})["value"]
    assert client.post(form["action"]).status_code == 400  # no token: refused
    response = client.post(form["action"], data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/workflow/outbox?status=failed")
    smtp.start()
    delivery.send_due()
    (received,) = smtp.messages
    assert received["Message-ID"] == message.message_id
    assert csrf_from(page)


def test_resend_by_htmx_redirects_and_a_sent_message_cannot_be_resent(app, login, admin, smtp):
    message = queue()
    delivery.send_due()
    client = login(admin)
    response = client.post(f"/admin/workflow/outbox/{message.id}/resend", headers=HX)
    assert response.headers["HX-Redirect"] == "/admin/workflow/outbox"
    page = client.get("/admin/workflow/outbox")
    assert "Only a failed message can be resent." in page.get_data(as_text=True)
    assert client.post("/admin/workflow/outbox/999999/resend").status_code == 404


def test_agents_cannot_see_the_outbox(app, login, agent):
    assert login(agent).get("/admin/workflow/outbox").status_code == 403


def test_an_empty_outbox_says_so(app, login, admin):
    page = login(admin).get("/admin/workflow/outbox")
    assert "The outbox is empty" in page.get_data(as_text=True)
