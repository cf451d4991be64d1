"""In a real browser: sign in, open a case, post a comment that appears without a reload."""
import pytest

from app.extensions import db
from tests.factories import PASSWORD, make_account, make_contact, make_user

pytestmark = pytest.mark.browser


def test_an_agent_signs_in_creates_a_case_and_posts_without_a_reload(page, live_server):
    with live_server.app.app_context():
        make_user(email="casey@example.com", name="Casey Agent")
        account = make_account(name="Harbour Dental Group")
        make_contact(account=account, name="Priya Natarajan", email="priya@harbour.example")
        db.session.commit()

    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "casey@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")

    page.click("text=New case")
    page.fill("input[name=subject]", "Receipt printer prints blank pages")
    page.fill("#case-contact-search", "Priya")
    page.click("#case-contact-results [data-choose]")
    assert page.input_value("#case-account-search") == "Harbour Dental Group"
    page.click("button:has-text('Create case')")
    page.wait_for_selector("h1:has-text('Receipt printer prints blank pages')")
    assert "Harbour Dental Group" in page.inner_text("#case-header")

    page.evaluate("window.__noReload = true")
    page.fill("#pub-post textarea", "Asked Priya to send a **photo** of the output.")
    page.click("#pub-post button[type=submit]")
    page.wait_for_selector(".feed-item strong:has-text('photo')")
    assert page.evaluate("window.__noReload") is True, "the page reloaded"
    assert page.input_value("#pub-post textarea") == "", "the publisher did not reset"
