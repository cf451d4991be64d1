"""In a real browser: the case list keeps long subjects on one line, and rows can be selected
and changed together from the bulk action bar."""
import os

import pytest

from app.extensions import db
from tests.conftest import sign_in
from tests.factories import make_case, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("CASEBOOK_SCREENSHOTS")  # a folder, to look at the pages
LONG_SUBJECT = ("Invoices exported from the billing portal arrive with every second line "
                "missing its tax code, and the finance team cannot reconcile March or April")


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


def test_selecting_rows_shows_the_bulk_bar_and_one_step_changes_them_all(page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        for n in range(4):
            make_case(actor=agent, subject=f"Printer {n} shows E-10{n}")
        make_case(actor=agent, subject=LONG_SUBJECT)
        db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, "alex@example.com")
    bar = page.locator("#bulk-form")
    assert bar.is_hidden()

    first = page.locator("#case-rows input[name=case]").first
    first.focus()
    page.keyboard.press("Space")  # keyboard reachable
    assert bar.is_visible()
    assert bar.locator("[data-bulk-count]").inner_text() == "1 case selected"
    select_all = page.locator("thead input[data-select-all]")
    assert select_all.evaluate("b => b.indeterminate")
    select_all.check()
    assert bar.locator("[data-bulk-count]").inner_text() == "5 cases selected"
    page.locator("#case-rows input[name=case]").nth(1).uncheck()
    assert bar.locator("[data-bulk-count]").inner_text() == "4 cases selected"
    page.select_option("#bulk-status", "Working")
    page.select_option("#bulk-priority", "High")
    shot(page, "case-list-bulk-bar")

    bar.get_by_role("button", name="Apply").click()
    page.wait_for_selector(".flash:has-text('Changed 4 cases.')")
    assert page.locator("#case-rows .status:has-text('Working')").count() == 4
    assert page.locator("#bulk-form").is_hidden()

    page.locator("#case-rows input[name=case]").first.check()
    page.get_by_role("button", name="Clear selection").click()
    assert page.locator("#bulk-form").is_hidden()
