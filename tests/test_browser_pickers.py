"""In a real browser: the type-ahead pickers behave as comboboxes. Arrows move through the
results, Enter picks, Escape closes the list and keeps the choice, a click elsewhere closes it,
and a choice does not reopen the list over the fields beside it."""
import os

import pytest

from app.extensions import db
from tests.conftest import sign_in
from tests.factories import make_case, make_role, make_user

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("CASEBOOK_SCREENSHOTS")  # a folder, to look at the pages


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def active_option(page, search):
    return page.evaluate("id => document.getElementById(id).getAttribute('aria-activedescendant')",
                         search)


def open_team_editor(page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        make_role("Technical Lead", "edit")
        dana = make_user(name="Dana Lee", password=None)
        daniel = make_user(name="Daniel Ortiz", password=None)
        number = make_case(actor=agent, subject="Printer shows E-104").number
        db.session.commit()
        ids = {"dana": dana.id, "daniel": daniel.id}
    sign_in(page, live_server, "alex@example.com")
    page.goto(f"{live_server.url}/cases/{number}")
    page.locator("#case-team").get_by_role("link", name="Update members").click()
    page.wait_for_selector("#team-person-search")
    return number, ids


def test_case_team_picker_arrows_move_enter_picks_and_the_list_stays_shut(page, live_server):
    number, ids = open_team_editor(page, live_server)
    search = page.locator("#team-person-search")
    listbox = page.locator("#team-person-results")
    search.fill("Dan")
    page.wait_for_selector("#team-person-results [role=option]:has-text('Daniel Ortiz')")
    assert search.get_attribute("aria-expanded") == "true"
    assert search.get_attribute("aria-controls") == "team-person-results"
    options = listbox.locator("[role=option]")
    assert options.count() == 2

    search.press("ArrowDown")
    assert active_option(page, "team-person-search") == options.nth(0).get_attribute("id")
    search.press("ArrowDown")
    assert active_option(page, "team-person-search") == options.nth(1).get_attribute("id")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    search.press("ArrowUp")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    search.press("Enter")  # picks Dana Lee; the form is not submitted

    assert search.input_value() == "Dana Lee"
    assert page.locator("#team-person input[name=person]").input_value() == f"user:{ids['dana']}"
    page.wait_for_timeout(700)  # long enough for a search the choice might have set off
    assert listbox.is_hidden() and search.get_attribute("aria-expanded") == "false"
    assert page.locator("#team-person-role").is_visible()

    search.press("Escape")  # closes (already closed) and keeps the choice
    assert search.input_value() == "Dana Lee"
    assert page.locator("#team-person input[name=person]").input_value() == f"user:{ids['dana']}"
    page.select_option("#team-person-role", label="Technical Lead")
    page.locator("#case-team").get_by_role("button", name="Add", exact=True).click()
    page.wait_for_selector("#case-team li.team-member:has-text('Dana Lee')")
    assert "Choose a user or contact" not in page.locator("#case-team").inner_text()


def test_escape_with_the_list_open_keeps_the_choice_and_a_click_outside_closes_it(page, live_server):
    number, ids = open_team_editor(page, live_server)
    search = page.locator("#team-person-search")
    listbox = page.locator("#team-person-results")
    search.fill("Daniel")
    page.wait_for_selector("#team-person-results [role=option]:has-text('Daniel Ortiz')")
    listbox.locator("[role=option]", has_text="Daniel Ortiz").click()
    assert search.input_value() == "Daniel Ortiz"
    page.wait_for_timeout(700)
    assert listbox.is_hidden()

    search.press("ArrowDown")  # opens the list again on request
    page.wait_for_selector("#team-person-results [role=option]", state="visible")
    search.press("Escape")
    assert listbox.is_hidden()
    assert search.input_value() == "Daniel Ortiz"
    assert page.locator("#team-person input[name=person]").input_value() == f"user:{ids['daniel']}"

    search.fill("Dana")
    page.wait_for_selector("#team-person-results [role=option]:has-text('Dana Lee')", state="visible")
    page.locator("#case-team-title").click()
    assert listbox.is_hidden() and search.get_attribute("aria-expanded") == "false"
    # Text edited after a pick is a new search: the old choice no longer stands.
    assert page.locator("#team-person input[name=person]").input_value() == ""


def test_predefined_team_rows_pick_with_the_keyboard(page, live_server):
    with live_server.app.app_context():
        make_user(role="admin", email="ada@example.com", name="Ada Admin")
        make_role("Observer")
        make_user(name="Sam Smith", password=None)
        db.session.commit()
    sign_in(page, live_server, "ada@example.com")
    page.goto(f"{live_server.url}/teams/new")
    search = page.locator("#members-0-person-box-search")
    search.fill("Sam")
    page.wait_for_selector("#members-0-person-box-results [role=option]:has-text('Sam Smith')")
    search.press("ArrowDown")
    search.press("Enter")
    assert search.input_value() == "Sam Smith"
    assert page.url.endswith("/teams/new")  # Enter picked; it did not submit the form
    page.wait_for_timeout(700)
    assert page.locator("#members-0-person-box-results").is_hidden()


def test_new_case_account_picker_picks_with_the_keyboard(page, live_server):
    from tests.factories import make_account

    with live_server.app.app_context():
        make_user(email="alex@example.com", name="Alex Agent")
        make_account(name="Globex")
        make_account(name="Globe Trotters")
        db.session.commit()
    sign_in(page, live_server, "alex@example.com")
    page.goto(f"{live_server.url}/cases/new")
    search = page.locator("#case-account-search")
    search.fill("Glob")
    page.wait_for_selector("#case-account-results [role=option]:has-text('Globex')")
    search.press("ArrowDown")
    search.press("ArrowDown")
    search.press("Enter")
    assert search.input_value() == "Globex"
    assert page.url.endswith("/cases/new")
    page.wait_for_timeout(700)
    assert page.locator("#case-account-results").is_hidden()


def test_new_case_contacts_narrow_to_the_account_and_a_wider_pick_says_it_changed_it(page, live_server):
    from tests.factories import make_account, make_contact

    with live_server.app.app_context():
        make_user(email="alex@example.com", name="Alex Agent")
        acme, globex = make_account(name="Acme Corp"), make_account(name="Globex")
        make_contact(acme, name="Jane Acme")
        make_contact(acme, name="Jim Acme")
        make_contact(globex, name="Jane Globex")
        db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "alex@example.com")
    page.goto(f"{live_server.url}/cases/new")
    page.fill("#subject", "Invoice missing tax codes")
    account = page.locator("#case-account-search")
    account.fill("Acme")
    page.wait_for_selector("#case-account-results [role=option]:has-text('Acme Corp')")
    account.press("ArrowDown")
    account.press("Enter")
    widen = page.get_by_role("button", name="Search all contacts")
    assert widen.is_visible()

    contact = page.locator("#case-contact-search")
    contact.fill("Jane")
    # The search for "Jane" within Acme Corp: Jane Acme alone (not Jim, not Jane Globex).
    page.wait_for_function("() => Array.from(document.querySelectorAll("
                           "'#case-contact-results [role=option]')).map(o => o.dataset.label)"
                           ".join() === 'Jane Acme'")
    shot(page, "new-case-contacts-narrowed")

    widen.click()
    assert widen.get_attribute("aria-pressed") == "true"
    page.wait_for_selector("#case-contact-results [role=option]:has-text('Jane Globex')")
    shot(page, "new-case-contacts-widened")
    page.locator("#case-contact-results [role=option]", has_text="Jane Globex").click()
    assert account.input_value() == "Globex"
    notice = page.locator("#case-contact-notice")
    assert notice.get_attribute("aria-live") == "polite"
    assert notice.inner_text() == "Account changed to Globex, the contact's company."
    shot(page, "new-case-account-changed")
    page.get_by_role("button", name="Create case").click()
    page.wait_for_url("**/cases/1001")
    header = page.locator("#case-header").inner_text()
    assert "Globex" in header and "Jane Globex" in header


def test_arrow_down_on_a_picker_shown_with_a_choice_opens_its_list(page, live_server):
    from tests.factories import make_account

    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        acme = make_account(name="Acme Corp")
        make_account(name="Acme Labs")
        number = make_case(actor=agent, account=acme).number
        db.session.commit()
    sign_in(page, live_server, "alex@example.com")
    page.goto(f"{live_server.url}/cases/{number}/edit")
    search = page.locator("#case-account-search")
    search.focus()
    page.wait_for_timeout(500)
    assert page.locator("#case-account-results").is_hidden()  # focus alone: the choice stands
    search.press("ArrowDown")
    page.wait_for_selector("#case-account-results [role=option]:has-text('Acme Corp')", state="visible")
    assert search.get_attribute("aria-expanded") == "true"
    search.press("Escape")
    assert search.input_value() == "Acme Corp"
