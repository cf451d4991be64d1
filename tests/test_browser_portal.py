"""In a browser: a customer follows their case in the portal while an agent answers it."""
import pytest

from app.extensions import db
from tests.conftest import sign_in, sign_in_portal
from tests.factories import make_case, make_user
from tests.portal_factories import make_customer


@pytest.mark.browser
def test_a_customer_sees_the_public_reply_not_the_note_and_answers(page, browser, live_server):
    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        customer = make_customer(email="priya@harbour.test", name="Priya Patel")
        number = make_case(actor=agent, subject="Receipt printer prints blank pages",
                           contact=customer.contact).number
        db.session.commit()
    sign_in_portal(page, live_server, "priya@harbour.test")
    page.click("text=Receipt printer prints blank pages")
    page.wait_for_selector("h1:has-text('Receipt printer prints blank pages')")
    assert "No replies yet" in page.inner_text("#conversation")

    staff_context = browser.new_context()
    staff = staff_context.new_page()
    try:
        sign_in(staff, live_server, "alex@example.com")
        staff.goto(f"{live_server.url}/cases/{number}")
        staff.fill("#pub-post textarea", "Please send a photo of the printout.")
        staff.check("#pub-post input[value=public]")
        staff.click("#pub-post button[type=submit]")
        staff.wait_for_selector(".feed-item:has-text('Please send a photo')")
        staff.fill("#pub-post textarea", "Probably the thermal head; order one.")
        staff.check("#pub-post input[value=internal]")
        staff.click("#pub-post button[type=submit]")
        staff.wait_for_selector(".feed-item:has-text('thermal head')")

        page.reload()
        conversation = page.inner_text("#conversation")
        assert "Please send a photo of the printout." in conversation
        assert "thermal head" not in page.content()
        page.fill("textarea[name=body]", "Photo attached: the page is completely blank.")
        page.set_input_files("input[name=files]", files=[{
            "name": "printout.png", "mimeType": "image/png",
            "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32}])
        page.click("button:has-text('Send reply')")
        page.wait_for_selector(".flash-success:has-text('Your reply was sent')")
        assert "the page is completely blank" in page.inner_text("#conversation")
        assert "printout.png" in page.inner_text("#conversation")

        staff.reload()
        staff.wait_for_selector(".feed-item:has-text('the page is completely blank')")
        assert "Priya Patel" in staff.inner_text(".feed-item:has-text('completely blank')")
    finally:
        staff_context.close()


@pytest.mark.browser
def test_the_portal_pages_have_no_serious_accessibility_problems(page, live_server):
    from app.services import feed as feed_service
    from tests.test_browser_accessibility import problems_on

    with live_server.app.app_context():
        agent = make_user(email="alex@example.com", name="Alex Agent")
        customer = make_customer(email="dana@northwind.test", name="Dana Whitfield",
                                 account_admin=True)
        case = make_case(actor=agent, subject="Printer shows E-104", contact=customer.contact)
        feed_service.add_post(case, actor=agent, body="Please send a photo.", visibility="public")
        make_case(actor=agent, subject="Old question", contact=customer.contact, status="Closed")
        number = case.number
        db.session.commit()
    base = live_server.url
    problems = problems_on(page, base + "/portal/login")
    problems += problems_on(page, base + "/portal/forgot")
    sign_in_portal(page, live_server, "dana@northwind.test")
    for path in ("/portal/", "/portal/?state=closed", "/portal/?scope=all",
                 f"/portal/cases/{number}"):
        problems += problems_on(page, base + path)
    assert not problems, "\n".join(problems)
