"""In a real browser: "/" focuses the search, part of a phone number finds the contact, the
keyboard picks them, the agent verifies the caller and opens a case that shows it."""
import os

import pytest

from app.extensions import db
from tests.conftest import sign_in
from tests.factories import make_account, make_contact, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("CASEBOOK_SCREENSHOTS")  # a folder, to look at the pages


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_find_the_caller_by_phone_verify_them_and_open_a_verified_case(page, live_server):
    with live_server.app.app_context():
        make_user(email="maya@example.com", name="Maya Agent")
        account = make_account(name="Helios Shipping", phone="+30 210 555 0100",
                               tier="Enterprise", verification="Support PIN: 4471",
                               support_notes="Prefers calls before 14:00.")
        make_contact(account, name="Eleni Markou", email="eleni@helios.test",
                     phone="+30 (697) 000-1111")
        make_contact(account, name="Petros Ioannou", phone="+30 697 222 3333")
        db.session.commit()
    sign_in(page, live_server, "maya@example.com")

    page.locator("h1").first.click()  # focus is on the page, not in a field
    page.keyboard.press("/")
    box = page.locator("#global-search-input")
    assert page.evaluate("document.activeElement.id") == "global-search-input"
    box.press_sequentially("0001111", delay=30)
    page.wait_for_selector("#search-suggestions [role=option]:has-text('Eleni Markou')")
    assert box.get_attribute("aria-expanded") == "true"
    shot(page, "dropdown")
    page.keyboard.press("ArrowDown")
    active = page.evaluate("document.getElementById('global-search-input')"
                           ".getAttribute('aria-activedescendant')")
    assert page.inner_text(f"#{active}").startswith("Eleni Markou")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Eleni Markou')")
    assert "Support PIN: 4471" in page.inner_text(".customer-header")

    page.check("input[name=method][value=pin]")
    page.click("button:has-text('Caller verified')")
    page.wait_for_selector("#verify-status:has-text('Verified by Maya Agent')")
    shot(page, "customer-360")

    page.click("#new-case-link")
    page.wait_for_selector("input[name=subject]")
    assert page.is_visible(".carried-verification")
    page.fill("input[name=subject]", "Container tracking shows the wrong port")
    page.click("button:has-text('Create case')")
    page.wait_for_selector("h1:has-text('Container tracking shows the wrong port')")
    header = page.inner_text("#case-header")
    assert "Verified" in header and "support PIN" in header
    assert "verified the caller by support PIN" in page.inner_text("body")


def test_enter_on_the_text_opens_the_results_page_and_escape_closes_the_list(page, live_server):
    with live_server.app.app_context():
        make_user(email="maya@example.com", name="Maya Agent")
        account = make_account(name="Helios Shipping")
        make_contact(account, name="Eleni Markou")
        db.session.commit()
    sign_in(page, live_server, "maya@example.com")
    box = page.locator("#global-search-input")
    box.click()
    box.press_sequentially("helios", delay=30)
    page.wait_for_selector("#search-suggestions [role=option]")
    page.keyboard.press("Escape")
    assert page.is_hidden("#search-suggestions")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=helios")
    page.wait_for_selector("section.search-group")
    shot(page, "search")
    page.goto(live_server.url + "/search?q=nobody+here")
    assert page.is_visible(".search-empty a:has-text('New account')")
