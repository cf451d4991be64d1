"""The portal's frame: who gets in, where others are sent, its layout and its navigation."""
from flask import url_for

from app.extensions import db
from app.portal.nav import PORTAL_NAV
from tests.conftest import HX, soup
from tests.factories import make_case, make_user
from tests.portal_factories import make_customer, portal_client, portal_sign_in


def test_a_customer_signs_in_at_the_portal_and_sees_their_account_and_cases(app, agent):
    customer = make_customer()
    case = make_case(actor=agent, subject="Router drops the VPN", contact=customer.contact)
    db.session.commit()
    client = app.test_client()
    signed_in = portal_sign_in(client, customer.email)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/portal/"
    page = client.get("/portal/")
    html = soup(page)
    assert page.status_code == 200
    assert customer.contact.account.name in html.find("header").get_text()
    assert html.find("a", href=f"/portal/cases/{case.number}").get_text(strip=True).startswith(
        "Router drops the VPN")
    assert html.find("a", class_="skip-link")["href"] == "#main"
    sign_out = html.find("form", action="/portal/logout")
    assert sign_out["method"] == "post" and sign_out.find("input", attrs={"name": "csrf_token"})


def test_the_navigation_shows_only_sections_that_exist(app, login):
    page = soup(portal_client(login, make_customer()).get("/portal/"))
    links = {a["href"]: a.get_text(strip=True) for a in page.select("nav.p-nav a")}
    expected = {"/portal/": "My cases"}
    with app.test_request_context():
        for endpoint, label in PORTAL_NAV[1:]:
            if endpoint in app.view_functions:
                expected[url_for(endpoint)] = label
    assert links == expected
    assert page.select_one('nav.p-nav a[aria-current="page"]').get_text(strip=True) == "My cases"


def test_a_customer_opening_staff_pages_gets_the_portal(login):
    client = portal_client(login, make_customer())
    for url in ("/cases/", "/accounts/", "/admin/users", "/knowledge/", "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/portal/", url
    refused = client.get("/cases/", headers=HX)
    assert refused.status_code == 403 and refused.headers["HX-Redirect"] == "/portal/"
    assert client.post("/accounts/new").status_code == 403


def test_staff_opening_the_portal_go_to_their_cases(login, agent):
    client = login(agent)
    response = client.get("/portal/")
    assert response.status_code == 302 and response.headers["Location"] == "/cases/"
    assert client.post("/portal/cases/1/reply").status_code == 403


def test_anonymous_visitors_are_sent_to_the_portal_sign_in(client):
    response = client.get("/portal/cases")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/portal/login?next=")


def test_portal_pages_carry_their_own_content_security_policy(login):
    response = portal_client(login, make_customer()).get("/portal/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert soup(response).find("link", rel="stylesheet")["href"].endswith("/css/portal.css")


def test_a_customer_without_a_contact_is_shown_where_to_get_help(login):
    client = portal_client(login, make_user("customer"))
    response = client.get("/portal/")
    assert response.status_code == 302 and response.headers["Location"] == "/welcome"
    assert client.get("/welcome").status_code == 200


def test_a_customer_opens_their_case_and_replies_without_javascript(app, agent):
    customer = make_customer()
    case = make_case(actor=agent, subject="Invoice shows the wrong VAT", contact=customer.contact)
    db.session.commit()
    client = app.test_client()
    portal_sign_in(client, customer.email)
    page = client.get(f"/portal/cases/{case.number}")
    assert page.status_code == 200 and "Invoice shows the wrong VAT" in soup(page).h1.text
    sent = client.post(f"/portal/cases/{case.number}/reply",
                       data={"body": "The VAT should be 19 percent."})
    assert sent.status_code == 303
    after = soup(client.get(sent.headers["Location"]))
    assert "The VAT should be 19 percent." in after.find(id="conversation").get_text()
