"""Portal access: invitations from the contact page, turning access off, account admins,
sign-in, "forgot password" and the emailed links."""
import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Invitation, OutboxMessage, User, UserSession
from app.models.common import utcnow
from tests.conftest import csrf_from, soup
from tests.factories import PASSWORD, make_contact, make_user
from tests.portal_factories import (
    make_customer, portal_client, portal_sign_in, without_csrf,
)

NEW_PASSWORD = "a new and long password"
LINK = re.compile(r"https?://\S+/portal/reset/([\w-]+)")


def mails_to(address: str) -> list[OutboxMessage]:
    """The queued messages to this address, oldest first."""
    return [m for m in db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
            if address in m.to_addrs]


def link_token(message: OutboxMessage) -> str:
    return LINK.search(message.body_text).group(1)


def invite(staff_client, contact):
    return staff_client.post(f"/contacts/{contact.id}/portal/invite")


def set_password(client, token, password=NEW_PASSWORD):
    return client.post(f"/portal/reset/{token}", data={"password": password, "confirm": password})


def test_staff_invite_a_contact_who_sets_a_password_and_lands_in_the_portal(app, login, agent):
    contact = make_contact(name="Nina Novak", email="nina@novak.test")
    db.session.commit()
    staff = login(agent)
    card = soup(staff.get(f"/contacts/{contact.id}")).find(id="portal-access")
    assert "No access" in card.get_text() and card.find("button", string="Invite to portal")
    assert invite(staff, contact).status_code == 303
    [message] = mails_to("nina@novak.test")
    token = link_token(message)
    assert "7 days" in message.body_text and token in message.body_html
    # Only the hash is kept.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation).where(
        Invitation.token_hash == token)) == 0
    customer = db.session.scalar(sa.select(User).where(User.contact_id == contact.id))
    assert customer.role == "customer" and customer.password_hash is None
    client = app.test_client()
    form = client.get(f"/portal/reset/{token}")
    assert form.status_code == 200 and "Welcome, Nina Novak" in soup(form).h1.text
    done = set_password(client, token)
    assert done.status_code == 303 and done.headers["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    assert portal_sign_in(app.test_client(), "nina@novak.test", NEW_PASSWORD).status_code == 303
    assert "Active" in soup(staff.get(f"/contacts/{contact.id}")).find(id="portal-access").text


def test_a_used_link_is_refused(app, login, agent):
    contact = make_contact()
    db.session.commit()
    invite(login(agent), contact)
    token = link_token(mails_to(contact.email)[0])
    assert set_password(app.test_client(), token).status_code == 303
    again = app.test_client().get(f"/portal/reset/{token}")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert set_password(app.test_client(), token, "yet another password").status_code == 410
    assert portal_sign_in(app.test_client(), contact.email, "yet another password"
                          ).status_code == 401


def test_an_expired_link_is_refused(app, login, agent):
    contact = make_contact()
    db.session.commit()
    invite(login(agent), contact)
    token = link_token(mails_to(contact.email)[0])
    db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = set_password(app.test_client(), token)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.password_hash).where(
        User.contact_id == contact.id)) is None


def test_the_invitation_link_is_valid_for_seven_days(login, agent):
    contact = make_contact()
    db.session.commit()
    before = utcnow()
    invite(login(agent), contact)
    expires = db.session.scalar(sa.select(Invitation.expires_at))
    assert timedelta(days=7) <= expires - before < timedelta(days=7, minutes=1)


def test_inviting_again_replaces_the_earlier_link(app, login, agent):
    contact = make_contact()
    db.session.commit()
    staff = login(agent)
    invite(staff, contact)
    invite(staff, contact)
    first, second = (link_token(m) for m in mails_to(contact.email))
    assert app.test_client().get(f"/portal/reset/{first}").status_code == 410
    assert app.test_client().get(f"/portal/reset/{second}").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.contact_id == contact.id)) == 1


def test_a_contact_without_email_cannot_be_invited(login, agent):
    contact = make_contact(email=None)
    db.session.commit()
    staff = login(agent)
    assert "Add an email address" in soup(staff.get(f"/contacts/{contact.id}")).find(
        id="portal-access").text
    invite(staff, contact)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(sa.select(User).where(User.contact_id == contact.id)) is None


def test_an_address_that_already_signs_in_as_staff_is_not_invited(login, agent):
    contact = make_contact(email=agent.email)
    db.session.commit()
    response = login(agent).post(f"/contacts/{contact.id}/portal/invite", follow_redirects=True)
    assert "already signs in" in response.get_data(as_text=True)
    assert db.session.get(User, agent.id).role == "agent"


def test_turning_access_off_ends_the_customers_sessions_at_once(app, login, agent):
    customer = make_customer()
    db.session.commit()
    browser = app.test_client()
    portal_sign_in(browser, customer.email)
    assert browser.get("/portal/").status_code == 200
    staff = login(agent)
    confirm = staff.get(f"/contacts/{customer.contact_id}/portal/disable")
    assert confirm.status_code == 200 and "signed out" in confirm.get_data(as_text=True)
    assert staff.post(f"/contacts/{customer.contact_id}/portal/disable").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession).where(
        UserSession.user_id == customer.id)) == 0
    after = browser.get("/portal/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/portal/login")
    assert portal_sign_in(app.test_client(), customer.email).status_code == 401
    assert "Turned off" in soup(staff.get(f"/contacts/{customer.contact_id}")).find(
        id="portal-access").text


