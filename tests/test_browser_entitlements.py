"""In a browser: the what-if page recalculates as the admin changes the priority, and a
contract is renewed through its confirmation page."""
import pytest

from app.extensions import db
from tests.conftest import sign_in
from tests.entitlement_factories import make_contract, make_entitlement, make_process
from tests.factories import PASSWORD, make_account, make_user


@pytest.mark.browser
def test_what_if_recalculates_and_a_contract_renews(page, live_server):
    with live_server.app.app_context():
        make_user(role="admin", email="ada@example.com", name="Ada Admin", time_zone="UTC")
        make_process(name="Premium 24x7", minutes=60)
        contract_id = make_contract(number="SC-300").id
        db.session.commit()
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")

    page.goto(live_server.url + "/entitlements/what-if")
    page.fill("#changes", "")
    page.fill("#opened", "2026-03-02T10:00")
    page.select_option("#priority", "High")
    page.wait_for_selector("#what-if-results :text('02 Mar 2026, 11:00')")
    page.select_option("#priority", "Low")  # the factory's targets do not depend on priority
    page.fill("#changes", "+10m Waiting on Customer\n+40m Working")
    page.wait_for_selector("#what-if-results :text('02 Mar 2026, 11:30')")
    assert "what-if" in page.url and "priority=Low" in page.url

    page.goto(f"{live_server.url}/entitlements/contracts/{contract_id}")
    page.click("text=Renew")
    page.click("button:has-text('Renew contract')")
    page.wait_for_selector("h1:has-text('Support agreement')")
    assert page.is_visible("text=SC-300-R1")


@pytest.mark.browser
def test_a_case_opened_under_an_entitlement_counts_down_and_pauses_with_its_reason(
        page, live_server):
    with live_server.app.app_context():
        make_user(email="maya@example.com", name="Maya Agent", time_zone="UTC")
        account = make_account(name="Helios Shipping")
        make_entitlement(account, name="Premium phone support",
                         process=make_process(kinds=("first_response",), minutes=60))
        db.session.commit()
        account_id = account.id
    sign_in(page, live_server, "maya@example.com")
    page.goto(f"{live_server.url}/cases/new?account_id={account_id}")
    assert page.is_checked("#eligibility-slot input[name=entitlement_id]:not([value=''])")
    page.fill("#subject", "Cranes lose their radio link")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#related-milestones .ms-item")
    milestone = page.locator("#related-milestones .ms-item").first
    assert "First response" in milestone.inner_text()
    assert "in progress" in milestone.inner_text().lower()

    page.goto(page.url.split("#")[0] + "/edit")
    page.select_option("#status", "Waiting on Customer")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#related-milestones .ms-item")
    item = page.locator("#related-milestones .ms-item").first
    assert "paused" in item.inner_text().lower()
    item.get_by_text("Why then?").click()  # the reason, with the change that paused it
    assert "set the status to “Waiting on Customer”" in item.inner_text()
