"""The case page's related lists fetch themselves again after actions that change them."""
import io

import pytest

from app.extensions import db
from app.services import feed as feed_service
from app.services import related_lists as related_service
from app.services.settings import set_case_access
from tests.conftest import HX, soup
from tests.factories import make_case, make_user


@pytest.fixture
def client(login, agent):
    return login(agent)


def test_each_live_related_list_sits_in_a_slot_that_refetches_it_on_related_changed(client, agent):
    case = make_case(actor=agent)
    db.session.commit()
    page = soup(client.get(f"/cases/{case.number}"))
    for key in ("files", "tasks", "history"):
        slot = page.select_one(f"#related-slot-{key}")
        assert slot["hx-get"] == f"/cases/{case.number}/related/{key}"
        assert slot["hx-trigger"] == "related-changed from:body"
        assert slot.select_one(f"section#related-{key}")
    # The case team swaps itself (with its editor); it is not refetched from under it.
    assert page.select_one("#related-slot-case_team") is None
    assert page.select_one("#related-lists > section#case-team")


def test_the_related_list_endpoint_renders_one_list_with_its_count(client, agent):
    case = make_case(actor=agent)
    feed_service.add_files(case, actor=agent, uploads=[("notes.txt", b"notes", "text/plain")])
    feed_service.create_task(case, actor=agent, subject="Call back")
    db.session.commit()
    files = client.get(f"/cases/{case.number}/related/files", headers=HX)
    assert files.status_code == 200
    assert soup(files).find("html") is None
    assert soup(files).select_one("#related-files .count-pill").text == "1"
    assert "notes.txt" in files.get_data(as_text=True)
    tasks = client.get(f"/cases/{case.number}/related/tasks", headers=HX)
    assert "Call back" in soup(tasks).select_one("#related-tasks").text
    assert "Vary" in files.headers and "HX-Request" in files.headers["Vary"]
    cold = soup(client.get(f"/cases/{case.number}/related/files"))  # without JavaScript
    assert cold.find("html") and cold.select_one("#related-files .count-pill").text == "1"
    assert cold.select_one(f".breadcrumbs a[href='/cases/{case.number}']")
    assert client.get(f"/cases/{case.number}/related/nope", headers=HX).status_code == 404


def test_a_hidden_case_answers_404_on_the_related_list_endpoint(login, admin):
    set_case_access("private", actor=admin)
    other = make_user(name="Olga Other")
    case = make_case(actor=other)
    feed_service.add_files(case, actor=other, uploads=[("secret.txt", b"x", "text/plain")])
    outsider = make_user(name="Otto Outsider")
    db.session.commit()
    response = login(outsider).get(f"/cases/{case.number}/related/files", headers=HX)
    assert response.status_code == 404
    assert "secret.txt" not in response.get_data(as_text=True)


def test_uploads_tasks_and_completed_tasks_tell_the_related_lists(client, agent):
    case = make_case(actor=agent)
    db.session.commit()
    upload = client.post(f"/cases/{case.number}/feed/files", headers=HX, data={
        "file-files": (io.BytesIO(b"log"), "log.txt"), "file-visibility": "internal"},
        content_type="multipart/form-data")
    assert upload.status_code == 200
    assert upload.headers["HX-Trigger"] == "related-changed"  # the case itself did not change
    task = client.post(f"/cases/{case.number}/feed/tasks", headers=HX, data={
        "task-subject": "Call back", "task-assignee": str(agent.id)})
    assert task.headers["HX-Trigger"] == "related-changed"
    [open_task] = related_service.list_case_tasks(case)
    done = client.post(f"/cases/{case.number}/tasks/{open_task.id}/complete", headers=HX)
    assert done.status_code == 200
    assert done.headers["HX-Trigger"] == "related-changed"
