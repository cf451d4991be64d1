"""Mail a customer receives never carries an internal item; the owner hears of their reply."""
import sqlalchemy as sa

from app.extensions import db
from app.models import FeedItem, OutboxMessage
from app.services import case_mail
from app.services.cases import update_case
from tests.conftest import HX
from tests.factories import make_email_template, make_workflow_rule
from tests.portal_factories import portal_client
from tests.portal_world import build_world


def to_customer(address: str) -> list[OutboxMessage]:
    return [m for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
            if address in [a.lower() for a in m.to_addrs + m.cc_addrs]]


def test_mail_to_the_customer_never_carries_internal_items(app, login):
    template = make_email_template(
        subject="[Case {{ case.number }}] {{ case.subject }} is {{ case.status }}",
        body_text="{{ actor.name }}: {{ comment }} ({{ case.priority }}) {{ case.link }}",
        body_html="<p>{{ comment }}</p>")
    make_workflow_rule(template=template, kinds=("contact",))
    world = build_world()
    case, agent = world.a.case, world.agent
    update_case(case, actor=agent, expected_version=None, status="Working",
                note="Escalated internally: secret reason")
    case_mail.send_case_email(case, actor=agent, to=world.a.customer.email,
                              subject="About your case", body="We are on it.")
    db.session.commit()
    client = portal_client(login, world.a.customer)
    client.post(f"/portal/cases/{case.number}/reply", data={"body": "Thanks!"})
    client.post(f"/portal/cases/{case.number}/close", data={"note": "Solved"})
    app.test_client().post("/portal/forgot", data={"email": world.a.customer.email})
    mails = to_customer(world.a.customer.email)
    assert len(mails) >= 4  # rule alerts, the case email, the reset link
    for message in mails:
        whole = " ".join((message.subject, message.body_text, message.body_html))
        for kind, text in world.a.internal.items():
            assert text not in whole, f"{kind} reached the customer in {message.subject!r}"
        assert "secret reason" not in whole


def test_a_portal_reply_lands_in_the_feed_and_tells_the_owner(login, app):
    world = build_world()
    case = world.a.case
    client = portal_client(login, world.a.customer)
    response = client.post(f"/portal/cases/{case.number}/reply",
                           data={"body": "It works **again**."})
    assert response.status_code == 303
    item = db.session.scalar(sa.select(FeedItem).where(FeedItem.case_id == case.id)
                             .order_by(FeedItem.id.desc()).limit(1))
    assert (item.kind, item.visibility, item.author_id) == ("post", "public",
                                                            world.a.customer.id)
    [alert] = [m for m in db.session.scalars(sa.select(OutboxMessage))
               if world.agent.email in m.to_addrs and "replied" in m.subject]
    assert "It works" in alert.body_text and f"/cases/{case.number}" in alert.body_text
    staff_feed = login(world.agent).get(f"/cases/{case.number}/feed", headers=HX).get_data(
        as_text=True)
    assert "It works" in staff_feed
