"""Without JavaScript, a file over the limit shows the File tab again with the note kept."""
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import FeedItem
from tests.conftest import soup
from tests.factories import make_case

NOTE = "Screenshot of the E-104 error, taken at 9:05"


def oversized_post(app, client, case, **extra):
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    app.config["UPLOAD_MAX_MB"] = 0.1
    data = {"file-comment": NOTE, "file-visibility": "public", "file-request_key": "k1",
            "file-files": (io.BytesIO(b"x" * 300_000), "huge.png")} | extra
    return client.post(f"/cases/{case.number}/feed/files", data=data,
                       content_type="multipart/form-data")


def test_an_oversized_upload_without_javascript_keeps_the_note_on_the_file_tab(
        app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/cases/{case.number}?publish=file")
    token = soup(page).find("input", {"name": "csrf_token"})["value"]
    response = oversized_post(app, client, case, csrf_token=token)
    assert response.status_code == 413
    html = soup(response)
    assert html.find("html") is not None  # the case page, not a bare error page
    assert html.select_one("#pub-tab-file")["aria-selected"] == "true"
    assert html.find("textarea", {"name": "file-comment"}).get_text().strip() == NOTE
    assert html.find("input", {"name": "file-visibility", "value": "public"}).has_attr("checked")
    assert "too large" in html.select_one("#pub-file").get_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem).where(
        FeedItem.kind == "file")) == 0


def test_an_oversized_upload_with_a_bad_csrf_token_gets_the_plain_413_page(app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    app.config["WTF_CSRF_ENABLED"] = True
    response = oversized_post(app, client, case, csrf_token="forged")
    assert response.status_code == 413
    assert NOTE not in response.text and "too large" in response.text


def test_an_oversized_upload_from_a_reader_is_not_shown_the_publisher(app, login, agent, admin):
    from app.services.settings import set_case_access

    set_case_access("public_read", actor=admin)
    case = make_case(actor=admin)
    db.session.commit()
    response = oversized_post(app, login(agent), case)
    assert response.status_code in (403, 404)


def test_an_oversized_email_attachment_without_javascript_keeps_the_message(app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    app.config["UPLOAD_MAX_MB"] = 0.1
    response = login(agent).post(f"/cases/{case.number}/emails", data={
        "email-to": "jamie@customer.test", "email-subject": "Logs", "email-body": NOTE,
        "email-attachments": (io.BytesIO(b"x" * 300_000), "huge.log")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    html = soup(response)
    assert html.find("textarea", {"name": "email-body"}).get_text().strip() == NOTE
    assert html.find("input", {"name": "email-subject"})["value"] == "Logs"
    assert "too large" in html.select_one("#email-attachments-error").get_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem).where(
        FeedItem.kind == "email")) == 0
