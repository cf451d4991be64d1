"""Satisfaction: one question after a case closes, by an emailed link (no sign-in, one answer)
and on the portal case page; answers on the staff case page and the account's 360."""
import re
import time
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.extensions import db
from app.mail import delivery
from app.models import FeedItem, OutboxMessage
from app.models.common import utcnow
from app.models.feedback import SatisfactionSurvey
from app.services import case_bulk
from app.services import feed as feed_service
from app.services import satisfaction as survey_service
from app.services.cases import close_case, reopen_case
from tests.conftest import csrf_from, soup
from tests.factories import make_case, make_contact, make_workflow_rule
from tests.portal_factories import make_customer, portal_client
from tests.smtp import smtp  # noqa: F401

LINK = re.compile(r"http://\S+/portal/survey/[\w.\-]+")


def surveys(case=None):
    stmt = sa.select(SatisfactionSurvey).order_by(SatisfactionSurvey.id)
    if case is not None:
        stmt = stmt.where(SatisfactionSurvey.case_id == case.id)
    return db.session.scalars(stmt).all()


def survey_mails():
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.kind == "survey")).all()


def closed_case(agent, contact, subject="Scanner drops the network"):
    case = make_case(actor=agent, subject=subject, contact=contact)
    close_case(case, actor=agent)
    db.session.commit()
    return case


def link_path(text: str) -> str:
    return "/portal/" + LINK.search(text).group().split("/portal/", 1)[1]


def test_closing_a_case_emails_its_contact_one_question_whose_link_answers_once(
        app, agent, login, smtp):  # noqa: F811
    contact = make_contact(name="Jamie Rivera", email="jamie@customer.test")
    case = make_case(actor=agent, subject="Scanner drops the network", contact=contact)
    feed_service.add_post(case, actor=agent, body="Internal: customer is on the watch list",
                          visibility="internal")
    close_case(case, actor=agent, note="Replaced the cable")
    db.session.commit()
    assert delivery.send_due().sent == 1
    (mail,) = smtp.messages
    assert mail.rcpt_tos == ["jamie@customer.test"]
    assert "Scanner drops the network" in mail["Subject"]
    assert b"watch list" not in mail.raw and b"Replaced the cable" not in mail.raw
    path = link_path(mail.text)
    assert path in mail.html.replace("&amp;", "&")

    client = app.test_client()  # no sign-in
    page = client.get(path)
    assert page.status_code == 200
    assert soup(page).find("h1").get_text(strip=True) == "How did we do?"
    answered = client.post(path, data={"rating": "4", "comment": "Quick and friendly"})
    assert answered.status_code == 303 and answered.headers["Location"] == path
    thanks = client.get(path)
    assert thanks.status_code == 200 and "4/5" in thanks.get_data(as_text=True)
    (survey,) = surveys(case)
    assert (survey.rating, survey.comment, survey.answered_via) == (4, "Quick and friendly",
                                                                    "email")

    again = client.post(path, data={"rating": "1", "comment": "Changed my mind"})
    assert again.status_code == 409
    assert "already answered" in again.get_data(as_text=True)
    db.session.refresh(survey)
    assert (survey.rating, survey.comment) == (4, "Quick and friendly")

    staff = login(agent).get(f"/cases/{case.number}")
    assert "Customer rated 4/5: Quick and friendly" in staff.get_data(as_text=True)
    assert delivery.send_due(now=utcnow() + timedelta(hours=3)).sent == 0
    assert len(smtp.messages) == 1


