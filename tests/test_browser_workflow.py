"""In a browser: create a rule in the admin UI, raise a case's priority, see the email arrive."""
import time

import pytest

from app.extensions import db
from tests.factories import PASSWORD, make_case, make_email_template, make_user
from tests.smtp import SMTPServer, free_port


@pytest.mark.browser
def test_a_rule_made_in_the_admin_ui_emails_when_the_priority_is_raised(page, live_server):
    server = SMTPServer(free_port())
    server.start()
    live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                                  MAIL_SENDER_THREAD=True, BASE_URL=live_server.url)
    with live_server.app.app_context():
        make_user(role="admin", email="ada@example.com", name="Ada Admin")
        make_email_template(name="Priority raised",
                            subject="[Case {{ case.number }}] now {{ case.priority }}")
        number = make_case(actor=make_user(), priority="Medium").number
        db.session.commit()
    try:
        page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", "ada@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/cases/")

        page.goto(live_server.url + "/admin/workflow/rules/new")
        page.fill("#name", "Raised to High")
        page.select_option("#criteria-0-field", "priority")
        page.wait_for_selector("#criteria-0-field >> xpath=../datalist[@id='values-0']",
                               state="attached")
        page.select_option("#criteria-0-operator", "changed_to")
        page.fill("#criteria-0-value", "High")
        page.select_option("#template", label="Priority raised")
        page.check("input[name=recipient_kinds][value=admins]")
        # Ada raises the priority herself below: the rule must say she hears of her own change.
        page.check("input[name=notify_actor]")
        page.click("#rule-form button.primary")
        page.wait_for_url("**/admin/workflow/rules")
        assert page.is_visible("text=Raised to High")

        page.goto(f"{live_server.url}/cases/{number}")
        page.click("#edit-priority")
        page.select_option("#inline-priority", "High")
        page.click("#case-header form[data-inline-edit] button[type=submit]")
        page.wait_for_selector("#edit-priority:has-text('High')")

        deadline = time.monotonic() + 15
        while not server.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    (received,) = server.messages
    assert received.rcpt_tos == ["ada@example.com"]
    assert received["Subject"] == f"[Case {number:08d}] now High"
    assert f"{live_server.url}/cases/{number}" in received.text
