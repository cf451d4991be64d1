"""The portal case page: the conversation, replies with files, closing and reopening."""
import io
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Case, FeedItem
from app.services import feed as feed_service
from tests.conftest import HX, csrf_from, soup
from tests.factories import make_case, make_user
from tests.portal_factories import make_customer, portal_client


def customer_case(agent, **overrides):
    customer = make_customer()
    case = make_case(actor=agent, contact=customer.contact, **overrides)
    db.session.commit()
    return customer, case


def test_the_case_page_shows_subject_status_and_the_conversation_oldest_first(login, agent):
    customer, case = customer_case(agent, subject="Label printer jams")
    feed_service.add_post(case, actor=agent, body="First answer", visibility="public")
    feed_service.add_post(case, actor=agent, body="Second answer", visibility="public")
    db.session.commit()
    page = soup(portal_client(login, customer).get(f"/portal/cases/{case.number}"))
    assert page.h1.get_text(strip=True) == "Label printer jams"
    assert "New" in page.select_one(".facts").get_text()
    bodies = [m.select_one(".message-body").get_text(strip=True)
              for m in page.select("#conversation .message")]
    assert bodies == ["First answer", "Second answer"]


def test_the_conversation_fragment_has_no_layout(login, agent):
    customer, case = customer_case(agent)
    response = portal_client(login, customer).get(f"/portal/cases/{case.number}", headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_a_reply_with_files_is_one_public_item_stored_by_hash(app, login, agent):
    customer, case = customer_case(agent)
    client = portal_client(login, customer)
    response = client.post(f"/portal/cases/{case.number}/reply", data={
        "body": "Logs attached", "request_key": "k1",
        "files": [(io.BytesIO(b"log line"), "printer.log")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    item = db.session.scalar(sa.select(FeedItem).where(FeedItem.kind == "file"))
    assert (item.visibility, item.body, item.author_id) == ("public", "Logs attached",
                                                            customer.id)
    attachment = db.session.scalar(sa.select(Attachment))
    assert attachment.original_name == "printer.log"
    stored = [path.name for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*")]
    assert attachment.sha256 in "".join(stored) and "printer.log" not in stored
    download = client.get(f"/portal/cases/{case.number}/files/{attachment.id}")
    assert download.status_code == 200 and download.data == b"log line"


def test_a_double_clicked_reply_is_saved_once(login, agent):
    customer, case = customer_case(agent)
    client = portal_client(login, customer)
    for _ in range(2):
        client.post(f"/portal/cases/{case.number}/reply",
                    data={"body": "Only once", "request_key": "same"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem).where(
        FeedItem.body == "Only once")) == 1


def test_an_empty_reply_is_refused_with_a_clear_message(login, agent):
    customer, case = customer_case(agent)
    response = portal_client(login, customer).post(f"/portal/cases/{case.number}/reply",
                                                   data={"body": "  "})
    assert response.status_code == 422
    assert "Write a reply or attach a file." in soup(response).select_one(".reply").get_text()


def test_an_oversized_reply_keeps_the_text(app, login, agent):
    customer, case = customer_case(agent)
    client = portal_client(login, customer)
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_from(client.get(f"/portal/cases/{case.number}"))
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    app.config["UPLOAD_MAX_MB"] = 0.1
    response = client.post(f"/portal/cases/{case.number}/reply", data={
        "csrf_token": token, "body": "Here is the video", "request_key": "k",
        "files": (io.BytesIO(b"x" * 300_000), "video.mp4")}, content_type="multipart/form-data")
    assert response.status_code == 413
    page = soup(response)
    assert page.find("textarea", {"name": "body"}).get_text().strip() == "Here is the video"
    assert "too large" in page.select_one(".reply").get_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem).where(
        FeedItem.kind.in_(("post", "file")))) == 0


def test_the_customer_closes_and_reopens_with_a_reason_through_the_case_history(login, agent):
    customer, case = customer_case(agent)
    client = portal_client(login, customer)
    assert client.post(f"/portal/cases/{case.number}/close", data={"note": "Fixed"}
                       ).status_code == 303
    closed = db.session.get(Case, case.id)
    assert closed.status == "Closed" and closed.closed_at is not None
    page = soup(client.get(f"/portal/cases/{case.number}"))
    assert page.find("textarea", {"name": "body"}) is None
    assert page.find("textarea", {"name": "reason"}) is not None
    refused = client.post(f"/portal/cases/{case.number}/reopen", data={"reason": ""})
    assert refused.status_code == 422 and db.session.get(Case, case.id).status == "Closed"
    client.post(f"/portal/cases/{case.number}/reopen", data={"reason": "It jams again"})
    reopened = db.session.get(Case, case.id)
    assert reopened.status == "Working"
    changes = db.session.scalars(sa.select(FeedItem).where(
        FeedItem.case_id == case.id, FeedItem.kind == "change").order_by(FeedItem.id)).all()
    assert [c.author_id for c in changes] == [customer.id, customer.id]
    assert "It jams again" in changes[-1].body
    assert all(c.visibility == "internal" for c in changes)


def test_replying_to_a_closed_case_asks_to_reopen_it(login, agent):
    customer, case = customer_case(agent, status="Closed")
    response = portal_client(login, customer).post(f"/portal/cases/{case.number}/reply",
                                                    data={"body": "hello?"})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem).where(
        FeedItem.body == "hello?")) == 0


def test_my_cases_lists_open_and_closed_newest_first_and_pages(login, agent):
    customer = make_customer()
    for n in range(23):
        make_case(actor=agent, subject=f"Open case {n:02d}", contact=customer.contact)
    make_case(actor=agent, subject="An old closed case", contact=customer.contact,
              status="Closed")
    make_case(actor=agent, subject="Someone else's", contact=make_customer().contact)
    db.session.commit()
    client = portal_client(login, customer)
    first = soup(client.get("/portal/"))
    subjects = [s.get_text(strip=True) for s in first.select(".case-subject")]
    assert len(subjects) == 20 and subjects[0] == "Open case 22"
    assert "An old closed case" not in subjects
    second = soup(client.get("/portal/?page=2"))
    assert [s.get_text(strip=True) for s in second.select(".case-subject")] == [
        "Open case 02", "Open case 01", "Open case 00"]
    closed = soup(client.get("/portal/?state=closed"))
    assert [s.get_text(strip=True) for s in closed.select(".case-subject")] == [
        "An old closed case"]
    assert first.select_one(".case-meta .badge.status-new") is not None
    assert first.select_one(".case-meta .badge.priority-medium") is not None


def test_my_cases_says_when_there_is_nothing(login):
    page = soup(portal_client(login, make_customer()).get("/portal/"))
    assert "No open cases" in page.select_one(".empty").get_text()


def test_my_cases_reads_in_a_few_statements(login, agent, count_queries):
    customer = make_customer()
    for n in range(15):
        make_case(actor=agent, subject=f"Case {n}", contact=customer.contact)
    client = portal_client(login, customer)
    with count_queries() as counter:
        assert client.get("/portal/").status_code == 200
    assert counter.count <= 8, counter.statements


def test_the_case_page_reads_in_a_few_statements(login, agent, count_queries):
    customer, case = customer_case(agent)
    for n in range(10):
        feed_service.add_files(case, actor=agent, visibility="public",
                               uploads=[(f"f{n}.txt", b"x", "text/plain")])
    db.session.commit()
    client = portal_client(login, customer)
    with count_queries() as counter:
        assert client.get(f"/portal/cases/{case.number}").status_code == 200
    assert counter.count <= 10, counter.statements


def test_a_reply_to_a_case_waiting_on_the_customer_puts_it_back_to_working(login, agent):
    customer, case = customer_case(agent, status="Waiting on Customer")
    portal_client(login, customer).post(f"/portal/cases/{case.number}/reply",
                                        data={"body": "Here is the serial: 4417"})
    assert db.session.get(Case, case.id).status == "Working"
    change = db.session.scalar(sa.select(FeedItem).where(
        FeedItem.case_id == case.id, FeedItem.kind == "change"))
    assert change.author_id == customer.id and change.changes[0]["new"] == "Working"


def test_a_status_rule_fires_when_the_customer_answers(login, agent):
    from app.models import OutboxMessage
    from tests.factories import make_workflow_rule

    make_workflow_rule([("status", "changed_to", "Working")], kinds=("owner",),
                       name="Customer answered")
    customer, case = customer_case(agent, status="Waiting on Customer")
    portal_client(login, customer).post(f"/portal/cases/{case.number}/reply",
                                        data={"body": "Answer"})
    assert any(m.rule is not None and m.rule.name == "Customer answered"
               for m in db.session.scalars(sa.select(OutboxMessage)))


def test_a_long_list_counts_only_so_far(login, agent, monkeypatch):
    from app.services import portal as portal_service

    monkeypatch.setattr(portal_service, "COUNT_CAP", 25)
    customer = make_customer()
    for n in range(50):
        make_case(actor=agent, subject=f"Case {n}", contact=customer.contact)
    page = soup(portal_client(login, customer).get("/portal/"))
    assert "Page 1 of 2+" in page.select_one(".pager").get_text(" ", strip=True)
    assert page.select_one('a[rel="next"]') is not None
