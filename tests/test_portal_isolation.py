"""Isolation: a customer sees their own cases (an account admin their account's) and nothing
else, at every portal URL, fragment and download; internal items never reach the portal."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import FeedItem
from tests.conftest import HX
from tests.portal_world import build_world
from tests.portal_factories import portal_client

# A value for every URL argument a portal route may take; case numbers and file ids are
# filled per customer. Routes added later are walked too, with these defaults.
DEFAULT_ARGS = {"token": "not-a-token", "slug": "x", "article_id": 1, "category_id": 1,
                "contract_id": 1, "entitlement_id": 1, "id": 1}


@pytest.fixture
def world(app):
    return build_world()


def portal_get_urls(app, number: int, attachment_id: int) -> list[str]:
    """Every GET URL of the portal, for one case number and file id."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("portal.") or "GET" not in rule.methods:
            continue
        values = {arg: DEFAULT_ARGS.get(arg, 1) for arg in rule.arguments}
        values.update({k: v for k, v in (("number", number), ("attachment_id", attachment_id))
                       if k in rule.arguments})
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def own_views(app, side) -> list[str]:
    urls = portal_get_urls(app, side.case.number, side.public_file_id)
    return urls + ["/portal/?state=closed", "/portal/?scope=all", "/portal/cases?page=2",
                   f"/portal/cases/{side.case.number}?page=2"]


def everything_shown(client, urls) -> list[tuple[str, bytes]]:
    responses = []
    for url in urls:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            responses.append((url, response.data))
    return responses


def assert_never_shown(responses, texts):
    for url, body in responses:
        for text in texts:
            assert text.encode() not in body, f"{text!r} leaked at {url}"


def test_each_customer_sees_their_own_case_and_nothing_of_the_others(app, login, world):
    sides = {"a": world.a, "a2": world.a2, "b": world.b}
    for key, side in sides.items():
        client = portal_client(login, side.customer)
        responses = everything_shown(client, own_views(app, side))
        page = client.get(f"/portal/cases/{side.case.number}").data
        for text in side.public:
            assert text.encode() in page or text == side.customer.email, text
        others = [t for k, s in sides.items() if k != key for t in s.public]
        assert_never_shown(responses, others)
        assert_never_shown(responses, [t for s in sides.values() for t in s.internal.values()])


def test_other_customers_cases_and_files_answer_404_everywhere(app, login, world):
    client = portal_client(login, world.a.customer)
    for other in (world.b, world.a2):
        number = other.case.number
        for url in portal_get_urls(app, number, other.public_file_id):
            if "<" in url or str(number) not in url:
                continue
            for headers in ({}, HX):
                response = client.get(url, headers=headers)
                assert response.status_code == 404, url
                assert other.case.subject.encode() not in response.data
        # Another case's file through one's own case: still 404.
        own = world.a.case.number
        assert client.get(f"/portal/cases/{own}/files/{other.public_file_id}").status_code == 404
        before = db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem))
        for action, data in (("reply", {"body": "let me in"}), ("close", {}),
                             ("reopen", {"reason": "let me in"})):
            assert client.post(f"/portal/cases/{number}/{action}", data=data).status_code == 404
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedItem)) == before


def test_internal_files_are_never_downloadable(login, world):
    client = portal_client(login, world.a.customer)
    number = world.a.case.number
    assert client.get(f"/portal/cases/{number}/files/{world.a.public_file_id}").status_code == 200
    hidden = client.get(f"/portal/cases/{number}/files/{world.a.internal_file_id}")
    assert hidden.status_code == 404


def test_downloads_carry_the_staff_downloads_safe_headers(login, world):
    response = portal_client(login, world.a.customer).get(
        f"/portal/cases/{world.a.case.number}/files/{world.a.public_file_id}")
    headers = response.headers
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "Anna-public-plan.txt" in headers["Content-Disposition"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox"
    assert response.data == b"plan"


def test_an_account_admin_sees_the_accounts_cases_and_no_other_account(app, login, world):
    client = portal_client(login, world.admin)
    everyone = client.get("/portal/?scope=all").data
    assert world.a.case.subject.encode() in everyone and world.a2.case.subject.encode() in everyone
    assert client.get(f"/portal/cases/{world.a2.case.number}").status_code == 200
    assert client.get(f"/portal/cases/{world.b.case.number}").status_code == 404
    mine = client.get("/portal/").data
    assert world.a.case.subject.encode() not in mine  # "My cases": their own only
    urls = own_views(app, world.a) + own_views(app, world.a2) + [
        f"/portal/?scope=all&contact={world.b.customer.contact_id}",
        f"/portal/?scope=all&contact={world.a2.customer.contact_id}"]
    responses = everything_shown(client, urls)
    assert_never_shown(responses, world.b.public)
    assert_never_shown(responses, [t for s in (world.a, world.a2, world.b)
                                   for t in s.internal.values()])


def test_the_contact_filter_offers_only_the_accounts_contacts(login, world):
    from tests.conftest import soup

    page = soup(portal_client(login, world.admin).get("/portal/?scope=all"))
    options = [o.get_text(strip=True) for o in page.select("#contact-filter option")]
    assert options == ["Everyone", "Ada Accountadmin", "Anna Contact", "Arno Contact"]
    filtered = portal_client(login, world.admin).get(
        f"/portal/?scope=all&contact={world.a2.customer.contact_id}").data
    assert world.a2.case.subject.encode() in filtered
    assert world.a.case.subject.encode() not in filtered


def test_a_customer_who_is_no_admin_cannot_list_the_whole_account(login, world):
    client = portal_client(login, world.a.customer)
    body = client.get(f"/portal/?scope=all&contact={world.a2.customer.contact_id}").data
    assert world.a2.case.subject.encode() not in body and b"All our cases" not in body


def test_visible_team_members_show_and_hidden_ones_never(login, world):
    page = portal_client(login, world.a.customer).get(f"/portal/cases/{world.a.case.number}").data
    assert b"Anna Visible Val" in page and b"Anna engineer" in page
    assert b"Anna Hidden Helper" not in page and b"Anna backstage" not in page


def test_the_world_really_holds_every_kind_of_internal_item(world):
    """The checks above mean something only if each internal item exists as seeded."""
    case_id = world.a.case.id
    items = db.session.scalars(sa.select(FeedItem).where(FeedItem.case_id == case_id)).all()
    by_text = {text: [i for i in items if text in (i.body or "")]
               for text in world.a.internal.values()}
    assert by_text["Anna internal post secret"][0].visibility == "internal"
    assert by_text["Anna change note secret"][0].kind == "change"
    assert by_text["Anna task subject secret"][0].kind == "task"
    [vendor_reply] = by_text["Anna internal email secret"]
    assert (vendor_reply.kind, vendor_reply.visibility) == ("email", "internal")
    [to_vendor] = by_text["Anna vendor email secret"]
    assert (to_vendor.kind, to_vendor.visibility) == ("email", "public")
    assert any(a.original_name == "Anna-internal-file-secret.txt"
               for i in items for a in i.attachments if i.visibility == "internal")
