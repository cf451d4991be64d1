"""Mail says what really happened: queued until sent, each email item's delivery state, an
admin banner when mail keeps failing, and alerts that skip the person who made the change."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import FeedItem, OutboxMessage, WorkflowRule
from app.models.common import utcnow
from app.services.case_mail import send_case_email
from app.services.cases import update_case
from tests.conftest import HX, soup
from tests.factories import make_case, make_contact, make_user, make_workflow_rule


def case_with_contact(agent):
    case = make_case(actor=agent, contact=make_contact(email="jamie@customer.test"),
                     subject="Printer on floor 3")
    db.session.commit()
    return case


def email_form(**extra) -> dict:
    return {"email-to": "jamie@customer.test", "email-subject": "Your printer",
            "email-body": "Please restart it.", "email-request_key": "k1"} | extra


def email(case, agent, body="Hello") -> FeedItem:
    item = send_case_email(case, actor=agent, to="jamie@customer.test", subject="Hi", body=body)
    db.session.commit()
    return item


def test_sending_an_email_says_it_is_queued_not_sent(login, agent):
    case = case_with_contact(agent)
    client = login(agent)
    response = client.post(f"/cases/{case.number}/emails", data=email_form(),
                           follow_redirects=True)
    text = soup(response).select_one("#flash-messages").get_text()
    assert "Email queued; it will be sent shortly." in text and "Email sent" not in text
    htmx = client.post(f"/cases/{case.number}/emails", data=email_form(**{
        "email-request_key": "k2"}), headers=HX)
    notice = soup(htmx).select_one(".publisher-notice").get_text()
    assert notice == "Email queued; it will be sent shortly."


@pytest.mark.parametrize("status, attempts, error, shown", [
    ("queued", 0, "", "Queued"),
    ("sent", 1, "", "Sent"),
    ("queued", 2, "Connection refused", "Failing: retrying at 14:05"),
    ("failed", 5, "550 No such user", "Failed"),
])
def test_each_email_item_shows_its_delivery_state(login, agent, status, attempts, error, shown):
    case = case_with_contact(agent)
    item = email(case, agent)
    message = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.feed_item_id == item.id))
    message.status, message.attempts, message.last_error = status, attempts, error
    message.next_attempt_at = datetime(2026, 12, 7, 14, 5, tzinfo=timezone.utc)
    db.session.commit()
    page = soup(login(agent).get(f"/cases/{case.number}"))
    badge = page.select_one(f"#feed-item-{item.id} .badge.delivery")
    assert badge is not None and " ".join(badge.get_text().split()) == shown


def test_the_case_page_reads_delivery_states_without_a_query_per_email(
        login, agent, count_queries):
    case = case_with_contact(agent)
    email(case, agent)
    client = login(agent)
    client.get(f"/cases/{case.number}")
    with count_queries() as one:
        client.get(f"/cases/{case.number}")
    for n in range(5):
        email(case, agent, body=f"Follow-up {n}")
    client.get(f"/cases/{case.number}")
    with count_queries() as six:
        response = client.get(f"/cases/{case.number}")
    assert len(soup(response).select(".badge.delivery")) == 6
    assert six.count == one.count, set(six.statements) ^ set(one.statements)


def failing_message(minutes_ago: int) -> OutboxMessage:
    message = OutboxMessage(to_addrs=["x@example.com"], subject="Alert", body_text="Hi",
                            message_id=f"<m{minutes_ago}@casebook>", status="queued",
                            attempts=3, last_error="Connection refused",
                            created_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(message)
    db.session.commit()
    return message


def test_admins_see_a_banner_linking_the_outbox_when_mail_fails_for_over_15_minutes(
        login, admin, agent):
    failing_message(5)
    assert soup(login(admin).get("/cases/")).select_one(".banner-warning") is None
    failing_message(20)
    banner = soup(login(admin).get("/cases/")).select_one(".banner-warning")
    assert banner is not None and "failing" in banner.get_text()
    assert banner.find("a")["href"].startswith("/admin/workflow/outbox")
    assert soup(login(agent).get("/cases/")).select_one(".banner-warning") is None


def test_the_banner_costs_admins_one_query_and_agents_none(login, admin, agent, count_queries):
    failing_message(20)
    for user, extra in ((agent, 0), (admin, 1)):
        client = login(user)
        client.get("/accounts/")
        with count_queries() as counter:
            client.get("/accounts/")
        checks = [s for s in counter.statements if "outbox_messages" in s]
        assert len(checks) == extra


def test_an_alert_skips_the_person_whose_change_fired_it(app, admin):
    other = make_user(role="admin", name="Bo Boss", email="bo@example.com")
    make_workflow_rule([("priority", "changed_to", "High")], kinds=["admins"],
                       notify_actor=False)
    case = make_case(actor=admin, priority="Low")
    db.session.commit()
    update_case(case, actor=admin, expected_version=None, priority="High")
    db.session.commit()
    (alert,) = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "alert"))
    assert alert.to_addrs == [other.email]


def test_a_rule_may_also_notify_the_person_who_made_the_change(app, admin):
    make_workflow_rule([("priority", "changed_to", "High")], kinds=["admins"],
                       notify_actor=True)
    case = make_case(actor=admin, priority="Low")
    db.session.commit()
    update_case(case, actor=admin, expected_version=None, priority="High")
    db.session.commit()
    (alert,) = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "alert"))
    assert alert.to_addrs == [admin.email]


def test_the_rule_form_offers_notify_the_actor_off_by_default_and_saves_it(login, admin):
    from tests.factories import make_email_template

    template = make_email_template()
    db.session.commit()
    client = login(admin)
    box = soup(client.get("/admin/workflow/rules/new")).find("input", {"name": "notify_actor"})
    assert box is not None and not box.has_attr("checked")
    data = {"name": "Escalations", "active": "y", "evaluate_on": "every_edit", "match": "all",
            "criteria-0-field": "priority", "criteria-0-operator": "changed_to",
            "criteria-0-value": "high", "template": str(template.id),
            "recipient_kinds": ["owner"], "notify_actor": "y", "set_status": "", "set_priority": "",
            "set_owner": ""}
    assert client.post("/admin/workflow/rules/new", data=data).status_code == 303
    rule = db.session.scalars(sa.select(WorkflowRule)).one()
    assert rule.notify_actor is True
    again = soup(client.get(f"/admin/workflow/rules/{rule.id}"))
    assert again.find("input", {"name": "notify_actor"}).has_attr("checked")
