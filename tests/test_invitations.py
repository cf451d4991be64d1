"""Invitation links: a new user sets a first password once, within a week."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Invitation, User
from app.models.common import utcnow
from app.services import users as user_service
from tests.conftest import soup
from tests.factories import make_user

NEW_PASSWORD = "a fresh long password"


@pytest.fixture
def invitee(app, admin):
    user = make_user(role="agent", name="Ivy Invitee", email="ivy@example.com", password=None)
    db.session.commit()
    return user


def invite(user, admin) -> str:
    token = user_service.create_invitation(user, actor=admin)
    db.session.commit()
    return token


def accept(client, token, password=NEW_PASSWORD, confirm=None, **extra):
    return client.post(f"/invite/{token}", data={
        "password": password, "confirm": password if confirm is None else confirm, **extra})


def test_the_invitation_page_greets_the_invitee_by_name(client, invitee, admin):
    response = client.get(f"/invite/{invite(invitee, admin)}")
    assert response.status_code == 200
    page = soup(response)
    assert "Welcome, Ivy Invitee" in page.find("h1").text
    assert "ivy@example.com" in page.text
    assert page.find("input", {"name": "password"}) is not None
    assert response.headers["Cache-Control"] == "no-store"


def test_accepting_sets_the_password_and_signs_the_user_in(app, client, invitee, admin):
    response = accept(client, invite(invitee, admin))
    assert response.status_code == 303
    assert response.headers["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert db.session.scalar(sa.select(Invitation.used_at)) is not None
    fresh = app.test_client()
    signed_in = fresh.post("/login", data={"email": "ivy@example.com", "password": NEW_PASSWORD})
    assert signed_in.status_code == 303


def test_an_invitation_works_only_once(client, app, invitee, admin):
    token = invite(invitee, admin)
    assert accept(client, token).status_code == 303
    again = app.test_client().get(f"/invite/{token}")
    assert again.status_code == 410
    assert "already been used" in soup(again).find(role="alert").text
    hijack = accept(app.test_client(), token, password="attacker password")
    assert hijack.status_code == 410
    db.session.refresh(invitee)
    assert invitee.check_password(NEW_PASSWORD)
    assert not invitee.check_password("attacker password")


def test_an_expired_invitation_says_so_and_sets_nothing(client, invitee, admin):
    token = invite(invitee, admin)
    db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 410
    assert "expired" in soup(page).find(role="alert").text
    assert accept(client, token).status_code == 410
    db.session.refresh(invitee)
    assert invitee.password_hash is None


def test_an_invitation_expires_after_seven_days(invitee, admin):
    invite(invitee, admin)
    stored = db.session.scalar(sa.select(Invitation))
    assert timedelta(days=6, hours=23) < stored.expires_at - utcnow() <= timedelta(days=7)


def test_an_unknown_token_gets_a_clear_not_found_page(client):
    for token in ("not-a-real-token", "x" * 500):
        response = client.get(f"/invite/{token}")
        assert response.status_code == 404
        assert "not valid" in soup(response).find(role="alert").text
        assert soup(response).find("a", href="/login") is not None


def test_a_deactivated_users_invitation_cannot_be_used(client, invitee, admin):
    token = invite(invitee, admin)
    user_service.set_active(invitee, False, actor=admin)
    db.session.commit()
    response = accept(client, token)
    assert response.status_code == 410
    assert "deactivated" in soup(response).text


def test_passwords_that_are_short_or_differ_are_refused(client, invitee, admin):
    token = invite(invitee, admin)
    short = accept(client, token, password="short")
    assert short.status_code == 422
    assert "at least 8" in soup(short).select_one("#password-error").text
    differ = accept(client, token, confirm="something else entirely")
    assert differ.status_code == 422
    assert "do not match" in soup(differ).select_one("#confirm-error").text
    assert db.session.scalar(sa.select(Invitation.used_at)) is None


def test_accepting_with_csrf_on_needs_the_forms_token(app, invitee, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    token = invite(invitee, admin)
    client = app.test_client()
    refused = accept(client, token)
    assert refused.status_code == 400
    csrf = soup(client.get(f"/invite/{token}")).find("input", {"name": "csrf_token"})["value"]
    assert accept(client, token, csrf_token=csrf).status_code == 303


def test_accepting_in_a_browser_signed_in_as_someone_else_switches_user(login, invitee, admin):
    client = login(admin)
    token = invite(invitee, admin)
    assert accept(client, token).status_code == 303
    assert client.get("/admin/users").status_code == 403  # now Ivy, an agent
    assert db.session.scalar(sa.select(User.last_login_at).where(User.id == invitee.id))


def test_the_service_hands_out_a_raw_token_for_the_mail_pipeline(invitee, admin):
    token = user_service.create_invitation(invitee, actor=admin)
    stored = db.session.scalar(sa.select(Invitation))
    assert len(token) >= 40
    assert stored.token_hash != token and stored.created_by_id == admin.id
    assert user_service.find_invitation(token) is stored
    assert user_service.has_pending_invitation(invitee)
