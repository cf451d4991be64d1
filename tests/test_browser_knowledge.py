"""In a browser: find an article as you type, publish a new version, vote on it at /kb."""
import pytest

from app.extensions import db
from tests.conftest import sign_in
from tests.factories import PASSWORD, make_user
from tests.knowledge_factories import make_article


@pytest.mark.browser
def test_an_agent_finds_edits_and_publishes_and_a_reader_votes(page, live_server, browser):
    with live_server.app.app_context():
        agent = make_user(email="maya@example.com", name="Maya Agent")
        slug = make_article(agent, title="Refund an invoice", channels=("internal", "public"),
                            fields={"question": "Refund?", "answer": "Open Billing."}).slug
        make_article(agent, title="Printer jams")
        db.session.commit()
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "maya@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")

    page.goto(live_server.url + "/knowledge/")
    page.fill("#q", "refun")
    page.wait_for_selector("#kb-results .kb-hit mark")
    assert page.url.endswith("q=refun") or "q=refun" in page.url
    assert page.locator("#kb-results .kb-hit").count() == 1
    page.click("#kb-results .kb-hit a.subject")
    page.wait_for_url(f"**/knowledge/articles/{slug}*")

    page.click("text=Edit")
    page.fill("#title", "Refund an invoice (new billing)")
    page.fill("#change_note", "New billing screens")
    page.click("button:has-text('Save draft')")
    page.wait_for_selector("text=Draft saved.")
    page.click("button:has-text('Publish version 2')")
    page.wait_for_selector("h1:has-text('Refund an invoice (new billing)')")

    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/kb/{slug}")
    assert reader.locator("h1").inner_text() == "Refund an invoice (new billing)"
    reader.click("button:has-text('Yes')")
    reader.wait_for_selector("text=Thank you for your feedback.")
    reader.context.close()


@pytest.mark.browser
def test_suggestions_appear_as_the_subject_is_typed_and_an_attached_article_joins_the_feed(
        page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="maya@example.com", name="Maya Agent")
        make_article(agent, title="Printer shows error E-104")
        db.session.commit()
    sign_in(page, live_server, "maya@example.com")
    page.goto(live_server.url + "/cases/new")
    page.type("#subject", "printer error", delay=20)
    page.wait_for_selector("#case-kb-suggestions a.subject:has-text('Printer shows error E-104')")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#case-knowledge")  # the lazy Knowledge list has arrived
    page.click("#case-knowledge .kb-suggestions button:has-text('Attach')")
    page.wait_for_selector("#case-knowledge li.kb-attached:has-text('Printer shows error E-104')")
    page.reload()
    assert page.locator("#feed-list").get_by_text("Printer shows error E-104").count() >= 1
