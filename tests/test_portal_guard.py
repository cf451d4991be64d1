"""Every portal route is guarded: walk the URL map, so a new route without a guard fails."""
from app.access import CUSTOMER_SIGNED_IN_ENDPOINTS, PUBLIC_ENDPOINTS
from app.extensions import db
from tests.conftest import HX
from tests.factories import make_user
from tests.portal_factories import make_customer

# The sign-in pages, and the satisfaction question mailed as a signed one-answer link.
PUBLIC_PORTAL = {"portal.login", "portal.forgot", "portal.reset", "portal.survey"}


def portal_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("portal.")]
    assert len(rules) >= 10
    return rules


def build(rule) -> str:
    values = {arg: 1 for arg in rule.arguments}
    if "token" in values:
        values["token"] = "not-a-token"
    return rule.build(values, append_unknown=False)[1]


def requests_for(rule):
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        yield method, build(rule)


def test_only_the_sign_in_pages_of_the_portal_are_public(app):
    public = {r.endpoint for r in portal_rules(app) if r.endpoint in PUBLIC_ENDPOINTS}
    assert public == PUBLIC_PORTAL


def test_anonymous_visitors_get_nothing_but_the_portal_sign_in(app, client):
    for rule in portal_rules(app):
        if rule.endpoint in PUBLIC_PORTAL:
            continue
        for method, url in requests_for(rule):
            page = client.open(url, method=method)
            assert page.status_code == 302, (method, url)
            assert page.headers["Location"].startswith("/portal/login"), (method, url)
            fragment = client.open(url, method=method, headers=HX)
            assert fragment.status_code == 401, (method, url)
            assert fragment.headers["HX-Redirect"].startswith("/portal/login")


def test_staff_never_use_portal_pages(app, login, agent, admin):
    for user in (agent, admin):
        client = login(user)
        for rule in portal_rules(app):
            if rule.endpoint in PUBLIC_PORTAL:
                continue
            for method, url in requests_for(rule):
                response = client.open(url, method=method)
                if method == "GET":
                    assert response.status_code == 302, (method, url)
                    assert response.headers["Location"] == "/cases/"
                else:
                    assert response.status_code == 403, (method, url)


def test_a_customer_without_a_contact_gets_no_portal_page(app, login):
    client = login(make_user("customer"))
    for rule in portal_rules(app):
        if rule.endpoint in PUBLIC_PORTAL or rule.endpoint == "portal.logout":
            continue
        for method, url in requests_for(rule):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"] == "/welcome"


def test_a_portal_customer_cannot_use_any_staff_route(app, login):
    customer = make_customer()
    db.session.commit()
    client = login(customer)
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else ""
        if blueprint in ("portal", "kb", "") or rule.endpoint in PUBLIC_ENDPOINTS or \
                rule.endpoint in CUSTOMER_SIGNED_IN_ENDPOINTS:
            continue
        for method, url in requests_for(rule):
            response = client.open(url, method=method)
            if method == "GET":
                assert response.status_code == 302, (method, url)
                assert response.headers["Location"] == "/portal/", (method, url)
            else:
                assert response.status_code == 403, (method, url)
