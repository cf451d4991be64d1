"""New case in the portal: the customer's own case under their entitlement, portal articles
suggested as the subject is typed, and "This answered my question" counted as deflected."""
import io
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Case, OutboxMessage
from app.models.common import utcnow
from app.models.entitlements import CaseMilestone
from app.models.feedback import ArticleDeflection
from app.models.knowledge import Article
from app.services.cases import close_case
from tests.conftest import HX, csrf_from, soup
from tests.entitlement_factories import make_entitlement, make_process
from tests.factories import (
    make_asset, make_case, make_contact, make_email_template, make_product, make_workflow_rule,
)
from tests.knowledge_factories import make_article
from tests.portal_factories import make_customer, portal_client

NEW = "/portal/cases/new"


def cases():
    return db.session.scalars(sa.select(Case).order_by(Case.id)).all()


def open_form(client, **fields):
    """Post the New case form as a browser would, with the key of the form it was shown."""
    page = soup(client.get(NEW))
    key = page.find("input", {"name": "request_key"})["value"]
    data = {"request_key": key, "subject": "Badge reader rejects every card",
            "description": "Since this morning the lobby reader blinks red."} | fields
    return client.post(NEW, data=data, content_type="multipart/form-data")


def test_a_customer_opens_a_case_with_their_contact_account_product_and_files(
        app, admin, login):
    customer = make_customer()
    account = customer.contact.account
    reader = make_asset(account, make_product(name="Lobby badge reader"), serial="BR-7")
    client = portal_client(login, customer)
    page = soup(client.get(NEW))
    options = [o.get_text(strip=True) for o in page.select('select[name="asset"] option')]
    assert options == ["Not about a particular product", "Lobby badge reader (BR-7)"]
    response = open_form(client, asset=str(reader.id),
                         files=[(io.BytesIO(b"photo bytes"), "reader.jpg")])
    (case,) = cases()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/portal/cases/{case.number}"
    assert (case.origin, case.contact_id, case.account_id, case.asset_id) == (
        "Portal", customer.contact_id, account.id, reader.id)
    assert case.owner_id == admin.id and case.created_by_id == customer.id
    (attachment,) = db.session.scalars(sa.select(Attachment)).all()
    assert attachment.original_name == "reader.jpg" and attachment.feed_item.is_public
    shown = client.get(response.headers["Location"])
    assert "Badge reader rejects every card" in shown.get_data(as_text=True)
    assert "reader.jpg" in shown.get_data(as_text=True)


def test_opening_a_case_runs_the_workflow_and_queues_the_owner_alert(app, admin, login):
    make_workflow_rule([("origin", "equals", "Portal")], kinds=("owner",),
                       template=make_email_template(subject="New portal case {{ case.number }}"),
                       evaluate_on="created")
    client = portal_client(login, make_customer())
    assert open_form(client).status_code == 303
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.to_addrs == [admin.email] and message.case_id == cases()[0].id


def test_a_product_of_another_account_is_refused_and_nothing_typed_is_lost(app, admin, login):
    customer = make_customer()
    theirs = make_asset(make_contact().account, make_product(name="Someone else's kiosk"))
    client = portal_client(login, customer)
    response = open_form(client, asset=str(theirs.id), description="Keep this text")
    assert response.status_code == 422
    html = soup(response)
    assert "Choose one of your products" in html.select_one(".has-error").get_text()
    assert "Someone else" not in response.get_data(as_text=True)
    assert html.find("textarea", {"name": "description"}).get_text().strip() == "Keep this text"
    assert html.find("input", {"name": "subject"})["value"] == "Badge reader rejects every card"
    assert cases() == []


def test_subject_is_required_and_lengths_are_checked(app, admin, login):
    client = portal_client(login, make_customer())
    empty = open_form(client, subject="  ", description="Only a description")
    assert empty.status_code == 422
    assert "what the problem is" in soup(empty).select_one(".has-error .error").get_text()
    assert soup(empty).find("textarea", {"name": "description"}).get_text().strip() == (
        "Only a description")
    long = open_form(client, subject="x" * 300)
    assert long.status_code == 422 and "under 255" in long.get_data(as_text=True)
    assert cases() == []


def test_the_entitlement_and_its_milestones_are_applied(app, admin, login):
    customer = make_customer()
    account = customer.contact.account
    plan = make_entitlement(account, process=make_process(), kind="web", name="Web desk")
    client = portal_client(login, customer)
    assert soup(client.get(NEW)).find("select", {"name": "entitlement"}) is None  # one plan
    open_form(client)
    (case,) = cases()
    assert case.entitlement_id == plan.id and case.no_entitlement_reason == ""
    kinds = {row.milestone.kind for row in db.session.scalars(
        sa.select(CaseMilestone).where(CaseMilestone.case_id == case.id))}
    assert kinds == {"first_response", "resolution"}


