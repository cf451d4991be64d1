"""Files on a case: upload through the publisher, the store, safe downloads and previews."""
import io
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, FeedItem
from app.services import feed as feed_service
from app.services import files as file_store
from tests.conftest import HX, soup
from tests.factories import make_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 20


def upload(client, case, files, comment="", headers=HX, **extra):
    data = {"file-files": [(io.BytesIO(content), name, ctype) for name, content, ctype in files],
            "file-comment": comment, "file-visibility": "internal", **extra}
    return client.post(f"/cases/{case.number}/feed/files", data=data, headers=headers,
                       content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attachments_of(case) -> list[Attachment]:
    return list(db.session.scalars(sa.select(Attachment).where(Attachment.case_id == case.id)
                                   .order_by(Attachment.id)))


def test_uploading_files_adds_one_item_with_a_preview_for_images(app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = upload(login(agent), case, [("screen.png", PNG, "image/png"),
                                           ("report.pdf", b"%PDF-1.4 ...", "application/pdf")],
                      comment="Both from the *customer*.")
    assert response.status_code == 200
    page = soup(response)
    item = page.select_one("li.feed-item.kind-file")
    assert "attached 2 files" in item.get_text()
    assert "Both from the customer." in item.select_one(".feed-body").get_text()
    first, second = attachments_of(case)
    assert (first.original_name, first.content_type, first.size) == ("screen.png", "image/png",
                                                                     len(PNG))
    assert second.content_type == "application/pdf"
    image = item.find("img")
    assert image["src"] == f"/cases/{case.number}/attachments/{first.id}/image"
    assert len(item.select("img")) == 1
    assert page.select_one("#publisher")["hx-swap-oob"] == "true"
    paths = stored_files(app)
    assert {p.name for p in paths} == {first.sha256, second.sha256}
    assert all(p.parent.name == p.name[:2] for p in paths)


def test_uploading_without_javascript_redirects_back_to_the_case(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = upload(login(agent), case, [("notes.txt", b"hello", "text/plain")], headers={})
    assert response.status_code == 303
    assert len(attachments_of(case)) == 1


def test_choosing_no_file_is_refused_clearly(app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = upload(login(agent), case, [], comment="Forgot the file")
    assert response.status_code == 422
    page = soup(response)
    assert "Choose at least one file." in page.select_one("#pub-file").get_text()
    assert page.find("textarea", {"name": "file-comment"}).get_text(strip=True) == "Forgot the file"
    assert not page.select_one("#pub-file").has_attr("hidden")


def test_a_dangerous_name_and_type_is_stored_safely_and_downloads_as_an_attachment(app, login,
                                                                                   agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    html = b"<html><script>alert(document.cookie)</script></html>"
    response = upload(client, case, [("../../x.html", html, "text/html")])
    assert response.status_code == 200
    (attachment,) = attachments_of(case)
    assert attachment.original_name == "x.html"
    assert attachment.content_type == "application/octet-stream"
    assert [p.name for p in stored_files(app)] == [attachment.sha256]
    root = Path(app.config["UPLOAD_FOLDER"])
    assert not (root.parent.parent / "x.html").exists() and not (root / "x.html").exists()
    download = client.get(f"/cases/{case.number}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.data == html
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"x.html\"; filename*=UTF-8''x.html")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox"


def test_a_file_name_with_markup_is_shown_escaped(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    name = "<img src=x onerror=alert(1)>.svg"
    response = upload(login(agent), case, [(name, b"<svg onload=alert(1)/>", "image/svg+xml")])
    item = soup(response).select_one("li.kind-file")
    assert item.find("img") is None
    assert item.select_one("a.name").get_text() == name
    assert attachments_of(case)[0].content_type == "application/octet-stream"


def test_download_names_outside_ascii_use_rfc_5987(login, agent):
    case = make_case(actor=agent)
    item = feed_service.add_files(case, actor=agent,
                                  uploads=[("Überweisung März.pdf", b"%PDF-1.4", "")])
    db.session.commit()
    response = login(agent).get(f"/cases/{case.number}/attachments/{item.attachments[0].id}")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''%C3%9Cberweisung%20M%C3%A4rz.pdf" in disposition
    assert response.headers["Content-Type"] == "application/pdf"


def test_an_image_preview_is_served_inline_only_for_real_images(login, agent):
    case = make_case(actor=agent)
    item = feed_service.add_files(case, actor=agent, uploads=[
        ("photo.gif", GIF, "image/gif"), ("fake.png", b"not really a png", "image/png")])
    db.session.commit()
    gif, fake = item.attachments
    client = login(agent)
    preview = client.get(f"/cases/{case.number}/attachments/{gif.id}/image")
    assert preview.status_code == 200
    assert preview.headers["Content-Type"] == "image/gif"
    assert preview.headers["Content-Disposition"].startswith("inline; ")
    assert preview.headers["Content-Security-Policy"] == "sandbox"
    assert fake.content_type == "application/octet-stream"
    assert client.get(f"/cases/{case.number}/attachments/{fake.id}/image").status_code == 404


def test_an_attachment_of_another_case_answers_404_by_id(login, agent):
    mine, theirs = make_case(actor=agent), make_case(actor=agent)
    item = feed_service.add_files(theirs, actor=agent, uploads=[("a.png", PNG, "image/png")])
    db.session.commit()
    other_id = item.attachments[0].id
    client = login(agent)
    assert client.get(f"/cases/{mine.number}/attachments/{other_id}").status_code == 404
    assert client.get(f"/cases/{mine.number}/attachments/{other_id}/image").status_code == 404
    assert client.get(f"/cases/{theirs.number}/attachments/{other_id}").status_code == 200


def test_a_missing_stored_file_answers_404_not_500(app, login, agent):
    case = make_case(actor=agent)
    item = FeedItem(case_id=case.id, kind="file", author=agent)
    item.attachments = [Attachment(case_id=case.id, original_name="gone.txt",
                                   content_type="text/html", size=3, sha256="not-a-hash")]
    db.session.add(item)
    db.session.commit()
    response = login(agent).get(f"/cases/{case.number}/attachments/{item.attachments[0].id}")
    assert response.status_code == 404


def test_an_upload_over_the_request_limit_answers_413_and_leaves_nothing(app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    app.config["MAX_CONTENT_LENGTH"] = 200 * 1024
    response = upload(login(agent), case, [("big.bin", b"x" * (300 * 1024), "")])
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#flash-messages"
    assert attachments_of(case) == []
    assert stored_files(app) == []


def test_a_single_file_over_the_limit_is_refused_in_the_form_and_leaves_nothing(app, login,
                                                                                agent):
    case = make_case(actor=agent)
    db.session.commit()
    app.config["UPLOAD_MAX_MB"] = 0.1  # 102 KB per file; the request limit is larger
    small = ("small.txt", b"fits", "text/plain")
    response = upload(login(agent), case, [small, ("big.log", b"y" * (110 * 1024), "")])
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#publisher"
    assert "big.log is larger than the 102 KB limit" in soup(response).select_one(
        "#pub-file").get_text()
    assert attachments_of(case) == []
    assert stored_files(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem)
                             .where(FeedItem.kind == "file")) == 0


def test_the_same_content_is_stored_once(app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    upload(client, case, [("one.txt", b"same bytes", "text/plain")])
    upload(client, case, [("two.txt", b"same bytes", "text/plain")])
    first, second = attachments_of(case)
    assert first.sha256 == second.sha256
    assert len(stored_files(app)) == 1


def test_a_double_submitted_upload_is_saved_once(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    for _ in range(2):
        upload(client, case, [("a.txt", b"a", "")], **{"file-request_key": "upload-1"})
    assert len(attachments_of(case)) == 1


def test_the_store_types_files_from_its_allowlist(app):
    assert file_store.content_type_for("a.png", PNG, "text/html") == "image/png"
    assert file_store.content_type_for("a.png", b"GIF89a....", None) == "image/gif"
    assert file_store.content_type_for("x.svg", b"<svg/>", "image/svg+xml") == \
        "application/octet-stream"
    assert file_store.content_type_for("x.htm", b"<p>", "text/html") == "application/octet-stream"
    assert file_store.content_type_for("data", b"1,2", "text/csv") == "text/csv"
    assert file_store.content_type_for("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "") == \
        "image/webp"
    assert file_store.safe_type("text/html") == "application/octet-stream"
    assert file_store.clean_name("..\\..\\evil\x00.txt") == "evil.txt"
    assert file_store.clean_name("/") == "file"
    assert len(file_store.clean_name("a" * 400 + ".pdf")) == 255
