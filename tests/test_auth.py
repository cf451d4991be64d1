"""Sign-in, sign-out, sessions and the route guard."""
import itsdangerous
import sqlalchemy as sa

from app.extensions import db
from app.models import UserSession
from app.services import users as user_service
from tests.portal_factories import make_customer
from tests.conftest import HX, csrf_from, sent_to_portal, soup
from tests.factories import PASSWORD, make_case, make_user


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_signing_in_through_the_real_form_reaches_the_case_list(app, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login")
    token = soup(page).find("input", {"name": "csrf_token"})["value"]
    response = client.post("/login", data={"email": "ALEX@example.com", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cases/")
    assert client.get("/cases/").status_code == 200


def test_a_post_without_csrf_token_is_refused_with_a_clear_message(app, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/login", data={"email": agent.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, agent):
    wrong = sign_in(client, agent.email, "nope-nope")
    unknown = sign_in(client, "nobody@example.com", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert soup(wrong).find(class_="error").text == soup(unknown).find(class_="error").text


def test_repeated_failed_sign_ins_for_one_account_are_slowed_down(client, agent):
    for _ in range(5):
        assert sign_in(client, agent.email, "wrong-password").status_code == 401
    blocked = sign_in(client, agent.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many" in blocked.get_data(as_text=True)


def test_anonymous_user_is_sent_to_sign_in_with_next(client):
    response = client.get("/cases/?view=all")
    assert response.status_code == 302
    assert "/login?next=/cases/?view%3Dall" in response.headers["Location"]


def test_anonymous_htmx_request_gets_401_with_hx_redirect(client):
    response = client.get("/cases/", headers=HX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_next_only_redirects_within_the_site(client, agent):
    for bad in ("//evil.test/x", "https://evil.test", "/\\evil.test", "javascript:alert(1)"):
        response = client.post(f"/login?next={bad}", data={"email": agent.email,
                                                          "password": PASSWORD})
        assert response.status_code == 303
        assert response.headers["Location"] == "/cases/", bad
        client.post("/logout")
    ok = client.post("/login?next=/accounts/", data={"email": agent.email, "password": PASSWORD})
    assert ok.headers["Location"] == "/accounts/"


def test_signing_out_ends_the_session_on_the_server(client, agent):
    sign_in(client, agent.email)
    cookie = client.get_cookie("session").value
    client.post("/logout")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    thief = client.application.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/cases/").status_code == 302


def test_deactivated_user_is_locked_out_of_sign_in_and_existing_sessions(client, login, admin):
    user = make_user(email="leaving@example.com")
    db.session.commit()
    their_client = login(user)
    assert their_client.get("/cases/").status_code == 200
    user_service.set_active(user, False, actor=admin)
    db.session.commit()
    assert their_client.get("/cases/").status_code == 302
    assert sign_in(client, "leaving@example.com").status_code == 401


def test_customer_opening_agent_pages_is_sent_to_the_portal(login):
    customer = make_customer()
    db.session.commit()
    client = login(customer)
    for url in ("/cases/", "/accounts/", "/contacts/", "/admin/users", "/cases/tasks", "/"):
        assert sent_to_portal(client.get(url)), url
    assert client.get("/cases/", headers=HX).status_code == 403
    assert client.post("/accounts/new").status_code == 403


def test_a_customer_without_a_contact_lands_on_a_page_that_says_where_to_get_help(app):
    app.config["SUPPORT_EMAIL"] = "Acme Support <help@acme.example>"
    make_user(role="customer", name="Dana Whitfield", email="dana@customer.example")
    db.session.commit()
    client = app.test_client()
    signed_in = sign_in(client, "dana@customer.example")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/welcome"
    page = client.get("/welcome")
    assert page.status_code == 200
    html = soup(page)
    assert html.find("a", href="mailto:help@acme.example") is not None
    sign_out = html.find("form", action="/logout")
    assert sign_out.find("button").get_text(strip=True) == "Sign out"
    assert not html.find_all("a", href=lambda href: href and href.startswith("/cases"))


def test_the_welcome_page_names_the_mail_sender_when_no_support_address_is_set(login, app):
    app.config["MAIL_DEFAULT_SENDER"] = "Support <support@desk.example>"
    customer = make_user(role="customer")
    db.session.commit()
    assert 'href="mailto:support@desk.example"' in login(customer).get("/welcome").get_data(
        as_text=True)


def test_staff_opening_the_welcome_page_go_to_their_cases(login, agent):
    response = login(agent).get("/welcome")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/")


def test_agent_gets_403_on_admin_pages(login, agent):
    assert login(agent).get("/admin/users").status_code == 403


def test_every_route_is_guarded(app, agent):
    """Walks the URL map: no endpoint outside the public allowlist answers anonymously."""
    from app.access import PUBLIC_ENDPOINTS

    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", "1").replace(f"<int:{arg}>", "1")
        url = url.replace("<path:", "<").replace("<", "").replace(">", "")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), f"{rule.endpoint} answered anonymously"


def test_every_response_carries_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "HX-Request" in response.headers["Vary"]


def test_session_cookie_is_httponly_and_samesite(client, agent):
    response = sign_in(client, agent.email)
    cookie = response.headers.getlist("Set-Cookie")[0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_htmx_post_with_token_header_is_accepted(app, login, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(agent)
    token = csrf_from(client.get("/login", follow_redirects=True))
    response = client.post("/logout", headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/login"


def test_the_layout_and_its_forms_carry_one_token_the_check_accepts(app, login, agent):
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(agent)
    page = client.get("/cases/new")
    token = csrf_from(page)
    assert soup(page).find("form", id="case-form").find("input", {"name": "csrf_token"})["value"] \
        == token
    def signed(key):  # a token as Flask-WTF signs one, for a session value not this one's
        return itsdangerous.URLSafeTimedSerializer(key, salt="wtf-csrf-token").dumps("0" * 40)

    for forged in (signed(app.secret_key), signed("not-the-key")):
        refused = client.post("/logout", headers={**HX, "X-CSRFToken": forged})
        assert refused.status_code == 400
    accepted = client.post("/logout", data={"csrf_token": token})
    assert accepted.status_code in (302, 303)


def test_a_form_built_before_the_layout_carries_the_layout_token(app, login, agent):
    """The case page builds its Post form before the layout renders: both carry one token."""
    app.config["WTF_CSRF_ENABLED"] = True
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    page = client.get(f"/cases/{case.number}")
    token = csrf_from(page)
    publisher = soup(page).find("section", id="publisher")
    assert publisher.find("input", {"name": "post-csrf_token"})["value"] == token
    posted = client.post(f"/cases/{case.number}/feed/posts", data={
        "post-csrf_token": token, "post-body": "Signed once", "post-visibility": "internal"},
        headers=HX)
    assert posted.status_code == 200 and "Signed once" in posted.get_data(as_text=True)

