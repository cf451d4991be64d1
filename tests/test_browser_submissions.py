"""In a browser: a double-clicked "Create case" opens one case."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from tests.factories import PASSWORD, make_user


@pytest.mark.browser
def test_double_clicking_create_case_opens_one_case(page, live_server):
    with live_server.app.app_context():
        make_user(email="alex@example.com", name="Alex Agent")
        db.session.commit()
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "alex@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")

    page.goto(live_server.url + "/cases/new")
    page.fill("input[name=subject]", "Printer shows E-104")
    page.get_by_role("button", name="Create case").dblclick()
    page.wait_for_url("**/cases/1*")
    page.wait_for_load_state("networkidle")
    assert "is open" in page.locator("#flash-messages").inner_text()
    with live_server.app.app_context():
        subjects = db.session.scalars(sa.select(Case.subject)).all()
        db.session.remove()
    assert subjects == ["Printer shows E-104"]