def test_turning_access_off_kills_open_links(app, login, agent):
    contact = make_contact()
    db.session.commit()
    staff = login(agent)
    invite(staff, contact)
    token = link_token(mails_to(contact.email)[0])
    staff.post(f"/contacts/{contact.id}/portal/disable")
    assert app.test_client().get(f"/portal/reset/{token}").status_code == 410


def test_staff_mark_a_contact_account_admin(login, agent):
    contact = make_contact()
    db.session.commit()
    staff = login(agent)
    staff.post(f"/contacts/{contact.id}/portal/account-admin", data={"account_admin": "y"})
    assert db.session.get(type(contact), contact.id).portal_account_admin is True
    staff.post(f"/contacts/{contact.id}/portal/account-admin", data={})
    assert db.session.get(type(contact), contact.id).portal_account_admin is False


def test_customers_cannot_change_portal_access(login):
    customer = make_customer()
    other = make_contact(account=customer.contact.account)
    client = portal_client(login, customer)
    assert client.post(f"/contacts/{other.id}/portal/invite").status_code == 403
    assert client.post(f"/contacts/{customer.contact_id}/portal/account-admin",
                       data={"account_admin": "y"}).status_code == 403
    assert db.session.get(type(other), customer.contact_id).portal_account_admin is False


def test_a_failed_sign_in_answers_the_same_for_known_and_unknown_addresses(app):
    make_customer(email="known@customer.test")
    make_user("agent", email="staff@customer.test")
    db.session.commit()
    answers = []
    for email in ("known@customer.test", "nobody@customer.test", "staff@customer.test"):
        response = portal_sign_in(app.test_client(), email, "wrong password")
        assert response.status_code == 401
        answers.append(without_csrf(response.data).replace(email.encode(), b"EMAIL"))
    assert answers[0] == answers[1] == answers[2]
    # Staff passwords do not open the portal either, with the same answer.
    staff = portal_sign_in(app.test_client(), "staff@customer.test", PASSWORD)
    assert without_csrf(staff.data).replace(b"staff@customer.test", b"EMAIL") == answers[0]


def test_forgot_password_answers_the_same_and_mails_only_a_known_customer(app):
    make_customer(email="known@customer.test")
    db.session.commit()
    answers = []
    for email in ("known@customer.test", "nobody@customer.test"):
        response = app.test_client().post("/portal/forgot", data={"email": email})
        assert response.status_code == 200
        answers.append(without_csrf(response.data))
    assert answers[0] == answers[1]
    assert [m.to_addrs for m in db.session.scalars(sa.select(OutboxMessage))] == [
        ["known@customer.test"]]


def test_a_reset_link_sets_a_new_password_and_signs_out_other_devices(app):
    customer = make_customer(email="known@customer.test")
    db.session.commit()
    other_device = app.test_client()
    portal_sign_in(other_device, customer.email)
    app.test_client().post("/portal/forgot", data={"email": "Known@Customer.test"})
    [message] = mails_to("known@customer.test")
    assert "24 hours" in message.body_text
    client = app.test_client()
    page = client.get(f"/portal/reset/{link_token(message)}")
    assert "Choose a new password" in soup(page).h1.text
    assert set_password(client, link_token(message)).status_code == 303
    assert other_device.get("/portal/").status_code == 302
    assert portal_sign_in(app.test_client(), customer.email, NEW_PASSWORD).status_code == 303
    assert portal_sign_in(app.test_client(), customer.email, PASSWORD).status_code == 401


def test_a_staff_invitation_link_does_not_open_the_portal_reset(app, admin):
    from app.services import users as user_service

    newcomer = make_user("agent", password=None)
    token = user_service.create_invitation(newcomer, actor=admin)
    db.session.commit()
    assert app.test_client().get(f"/portal/reset/{token}").status_code == 404


def test_portal_sign_in_is_throttled_like_staff_sign_in(app):
    customer = make_customer()
    db.session.commit()
    client = app.test_client()
    statuses = [portal_sign_in(client, customer.email, "wrong").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    assert portal_sign_in(client, customer.email).status_code == 429


def test_sign_in_starts_a_new_session_and_sign_out_ends_it_on_the_server(app):
    customer = make_customer()
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    portal_sign_in(client, customer.email)
    with client.session_transaction() as after:
        assert "planted" not in after
    cookie = client.get_cookie("session")
    copied = app.test_client()
    copied.set_cookie("session", cookie.value)
    assert copied.get("/portal/").status_code == 200
    out = client.post("/portal/logout")
    assert out.status_code == 303 and out.headers["Location"] == "/portal/login"
    assert copied.get("/portal/").status_code == 302


def test_the_portal_forms_work_with_csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    customer = make_customer()
    db.session.commit()
    client = app.test_client()
    page = client.get("/portal/login")
    refused = client.post("/portal/login", data={"email": customer.email, "password": PASSWORD})
    assert refused.status_code == 400
    token = csrf_from(page)
    signed_in = client.post("/portal/login", data={"email": customer.email,
                                                   "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 303
    assert client.post("/portal/logout").status_code == 400