def test_with_several_plans_the_customer_chooses_one_of_theirs(app, admin, login):
    customer = make_customer()
    account = customer.contact.account
    make_entitlement(account, kind="phone", name="Phone line")
    gold = make_entitlement(account, kind="email", name="Gold support")
    foreign = make_entitlement(make_contact().account, kind="web", name="Not yours")
    client = portal_client(login, customer)
    page = soup(client.get(NEW))
    labels = [o.get_text(strip=True) for o in page.select('select[name="entitlement"] option')]
    assert labels == ["Choose a support plan", "Phone line", "Gold support"]
    unchosen = open_form(client, entitlement="")
    assert unchosen.status_code == 422 and "Choose the support plan" in unchosen.get_data(
        as_text=True)
    assert open_form(client, entitlement=str(foreign.id)).status_code == 422
    assert cases() == []
    assert open_form(client, entitlement=str(gold.id)).status_code == 303
    assert cases()[0].entitlement_id == gold.id


def test_without_an_active_entitlement_the_case_opens_and_is_listed_as_having_none(
        app, admin, agent, login):
    customer = make_customer()
    make_entitlement(customer.contact.account, start=utcnow().date() - timedelta(days=400),
                     end=utcnow().date() - timedelta(days=40))
    open_form(portal_client(login, customer))
    (case,) = cases()
    assert case.entitlement_id is None and "no active entitlement" in case.no_entitlement_reason
    listed = soup(login(agent).get("/entitlements/without"))
    assert case.padded_number in listed.select_one("table").get_text()


def test_a_double_submit_opens_one_case(app, admin, login):
    client = portal_client(login, make_customer())
    page = soup(client.get(NEW))
    data = {"request_key": page.find("input", {"name": "request_key"})["value"],
            "subject": "Twice clicked"}
    first = client.post(NEW, data=data)
    second = client.post(NEW, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(cases()) == 1


def portal_articles(author):
    make_article(author, title="Badge reader blinks red after a power cut",
                 channels=("internal", "portal"))
    make_article(author, title="Badge reader firmware rollback for engineers",
                 channels=("internal",))
    make_article(author, title="Badge reader draft", channels=("portal",), publish=False)
    db.session.commit()


def test_typing_a_subject_suggests_portal_articles_only(app, admin, login):
    portal_articles(admin)
    client = portal_client(login, make_customer())
    fragment = client.get(f"{NEW}/suggestions?subject=badge+reader", headers=HX)
    assert fragment.status_code == 200 and soup(fragment).find("html") is None
    body = fragment.get_data()
    assert b"blinks red after a power cut" in body
    assert b"firmware rollback" not in body and b"Badge reader draft" not in body
    link = soup(fragment).select_one("a.suggestion-title")["href"]
    assert link.startswith("/kb/") or link.startswith("/portal/")
    assert client.get(link).status_code == 200
    page = soup(client.get(NEW))
    subject = page.find("input", {"name": "subject"})
    assert subject["hx-trigger"] == "input changed delay:400ms"
    assert subject["hx-get"] == f"{NEW}/suggestions" and subject["hx-target"] == (
        "#case-suggestions")
    assert page.select_one("#case-suggestions") is not None
    cold = client.get(f"{NEW}/suggestions?subject=badge+reader")
    assert soup(cold).find("html") and b"blinks red" in cold.get_data()
    assert b"firmware rollback" not in cold.get_data()


def test_without_javascript_find_answers_shows_suggestions_and_keeps_what_was_typed(
        app, admin, login):
    portal_articles(admin)
    client = portal_client(login, make_customer())
    response = open_form(client, subject="badge reader red", description="Typed text",
                         find="Find answers")
    assert response.status_code == 200
    html = soup(response)
    assert html.find("input", {"name": "subject"})["value"] == "badge reader red"
    assert html.find("textarea", {"name": "description"}).get_text().strip() == "Typed text"
    assert "blinks red" in html.select_one("#case-suggestions").get_text()
    assert b"firmware rollback" not in response.get_data()
    assert cases() == []


def test_this_answered_my_question_counts_a_deflection_and_opens_no_case(
        app, admin, login):
    portal_articles(admin)
    customer = make_customer()
    client = portal_client(login, customer)
    fragment = soup(client.get(f"{NEW}/suggestions?subject=badge+reader", headers=HX))
    form = fragment.select_one("li.suggestion form")
    data = {i["name"]: i["value"] for i in form.find_all("input")}
    done = client.post(form["action"], data=data)
    assert done.status_code == 303 and done.headers["Location"] == "/portal/"
    assert client.post(form["action"], data=data).status_code == 303  # a double click
    (deflection,) = db.session.scalars(sa.select(ArticleDeflection)).all()
    assert deflection.contact_id == customer.contact_id
    assert cases() == []
    slug = db.session.get(Article, deflection.article_id).slug
    staff = soup(login(admin).get(f"/knowledge/articles/{slug}"))
    assert staff.select_one("#deflection-count").get_text(strip=True) == "1 case"


def test_an_internal_article_cannot_be_counted_as_deflecting(app, admin, login):
    portal_articles(admin)
    internal = db.session.scalar(sa.select(Article).where(Article.channel_portal.is_(False)))
    client = portal_client(login, make_customer())
    response = client.post(f"{NEW}/answered", data={"article_id": str(internal.id),
                                                    "request_key": "k-internal"})
    assert response.status_code == 422
    assert b"firmware rollback" not in response.get_data()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ArticleDeflection)) == 0


