"""In a browser: the what-if page recalculates as the admin changes the priority, and a
contract is renewed through its confirmation page."""
import pytest

from app.extensions import db
from tests.entitlement_factories import make_contract, make_process
from tests.factories import PASSWORD, make_user


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