def test_a_tampered_foreign_or_expired_link_gets_a_clear_page_not_an_answer(app, agent):
    case = closed_case(agent, make_contact())
    (survey,) = surveys(case)
    token = survey_service.survey_token(survey)
    client = app.test_client()
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    foreign = URLSafeTimedSerializer("another-secret", salt=survey_service.TOKEN_SALT).dumps(
        [survey.id, survey.key])
    wrong_key = survey_service._serializer().dumps([survey.id, "0" * 32])

    class Signed40DaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 40 * 86400

    expired = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=survey_service.TOKEN_SALT,
                                     signer=Signed40DaysAgo).dumps([survey.id, survey.key])
    for bad, says in ((tampered, "not valid"), (foreign, "not valid"), (wrong_key, "not valid"),
                      ("garbage", "not valid"), (expired, "expired")):
        for response in (client.get(f"/portal/survey/{bad}"),
                         client.post(f"/portal/survey/{bad}", data={"rating": "5"})):
            assert response.status_code == 404, bad
            assert says in soup(response).select_one(".link-problem").get_text()
    db.session.refresh(survey)
    assert survey.answered_at is None and survey.rating is None


def test_reopening_and_closing_again_asks_nothing_new_while_the_question_is_open(app, agent):
    contact = make_contact()
    case = closed_case(agent, contact)
    reopen_case(case, actor=agent)
    close_case(case, actor=agent)
    db.session.commit()
    assert len(surveys(case)) == 1 and len(survey_mails()) == 1
    survey_service.answer_survey(surveys(case)[0], rating=5, via="email")
    reopen_case(case, actor=agent)
    close_case(case, actor=agent)
    db.session.commit()
    assert [s.is_answered for s in surveys(case)] == [True, False]
    assert len(survey_mails()) == 2


def test_bulk_and_workflow_closings_ask_too_and_a_contact_without_email_is_asked_in_the_portal(
        app, agent, admin):
    make_workflow_rule([("priority", "changed_to", "Low")], updates={"status": "Closed"})
    by_rule = make_case(actor=agent, contact=make_contact())
    by_bulk = make_case(actor=agent, contact=make_contact())
    no_email = make_case(actor=agent, contact=make_contact(email=None))
    no_contact = make_case(actor=agent)
    db.session.commit()
    from app.services.cases import update_case
    update_case(by_rule, actor=agent, expected_version=None, priority="Low")
    case_bulk.bulk_update_cases([by_bulk, no_email, no_contact], actor=admin, versions={},
                                status="Closed")
    db.session.commit()
    assert by_rule.status == "Closed"
    asked = {s.case_id: s.emailed for s in surveys()}
    assert asked == {by_rule.id: True, by_bulk.id: True, no_email.id: False}
    assert len(survey_mails()) == 2


def test_the_customer_answers_on_their_closed_case_page_and_then_sees_their_answer(
        app, agent, login):
    customer = make_customer()
    case = closed_case(agent, customer.contact, subject="Badge reader is offline")
    client = portal_client(login, customer)
    page = soup(client.get(f"/portal/cases/{case.number}"))
    form = page.select_one("#satisfaction form")
    assert form["action"] == f"/portal/cases/{case.number}/satisfaction"
    missing = client.post(form["action"], data={"comment": "No rating"})
    assert missing.status_code == 422
    assert "Choose a rating" in soup(missing).select_one("#satisfaction").get_text()
    assert "No rating" in soup(missing).select_one("#satisfaction textarea").get_text()
    done = client.post(form["action"], data={"rating": "2", "comment": "Took a while"})
    assert done.status_code == 303
    shown = soup(client.get(f"/portal/cases/{case.number}")).select_one("#satisfaction")
    assert shown.find("form") is None
    assert "2/5" in shown.get_text() and "Took a while" in shown.get_text()
    assert client.post(form["action"], data={"rating": "5"}).status_code == 404
    assert surveys(case)[0].rating == 2 and surveys(case)[0].answered_via == "portal"


def test_another_customer_cannot_see_or_answer_the_question(app, agent, login):
    owner = make_customer()
    case = closed_case(agent, owner.contact, subject="Badge reader is offline")
    stranger = make_customer()
    colleague = make_customer(make_contact(owner.contact.account), account_admin=True)
    url = f"/portal/cases/{case.number}/satisfaction"
    assert portal_client(login, stranger).post(url, data={"rating": "1"}).status_code == 404
    colleague_client = portal_client(login, colleague)
    assert colleague_client.get(f"/portal/cases/{case.number}").status_code == 200
    assert soup(colleague_client.get(f"/portal/cases/{case.number}")).select_one(
        "#satisfaction") is None
    assert colleague_client.post(url, data={"rating": "1"}).status_code == 404
    assert surveys(case)[0].answered_at is None