def test_the_form_works_with_csrf_on(app, admin, login):
    client = portal_client(login, make_customer())
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(NEW)
    key = soup(page).find("input", {"name": "request_key"})["value"]
    assert client.post(NEW, data={"subject": "No token", "request_key": key}).status_code == 400
    token = csrf_from(page)
    assert client.post(NEW, data={"subject": "With token", "request_key": key,
                                  "csrf_token": token}).status_code == 303
    assert [c.subject for c in cases()] == ["With token"]


def test_an_oversized_upload_keeps_what_was_typed(app, admin, login):
    client = portal_client(login, make_customer())
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(NEW)
    token = csrf_from(page)
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    app.config["UPLOAD_MAX_MB"] = 0.1
    response = client.post(NEW, data={
        "csrf_token": token, "subject": "Huge log", "description": "See the attached log",
        "request_key": "k-big", "files": (io.BytesIO(b"x" * 300_000), "huge.log")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    html = soup(response)
    assert html.find("input", {"name": "subject"})["value"] == "Huge log"
    assert html.find("textarea", {"name": "description"}).get_text().strip() == (
        "See the attached log")
    assert "too large" in html.select_one(".has-error").get_text()
    assert cases() == []


def test_staff_and_strangers_cannot_use_the_new_case_page(app, login, agent, client):
    assert login(agent).get(NEW).status_code == 302
    assert client.get(NEW).status_code in (302, 303)
    assert client.post(f"{NEW}/answered", data={"article_id": "1"}).status_code in (
        302, 303, 401)


def test_two_customers_of_two_accounts_never_see_each_others_products_plans_or_cases(
        app, admin, agent, login):
    people = {}
    for name in ("Alpha", "Bravo"):
        account = make_contact(name=f"{name} Admin").account
        customer = make_customer(make_contact(account, name=f"{name} Person",
                                              email=f"{name.lower()}@customer.test"))
        make_asset(account, make_product(name=f"{name} kiosk"))
        make_entitlement(account, kind="phone", name=f"{name} phone plan")
        make_entitlement(account, kind="email", name=f"{name} email plan")
        case = make_case(actor=agent, subject=f"{name} secret subject",
                         contact=customer.contact)
        close_case(case, actor=agent)
        people[name] = (customer, case)
    db.session.commit()
    for me, other in (("Alpha", "Bravo"), ("Bravo", "Alpha")):
        customer, _ = people[me]
        _, their_case = people[other]
        client = portal_client(login, customer)
        responses = [
            client.get(NEW), client.get(f"{NEW}/suggestions?subject=kiosk", headers=HX),
            client.get(f"{NEW}/suggestions?subject=kiosk"),
            open_form(client, subject="kiosk", find="Find answers"),
            open_form(client, subject=""),
            client.post(f"/portal/cases/{their_case.number}/satisfaction",
                        data={"rating": "1"}),
        ]
        assert responses[-1].status_code == 404
        for response in responses:
            body = response.get_data()
            for marker in (f"{other} kiosk", f"{other} phone plan", f"{other} email plan",
                           f"{other} secret subject", f"{other} Person",
                           f"{other.lower()}@customer.test"):
                assert marker.encode() not in body, (me, marker, response.request.path)
        assert f"{me} kiosk".encode() in responses[0].get_data()
