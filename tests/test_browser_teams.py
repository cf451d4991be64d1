"""In a browser: add a predefined team to a case and watch the Case Team list update in place."""
import pytest

from app.extensions import db
from tests.factories import PASSWORD, make_case, make_predefined_team, make_role, make_user


@pytest.mark.browser
def test_adding_a_predefined_team_updates_the_case_team_list_without_a_reload(page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        lead, observer = make_role("Technical Lead", "edit", True), make_role("Observer")
        make_predefined_team([(make_user(name="Dana Lee", password=None), lead),
                              (make_user(name="Sam Smith", password=None), observer)],
                             name="Tier 2 Escalations")
        number = make_case(actor=agent, subject="Printer shows E-104").number
        db.session.commit()
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "alex@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")

    page.goto(f"{live_server.url}/cases/{number}")
    team = page.locator("#case-team")
    assert "Nobody is on the case team yet" in team.inner_text()
    page.evaluate("window.stillTheSamePage = true")

    team.get_by_role("link", name="Update members").click()
    page.wait_for_selector("#team-predefined")
    page.select_option("#team-predefined", label="Tier 2 Escalations")
    team.get_by_role("button", name="Add team").click()

    page.wait_for_selector("#case-team li.team-member:has-text('Sam Smith')")
    rows = page.locator("#case-team li.team-member")
    assert rows.count() == 2
    assert "Dana Lee" in rows.nth(0).inner_text() and "Tier 2 Escalations" in rows.nth(0).inner_text()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url.endswith(f"/cases/{number}")
    assert "Added Tier 2 Escalations" in team.inner_text()
    # The feed hears "case-changed" and shows the change item, still without a reload.
    page.wait_for_selector("#feed >> text=Added the predefined team Tier 2 Escalations")
    assert page.evaluate("window.stillTheSamePage") is True
