"""In a browser, under the portal's strict CSP: a customer finds an article as they type,
reads it and votes, and reads their contracts."""
import pytest

from app.extensions import db
from tests.entitlement_factories import make_entitlement
from tests.factories import PASSWORD, make_user
from tests.knowledge_factories import make_article
from tests.portal_factories import make_customer


@pytest.mark.browser
def test_a_customer_searches_as_they_type_reads_votes_and_sees_their_entitlements(
        page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="maya@example.com", name="Maya Agent")
        make_article(agent, title="Refund an invoice", channels=("portal",),
                     fields={"question": "Refund?", "answer": "Open Billing, then Refund."})
        make_article(agent, title="Zebra internal runbook", channels=("internal",),
                     fields={"question": "Refund internally", "answer": "Refund quietly."})
        customer = make_customer(email="dana@customer.test")
        make_entitlement(account=customer.contact.account, name="Premier phone support",
                         allowance=5)
        db.session.commit()
    page.goto(live_server.url + "/portal/login")
    page.fill("input[name=email]", "dana@customer.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")

    page.click("nav.p-nav >> text=Knowledge")
    page.fill("#kb-q", "refun")
    page.wait_for_selector("#kb-results .kb-hit mark")
    assert "q=refun" in page.url
    assert page.locator("#kb-results .kb-hit").count() == 1
    assert "Zebra" not in page.content()
    page.click("#kb-results .kb-hit-title")
    page.wait_for_selector("h1:has-text('Refund an invoice')")
    page.click(".kb-feedback button[value=yes]")
    page.wait_for_selector("text=You found this article helpful")

    page.click("nav.p-nav >> text=Contracts")
    page.wait_for_selector("article.term:has-text('5 of 5 cases remaining')")
