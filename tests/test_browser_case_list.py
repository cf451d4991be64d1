"""In a real browser: the case list keeps long subjects on one line, and rows can be selected
and changed together from the bulk action bar."""
import os

import pytest

from app.extensions import db
from tests.factories import PASSWORD, make_case, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("CASEBOOK_SCREENSHOTS")  # a folder, to look at the pages
LONG_SUBJECT = ("Invoices exported from the billing portal arrive with every second line "
                "missing its tax code, and the finance team cannot reconcile March or April")


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_long_subject_stays_on_one_line_with_the_full_text_on_hover(page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        make_case(actor=agent, subject=LONG_SUBJECT)
        make_case(actor=agent, subject="Short one")
        db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, "alex@example.com")
    link = page.locator("#case-rows td.subject a", has_text="Invoices exported")
    short = page.locator("#case-rows td.subject a", has_text="Short one")
    assert link.get_attribute("title") == LONG_SUBJECT
    # One line: as tall as a one-word subject, and the text is cut (an ellipsis) not wrapped.
    assert link.bounding_box()["height"] == short.bounding_box()["height"]
    assert link.evaluate("a => a.scrollWidth > a.clientWidth")
    assert link.evaluate("a => getComputedStyle(a).textOverflow") == "ellipsis"
