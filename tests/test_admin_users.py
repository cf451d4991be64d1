"""Admin user management: the list, creating and inviting, roles, access and passwords."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Invitation, User, UserSession
from tests.conftest import HX, csrf_from, soup
from tests.factories import PASSWORD, make_user


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


NEW_PASSWORD_FORM = {"password": "brand new secret", "confirm": "brand new secret"}


def user_named(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def session_count(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.user_id == user.id))


def test_admin_sees_every_user_with_role_and_status(login, admin, agent):
    make_user(role="customer", name="Carla Customer", email="carla@customer.test")
    db.session.commit()
    response = login(admin).get("/admin/users")
    assert response.status_code == 200
    page = soup(response)
    assert page.find("html") is not None
    rows = page.select("#user-results tbody tr")
    assert [row.find(class_="subject").text for row in rows] == [
        "Ada Admin", "Alex Agent", "Carla Customer"]
    assert "Customer" in rows[2].text and "Active" in rows[2].text
    assert page.select_one(".admin-subnav a.active").text == "Users"


def test_filtering_by_text_answers_htmx_with_just_the_results(login, admin, agent):
    response = login(admin).get("/admin/users?q=ALEX", headers=HX)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    fragment = soup(response)
    assert fragment.find("html") is None
    assert fragment.find(id="user-results") is not None
    assert [r.find(class_="subject").text for r in fragment.select("tbody tr")] == ["Alex Agent"]


def test_filtering_by_role_and_status_combines(login, admin, agent):
    gone = make_user(name="Gone Agent")
    gone.active = False
    make_user(role="agent", name="Invited Agent", password=None)
    db.session.commit()
    client = login(admin)
    names = lambda url: [r.find(class_="subject").text for r in soup(client.get(url))  # noqa: E731
                         .select("#user-results tbody tr")]
    assert names("/admin/users?role=agent&status=inactive") == ["Gone Agent"]
    assert names("/admin/users?role=agent&status=invited") == ["Invited Agent"]
    assert names("/admin/users?role=agent&status=active") == ["Alex Agent"]
    assert names("/admin/users?role=boss&status=weird") == [
        "Ada Admin", "Alex Agent", "Gone Agent", "Invited Agent"]


def test_a_search_with_like_wildcards_matches_them_literally(login, admin, agent):
    response = login(admin).get("/admin/users?q=%25")
    assert "No users match these filters" in soup(response).text


def test_the_user_list_pages_through_many_users(login, admin):
    for n in range(30):
        make_user(name=f"Person {n:02d}", password=None)  # no hashing: quick
    db.session.commit()
    client = login(admin)
    first = soup(client.get("/admin/users"))
    assert len(first.select("#user-results tbody tr")) == 25
    assert "1–25 of 31" in first.select_one(".pager").text
    next_link = first.select_one(".pager a[rel=next]")
    assert next_link["hx-target"] == "#user-results"
    second = soup(client.get(next_link["href"], headers=HX))
    assert len(second.select("tbody tr")) == 6
    assert soup(client.get("/admin/users?page=nonsense")).select_one(".pager") is not None


def test_the_user_list_does_not_grow_queries_with_its_rows(login, admin, count_queries):
    client = login(admin)
    for n in range(5):
        make_user(name=f"Few {n}", password=None)
    db.session.commit()
    with count_queries() as few:
        client.get("/admin/users")
    for n in range(20):
        make_user(name=f"Many {n}", password=None)
    db.session.commit()
    with count_queries() as many:
        client.get("/admin/users")
    assert many.count == few.count


def test_admin_creates_a_user_with_a_password_who_can_sign_in(app, login, admin):
    response = login(admin).post("/admin/users/new", data={
        "name": "Maya Agent", "email": "Maya@Example.com", "role": "agent",
        "time_zone": "Europe/Berlin", "password": "long enough pw", "confirm": "long enough pw"})
    assert response.status_code == 303
    user = user_named("maya@example.com")
    assert (user.role, user.time_zone) == ("agent", "Europe/Berlin")
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")
    assert sign_in(app.test_client(), "maya@example.com", "long enough pw").status_code == 303


def test_creating_a_user_with_bad_input_shows_every_problem(login, admin, agent):
    response = login(admin).post("/admin/users/new", data={
        "name": "", "email": agent.email.upper(), "role": "wizard", "time_zone": "Mars/Olympus",
        "password": "short", "confirm": "other"})
    assert response.status_code == 422
    errors = {e["id"]: e.text for e in soup(response).select("p.error")}
    assert "name" in errors["name-error"].lower()
    assert "already exists" in errors["email-error"]
    assert "Not a valid choice" in errors["role-error"]
    assert errors["time_zone-error"]
    assert "at least 8" in errors["password-error"]
    assert "do not match" in errors["confirm-error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_creating_a_user_with_csrf_on_needs_the_token(app, login, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(admin)
    form_page = client.get("/admin/users/new")
    data = {"name": "Tom Agent", "email": "tom@example.com", "role": "agent",
            "time_zone": "UTC", "password": "long enough pw", "confirm": "long enough pw"}
    refused = client.post("/admin/users/new", data=data)
    assert refused.status_code == 400
    assert "Reload the page" in refused.get_data(as_text=True)
    assert user_named("tom@example.com") is None
    token = soup(form_page).find("input", {"name": "csrf_token"})["value"]
    assert client.post("/admin/users/new", data=data | {"csrf_token": token}).status_code == 303
    assert user_named("tom@example.com") is not None
    htmx = client.post(f"/admin/users/{user_named('tom@example.com').id}/role",
                       data={"role": "admin"},
                       headers={**HX, "X-CSRFToken": csrf_from(form_page)})
    assert htmx.status_code == 303
    assert user_named("tom@example.com").role == "admin"


def test_admin_changes_a_users_role(login, admin, agent):
    response = login(admin).post(f"/admin/users/{agent.id}/role", data={"role": "admin"},
                                 follow_redirects=True)
    assert response.status_code == 200
    assert "Alex Agent is now an admin." in soup(response).select_one("#flash-messages").text
    db.session.refresh(agent)
    assert agent.role == "admin"


def test_an_admin_cannot_demote_themselves(login, admin):
    response = login(admin).post(f"/admin/users/{admin.id}/role", data={"role": "agent"})
    assert response.status_code == 422
    assert "cannot remove your own admin role" in soup(response).select_one("#role-error").text
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_an_agent_cannot_reach_any_admin_page(login, agent, admin):
    client = login(agent)
    assert client.get("/admin/users/new").status_code == 403
    assert client.post(f"/admin/users/{admin.id}/role", data={"role": "agent"}).status_code == 403
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_an_unknown_user_answers_404(login, admin):
    assert login(admin).get("/admin/users/9999").status_code == 404


def test_deactivating_asks_first_then_ends_the_users_sessions(login, admin, agent):
    their_client = login(agent)
    assert their_client.get("/cases/").status_code == 200
    admin_client = login(admin)
    confirm = admin_client.get(f"/admin/users/{agent.id}/deactivate")
    assert confirm.status_code == 200
    assert "Deactivate Alex Agent?" in soup(confirm).find("h1").text
    db.session.refresh(agent)
    assert agent.active
    response = admin_client.post(f"/admin/users/{agent.id}/deactivate", follow_redirects=True)
    assert "deactivated and signed out everywhere" in response.get_data(as_text=True)
    db.session.refresh(agent)
    assert not agent.active and session_count(agent) == 0
    assert their_client.get("/cases/").status_code == 302
    assert "Deactivated" in soup(response).select_one(".subtitle").text


def test_reactivating_lets_the_user_sign_in_again(app, login, admin, agent):
    agent.active = False
    db.session.commit()
    response = login(admin).post(f"/admin/users/{agent.id}/reactivate")
    assert response.status_code == 303
    assert sign_in(app.test_client(), agent.email).status_code == 303


def test_an_admin_cannot_deactivate_themselves(login, admin):
    client = login(admin)
    page = soup(client.get(f"/admin/users/{admin.id}"))
    assert "You cannot deactivate yourself" in page.text
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 422
    assert "You cannot deactivate yourself." in soup(response).find(role="alert").text
    db.session.refresh(admin)
    assert admin.active
    assert client.get("/admin/users").status_code == 200


def test_resetting_a_password_ends_the_users_sessions(app, login, admin, agent):
    their_client = login(agent)
    admin_client = login(admin)
    response = admin_client.post(f"/admin/users/{agent.id}/password",
                                 data=NEW_PASSWORD_FORM)
    assert response.status_code == 303
    assert session_count(agent) == 0
    assert their_client.get("/cases/").status_code == 302
    assert admin_client.get("/admin/users").status_code == 200
    assert sign_in(app.test_client(), agent.email).status_code == 401
    assert sign_in(app.test_client(), agent.email, "brand new secret").status_code == 303


def test_resetting_your_own_password_keeps_this_browser_signed_in(login, admin):
    other_browser = login(admin)
    this_browser = login(admin)
    response = this_browser.post(f"/admin/users/{admin.id}/password",
                                 data=NEW_PASSWORD_FORM)
    assert response.status_code == 303
    assert session_count(admin) == 1
    assert this_browser.get("/admin/users").status_code == 200
    assert other_browser.get("/admin/users").status_code == 302


def test_a_bad_new_password_is_refused_with_a_message(login, admin, agent):
    response = login(admin).post(f"/admin/users/{agent.id}/password",
                                 data={"password": "short", "confirm": "shorter"})
    assert response.status_code == 422
    page = soup(response)
    assert "at least 8" in page.select_one("#password-error").text
    assert "do not match" in page.select_one("#confirm-error").text


def test_creating_a_user_without_password_shows_a_one_time_invitation_link(login, admin):
    client = login(admin)
    response = client.post("/admin/users/new", data={
        "name": "Ivy Invitee", "email": "ivy@example.com", "role": "agent", "time_zone": "UTC"},
        follow_redirects=True)
    assert response.status_code == 200
    link = soup(response).select_one("#invite-link-input")["value"]
    assert "/invite/" in link
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(Invitation))
    assert stored.token_hash != token and token not in stored.token_hash
    assert "Invited" in soup(response).select_one(".subtitle").text
    again = soup(client.get(response.request.path))
    assert again.select_one("#invite-link-input") is None
    assert "has not accepted the invitation yet" in again.text


def test_a_new_invitation_link_replaces_the_old_one(client, login, admin):
    invitee = make_user(name="Ivy Invitee", password=None)
    db.session.commit()
    admin_client = login(admin)
    first = soup(admin_client.post(f"/admin/users/{invitee.id}/invitation", follow_redirects=True))
    second = soup(admin_client.post(f"/admin/users/{invitee.id}/invitation", follow_redirects=True))
    old = first.select_one("#invite-link-input")["value"].split("/invite/")[1]
    new = second.select_one("#invite-link-input")["value"].split("/invite/")[1]
    assert old != new
    assert client.get(f"/invite/{old}").status_code == 410
    assert client.get(f"/invite/{new}").status_code == 200


def test_a_deactivated_user_gets_no_new_invitation_link(login, admin):
    invitee = make_user(name="Gone Invitee", password=None)
    invitee.active = False
    db.session.commit()
    response = login(admin).post(f"/admin/users/{invitee.id}/invitation", follow_redirects=True)
    assert "Reactivate Gone Invitee before sending a new invitation." in soup(response).text
    assert soup(response).select_one("#invite-link-input") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_the_signed_in_user_read_afresh_saves_changes_to_itself(login, admin):
    """Each request reads the signed-in user as plain columns into its own session; a change
    to that user (here their own password) is saved like any other."""
    browser = login(admin)
    admin_id, old_hash = admin.id, admin.password_hash
    db.session.remove()  # as under a server: the request starts with an empty session
    response = browser.post(f"/admin/users/{admin_id}/password", data=NEW_PASSWORD_FORM)
    assert response.status_code == 303
    db.session.remove()
    assert db.session.get(User, admin_id).password_hash != old_hash
    assert browser.get("/admin/users").status_code == 200
