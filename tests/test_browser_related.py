"""In a real browser: the Files, Tasks and History lists beside the feed (and their counts)
follow an upload, a new task and a shared status change, without a reload."""
import os

import pytest

from app.extensions import db
from tests.conftest import sign_in
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("CASEBOOK_SCREENSHOTS")  # a folder, to look at the pages


def test_side_lists_follow_an_upload_a_task_and_a_share_without_a_reload(page, live_server, tmp_path):
    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        number = make_case(actor=agent, subject="Printer shows E-104").number
        db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "alex@example.com")
    page.goto(f"{live_server.url}/cases/{number}")
    page.evaluate("window.stillTheSamePage = true")
    assert page.locator("#related-files .count-pill").inner_text() == "0"

    log = tmp_path / "printer-log.txt"
    log.write_text("E-104 at 09:12\n")
    page.click("#pub-tab-file")
    page.set_input_files("#publisher input[type=file]", str(log))
    page.locator("#publisher").get_by_role("button", name="Upload").click()
    page.wait_for_selector("#related-files .count-pill:text-is('1')")
    assert "printer-log.txt" in page.locator("#related-files").inner_text()
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "case-after-upload.png"), full_page=True)

    page.click("#pub-tab-task")
    page.fill("#publisher input[name='task-subject']", "Call the customer back")
    page.locator("#publisher").get_by_role("button", name="Add task").click()
    page.wait_for_selector("#related-tasks .count-pill:text-is('1')")
    assert "Call the customer back" in page.locator("#related-tasks").inner_text()

    page.locator("#feed").get_by_role("button", name="Mark done").first.click()
    page.wait_for_selector("#related-tasks li.done")

    page.click("#pub-tab-share")
    page.select_option("#publisher select[name='share-status']", "Working")
    page.locator("#publisher").get_by_role("button", name="Share update").click()
    page.wait_for_selector("#related-history >> text=Working")
    assert page.evaluate("window.stillTheSamePage") is True


def test_assign_to_me_takes_the_case_and_history_follows(page, live_server):
    with live_server.app.app_context():
        make_user(email="alex@example.com", name="Alex Agent")
        owner = make_user(name="Olga Owner", password=None)
        number = make_case(actor=owner, subject="Printer shows E-104").number
        db.session.commit()
    sign_in(page, live_server, "alex@example.com")
    page.goto(f"{live_server.url}/cases/{number}")
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#case-header").get_by_role("button", name="Assign to me").click()
    page.wait_for_selector("#case-header .key-field:has-text('Alex Agent')")
    assert page.locator("#case-header").get_by_role("button", name="Assign to me").count() == 0
    page.wait_for_selector("#related-history >> text=Olga Owner")
    assert page.evaluate("window.stillTheSamePage") is True
