"""In a real browser: keyboard shortcuts, the sign-in refusal and your settings."""
import os
import re

import pytest

from app.extensions import db
from tests.factories import PASSWORD, make_account, make_case, make_contact, make_user

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CASEBOOK_SCREENSHOTS")  # a folder to keep screenshots in, to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def sign_in(page, url, email, password=PASSWORD):
    page.goto(url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_keyboard_shortcuts_show_their_list_move_through_lists_and_open_a_case(page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="kim@example.com", name="Kim Keys")
        account = make_account(name="Harbour Dental Group")
        contact = make_contact(account=account, name="Priya Natarajan")
        for n in range(3):
            make_case(actor=agent, subject=f"Keyboard case {n}", account=account, contact=contact)
        db.session.commit()
    sign_in(page, live_server.url, "kim@example.com")
    page.wait_for_url("**/cases/")

    page.focus("a:has-text('New case')")
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts-dialog")
    dialog.wait_for(state="visible")
    assert "Go to accounts" in dialog.inner_text()
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    shot(page, "shortcuts-dialog")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.textContent.trim()") == "New case"

    page.keyboard.press("g")
    page.keyboard.press("a")
    page.wait_for_url("**/accounts/")
    page.wait_for_selector("text=Harbour Dental Group")

    page.keyboard.press("g")
    page.keyboard.press("c")
    page.wait_for_url("**/cases/")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    first = page.locator("[data-keyboard-list] tbody tr").first
    assert first.get_attribute("aria-selected") == "true"
    subject = first.locator("td.subject a").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"h1:has-text('{subject}')")
    assert re.search(r"/cases/\d+$", page.url)

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.matches('#pub-post textarea')")
    page.keyboard.type("j and k stay in the box")
    assert page.input_value("#pub-post textarea") == "j and k stay in the box"
    page.locator("h1").click()
    page.keyboard.press("e")
    page.wait_for_url("**/edit")


def test_shortcuts_do_nothing_while_typing_or_with_a_modifier(page, live_server):
    with live_server.app.app_context():
        make_user(email="kim@example.com", name="Kim Keys")
        db.session.commit()
    sign_in(page, live_server.url, "kim@example.com")
    page.wait_for_url("**/cases/")
    page.goto(live_server.url + "/accounts/")
    page.focus("input[name=q]")
    page.keyboard.type("?gn")
    assert page.input_value("input[name=q]") == "?gn"
    assert not page.locator("dialog#shortcuts-dialog[open]").count()
    page.locator("h1").click()
    for chord in ("Alt+n", "Control+j", "Meta+g"):
        page.keyboard.press(chord)
    page.keyboard.press("a")
    page.wait_for_timeout(300)
    assert "/accounts/" in page.url and "/cases/new" not in page.url


def test_a_refused_sign_in_shows_the_form_with_the_wait(browser, live_server):
    with live_server.app.app_context():
        make_user(email="ann@example.com", name="Ann Other")
        db.session.commit()
    context = browser.new_context()  # the 401s and the 429 are the point here, not page errors
    page = context.new_page()
    for _ in range(5):
        sign_in(page, live_server.url, "ann@example.com", "wrong-password")
    sign_in(page, live_server.url, "ann@example.com")
    alert = page.locator("[role=alert]")
    assert re.fullmatch(r"Too many attempts for this account\. Try again in \d+ seconds\.",
                        alert.inner_text().strip())
    assert page.locator("input[name=password]").is_visible()
    shot(page, "sign-in-refused")
    context.close()


def test_compact_density_fits_twenty_rows_on_a_laptop_screen(page, live_server):
    with live_server.app.app_context():
        agent = make_user(email="kim@example.com", name="Kim Keys")
        account = make_account(name="Harbour Dental Group")
        for n in range(25):
            make_case(actor=agent, account=account,
                      subject=f"Case {n}: the receipt printer on the third floor prints blank "
                              "pages after every second job, even after a restart")
        db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, "kim@example.com")
    page.wait_for_url("**/cases/")
    page.goto(live_server.url + "/account/settings")
    page.select_option("select[name=time_zone]", "Europe/Athens")
    page.check("input[name=list_density][value=compact]")
    page.click("#preferences-form button[type=submit]")
    page.wait_for_selector("text=Your preferences are saved.")
    shot(page, "settings")
    page.goto(live_server.url + "/cases/")
    rows = page.locator("[data-keyboard-list] tbody tr")
    visible = sum(1 for box in (rows.nth(i).bounding_box() for i in range(rows.count()))
                  if box and box["y"] + box["height"] <= 900)
    shot(page, "cases-compact")
    assert visible >= 20, visible
    cell = page.locator("td.subject a").first
    assert cell.evaluate("a => a.scrollWidth > a.clientWidth"), "long subjects are cut short"
    assert cell.get_attribute("title").startswith("Case ")
    assert page.locator("td.when time").first.get_attribute("title") == "Europe/Athens"