def test_an_open_case_shows_no_question(app, agent, login):
    customer = make_customer()
    case = make_case(actor=agent, contact=customer.contact)
    client = portal_client(login, customer)
    assert soup(client.get(f"/portal/cases/{case.number}")).select_one("#satisfaction") is None
    assert client.post(f"/portal/cases/{case.number}/satisfaction",
                       data={"rating": "5"}).status_code == 404


def test_the_emailed_form_needs_its_csrf_token(app, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    case = closed_case(agent, make_contact())
    path = f"/portal/survey/{survey_service.survey_token(surveys(case)[0])}"
    client = app.test_client()
    page = client.get(path + "?rating=3")
    assert soup(page).select_one('input[name="rating"][value="3"]').has_attr("checked")
    refused = client.post(path, data={"rating": "3"})
    assert refused.status_code == 400 and soup(refused).find("h1").get_text(strip=True)
    assert surveys(case)[0].answered_at is None
    token = csrf_from(page)
    assert client.post(path, data={"rating": "3", "csrf_token": token}).status_code == 303
    assert surveys(case)[0].rating == 3


def test_the_account_360_shows_the_average_of_the_last_90_days(app, agent, admin, login):
    contact = make_contact()
    account = contact.account
    ratings = []
    for rating in (4, 2, 5):
        case = closed_case(agent, contact)
        ratings.append(survey_service.answer_survey(surveys(case)[0], rating=rating,
                                                    via="email"))
    ratings[-1].answered_at = utcnow() - timedelta(days=91)  # older: left out
    closed_case(agent, contact)  # asked, never answered: left out
    other = closed_case(agent, make_contact())
    survey_service.answer_survey(surveys(other)[0], rating=1, via="email")
    db.session.commit()
    page = soup(login(agent).get(f"/accounts/{account.id}"))
    assert page.select_one("#satisfaction-average").get_text(" ", strip=True) == (
        "3.0/5 average from 2 answers in the last 90 days.")
    empty = soup(login(agent).get(f"/accounts/{make_contact().account.id}"))
    assert "No satisfaction answers" in empty.select_one("#satisfaction-average").get_text()


def test_the_feed_item_is_for_staff_only(app, agent, login):
    customer = make_customer()
    case = closed_case(agent, customer.contact)
    survey_service.answer_survey(surveys(case)[0], rating=5, comment="Lovely",
                                 via="portal", actor=customer)
    db.session.commit()
    item = db.session.scalar(sa.select(FeedItem).where(FeedItem.case_id == case.id,
                                                       FeedItem.body.like("Customer rated%")))
    assert item.visibility == "internal" and item.author_id == customer.id
    conversation = portal_client(login, customer).get(f"/portal/cases/{case.number}")
    assert "Customer rated" not in conversation.get_data(as_text=True)


def test_an_admin_can_turn_the_question_off_and_on(app, admin, agent, login):
    client = login(admin)
    page = soup(client.get("/admin/settings"))
    assert page.select_one('#satisfaction-setting input[name="enabled"]').has_attr("checked")
    off = client.post("/admin/settings/satisfaction", data={})
    assert off.status_code == 303
    assert "no longer asked" in client.get("/admin/settings").get_data(as_text=True)
    closed_case(agent, make_contact())
    assert surveys() == [] and survey_mails() == []
    client.post("/admin/settings/satisfaction", data={"enabled": "y"})
    closed_case(agent, make_contact())
    assert len(surveys()) == 1 and len(survey_mails()) == 1
    assert login(agent).post("/admin/settings/satisfaction", data={}).status_code == 403
