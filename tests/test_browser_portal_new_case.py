"""In a browser: portal articles appear as a customer types a new case's subject; one of them
answers the question, and no case is opened."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from app.models.feedback import ArticleDeflection
from tests.factories import PASSWORD, make_user
from tests.knowledge_factories import make_article
from tests.portal_factories import make_customer


@pytest.mark.browser
def test_a_customer_typing_a_subject_sees_portal_answers_and_one_ends_the_case(
        page, live_server):
    with live_server.app.app_context():
        admin = make_user("admin", email="ada@example.com")
        make_article(admin, title="Badge reader blinks red after a power cut",
                     channels=("internal", "portal"))
        make_article(admin, title="Badge reader firmware rollback for engineers")
        make_customer(email="jamie@customer.test")
        db.session.commit()
    page.route("**/favicon.svg", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/portal/login")
    page.fill("input[name=email]", "jamie@customer.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/portal/")

    page.click("nav.p-nav a:has-text('New case')")
    page.wait_for_url("**/portal/cases/new")
    page.type("#subject", "badge reader", delay=20)
    page.wait_for_selector("#case-suggestions a:has-text('blinks red after a power cut')")
    assert "firmware rollback" not in page.inner_text("#case-suggestions")
    page.fill("#description", "Typed before the answer was found")
    page.click("#case-suggestions button:has-text('This answered my question')")
    page.wait_for_selector("text=Glad that answered your question")
    with live_server.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ArticleDeflection)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
