"""Help articles in the portal: the portal channel only, in the customer's language (falling
back to the master), search with hostile text, topics with counts, one vote per customer, old
addresses, and the customer's own language setting."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.models.knowledge import Article, ArticleVote, Category
from app.services import knowledge as kb
from app.services import knowledge_articles as articles
from tests.conftest import HX, csrf_from, soup
from tests.knowledge_factories import make_article
from tests.portal_factories import make_customer, portal_client

HOSTILE = ['"', '""', "'", "*", "refund*", ":", "title:refund", "NEAR(refund invoice)",
           "refund NEAR invoice", "((refund", "refund)", "(", ")", "AND", "OR NOT", "-refund",
           "^refund", "{refund}", "refund & invoice | !x", "a:*", "\\", "%_%", "🙂 refund 🧾",
           "退款", "x" * 1000, "refund " * 200, "\x00", "<script>alert(1)</script>"]
SECRETS = (b"Zebra escalation runbook", b"Retired refund policy", b"zebra-runbook",
           b"retired-refund")


def translate(article, author, language, title, answer=None):
    version = articles.save_draft(article, actor=author, language=language, title=title,
                                  fields={"question": title, "answer": answer or title})
    articles.publish_version(version, actor=author)
    return version


@pytest.fixture
def library(agent):
    """A portal article in a topic, an internal-only one and an archived portal one (both in
    the same topic, with the same words), and a topic holding only the internal one."""
    billing = Category(name="Billing")
    secret_topic = Category(name="Escalations")
    db.session.add_all([billing, secret_topic])
    db.session.flush()
    refund = make_article(agent, title="Refund an invoice", channels=("portal",),
                          categories=[billing],
                          fields={"question": "How do I refund an invoice?",
                                  "answer": "Open Billing, choose the invoice, then Refund."})
    internal = make_article(agent, title="Zebra escalation runbook", channels=("internal",),
                            categories=[billing, secret_topic],
                            fields={"question": "Zebra escalation runbook",
                                    "answer": "Refund the invoice quietly (internal)."})
    retired = make_article(agent, title="Retired refund policy", channels=("portal",),
                           categories=[billing],
                           fields={"question": "Retired refund policy",
                                   "answer": "Refund an invoice by fax."})
    articles.update_article_settings(internal, actor=agent, slug="zebra-runbook",
                                     categories=[billing, secret_topic], channels=["internal"])
    articles.update_article_settings(retired, actor=agent, slug="retired-refund",
                                     categories=[billing], channels=["portal"])
    articles.archive_article(retired, actor=agent)
    db.session.commit()
    return {"refund": refund, "internal": internal, "retired": retired, "billing": billing,
            "secret_topic": secret_topic}


def test_portal_articles_are_listed_searchable_and_readable(login, library):
    client = portal_client(login, make_customer())
    home = soup(client.get("/portal/knowledge"))
    assert [a.get_text() for a in home.select(".kb-articles a")] == ["Refund an invoice"]
    topics = {a.get_text(): a.find_next_sibling("span").get_text()
              for a in home.select(".kb-topics a")}
    assert topics == {"Billing": "1"}
    assert home.select_one('nav.p-nav a[aria-current="page"]').get_text(strip=True) == "Knowledge"
    found = soup(client.get("/portal/knowledge?q=refund invoice"))
    assert [a.get_text() for a in found.select(".kb-hit-title")] == ["Refund an invoice"]
    snippet = found.select_one(".kb-snippet")
    assert [m.get_text() for m in snippet.find_all("mark")][:2] == ["refund", "invoice"]
    assert snippet.has_attr("hx-disable")
    page = client.get(f"/portal/knowledge/{library['refund'].slug}")
    assert page.status_code == 200
    html = soup(page)
    assert html.find("h1").get_text() == "Refund an invoice"
    assert "Open Billing, choose the invoice" in html.select_one(".kb-article-body").get_text()
    assert html.select_one('nav.p-nav a[aria-current="page"]').get_text(strip=True) == "Knowledge"


def test_internal_and_archived_articles_are_404_and_never_in_any_portal_page(login, library):
    client = portal_client(login, make_customer())
    assert client.get("/portal/knowledge/zebra-runbook").status_code == 404
    assert client.get("/portal/knowledge/retired-refund").status_code == 404
    assert client.post("/portal/knowledge/zebra-runbook/vote",
                       data={"helpful": "yes"}).status_code == 404
    assert client.get(f"/portal/knowledge/categories/{library['secret_topic'].id}") \
        .status_code == 404
    pages = ["/portal/knowledge", "/portal/knowledge?q=refund", "/portal/knowledge?q=zebra",
             "/portal/knowledge?q=retired", "/portal/knowledge?q=fax", "/portal/knowledge?q=quietly",
             f"/portal/knowledge/categories/{library['billing'].id}",
             f"/portal/knowledge/{library['refund'].slug}"]
    for url in pages:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            for secret in SECRETS + (b"Escalations",):
                assert secret not in response.data, (url, secret)


def test_the_search_answers_a_fragment_for_htmx_and_a_whole_page_cold(login, library):
    client = portal_client(login, make_customer())
    page = client.get("/portal/knowledge?q=invoice")
    assert "HX-Request" in page.headers["Vary"]
    assert soup(page).find(id="kb-results").select_one(".kb-hit-title")
    fragment = client.get("/portal/knowledge?q=invoice", headers=HX)
    assert b"<html" not in fragment.data
    root = soup(fragment).find(id="kb-results")
    assert root.select_one(".kb-hit-title").get_text() == "Refund an invoice"
    empty = soup(client.get("/portal/knowledge?q=walrus", headers=HX))
    assert empty.select_one(".empty h2").get_text().startswith("No articles match")


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_search_text_never_errors(q, login, library):
    client = portal_client(login, make_customer())
    assert client.get("/portal/knowledge", query_string={"q": q}).status_code == 200
    assert client.get("/portal/knowledge", query_string={"q": q}, headers=HX).status_code == 200


def test_articles_come_in_the_customers_language_else_the_master(login, agent, library):
    refund = library["refund"]
    translate(refund, agent, "zh", "退款发票", "打开账单，选择发票，然后退款。")
    plain = make_article(agent, title="Reset your password", channels=("portal",))
    customer = make_customer()
    customer.language = "zh"
    client = portal_client(login, customer)
    chinese = soup(client.get(f"/portal/knowledge/{refund.slug}"))
    assert chinese.find("h1").get_text() == "退款发票"
    assert chinese.find("article")["lang"] == "zh"
    assert "Shown in 中文 (Chinese)" in chinese.select_one(".kb-shown-in").get_text()
    assert chinese.select_one(".kb-fallback") is None
    english = chinese.select_one(".kb-shown-in").find("a", hreflang="en")
    assert soup(client.get(english["href"])).find("h1").get_text() == "Refund an invoice"
    fallback = soup(client.get(f"/portal/knowledge/{plain.slug}"))
    assert fallback.find("h1").get_text() == "Reset your password"
    assert "not available in 中文 (Chinese) yet" in fallback.select_one(".kb-fallback").get_text()
    home = soup(client.get("/portal/knowledge"))
    assert {a.get_text() for a in home.select(".kb-articles a")} == {"退款发票",
                                                                      "Reset your password"}
    found = soup(client.get("/portal/knowledge?q=退款"))
    assert [a.get_text() for a in found.select(".kb-hit-title")] == ["退款发票"]
    topic = soup(client.get(f"/portal/knowledge/categories/{library['billing'].id}"))
    assert [a.get_text() for a in topic.select(".kb-articles a")] == ["退款发票"]


def test_a_customer_votes_once_and_may_change_their_mind(login, library):
    refund = library["refund"]
    me, colleague = make_customer(), make_customer()
    client = portal_client(login, me)
    url = f"/portal/knowledge/{refund.slug}/vote"
    first = client.post(url, data={"helpful": "yes"})
    assert first.status_code == 303
    assert first.headers["Location"].startswith(f"/portal/knowledge/{refund.slug}")
    client.post(url, data={"helpful": "yes"})

    def counts():
        db.session.expire_all()
        stored = db.session.get(Article, refund.id)
        return stored.helpful_count, stored.unhelpful_count

    assert counts() == (1, 0)
    page = soup(client.get(f"/portal/knowledge/{refund.slug}"))
    assert "You found this article helpful" in page.select_one(".kb-feedback").get_text()
    assert page.find("button", value="yes")["aria-pressed"] == "true"
    client.post(url, data={"helpful": "no"})
    assert counts() == (0, 1)
    portal_client(login, colleague).post(url, data={"helpful": "no"})
    assert counts() == (0, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ArticleVote)) == 2
    assert client.post(url, data={"helpful": "maybe"}).status_code == 400
    assert counts() == (0, 2)


def test_voting_needs_the_csrf_token(app, login, library):
    refund = library["refund"]
    client = portal_client(login, make_customer())
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/portal/knowledge/{refund.slug}/vote"
    assert client.post(url, data={"helpful": "yes"}).status_code == 400
    token = csrf_from(client.get(f"/portal/knowledge/{refund.slug}"))
    assert client.post(url, data={"helpful": "yes", "csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Article, refund.id).helpful_count == 1


def test_reading_an_article_counts_a_view(login, library):
    refund = library["refund"]
    client = portal_client(login, make_customer())
    client.get(f"/portal/knowledge/{refund.slug}")
    client.get(f"/portal/knowledge/{refund.slug}")
    client.get("/portal/knowledge/zebra-runbook")
    db.session.expire_all()
    assert db.session.get(Article, refund.id).view_count == 2
    assert db.session.get(Article, library["internal"].id).view_count == 0


def test_an_old_address_redirects_to_the_current_one(login, agent, library):
    refund = library["refund"]
    old = refund.slug
    articles.update_article_settings(refund, actor=agent, slug="refunds-explained",
                                     categories=[library["billing"]], channels=["portal"])
    db.session.commit()
    client = portal_client(login, make_customer())
    moved = client.get(f"/portal/knowledge/{old}?lang=en")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/portal/knowledge/refunds-explained?lang=en"
    assert client.get("/portal/knowledge/refunds-explained").status_code == 200
    # An old address of an article the portal does not show is as missing as any other.
    articles.update_article_settings(library["internal"], actor=agent, slug="zebra-2",
                                     categories=[], channels=["internal"])
    db.session.commit()
    assert client.get("/portal/knowledge/zebra-runbook", follow_redirects=True).status_code == 404


def test_staff_and_visitors_do_not_get_the_portal_knowledge_pages(login, agent, client, library):
    urls = ["/portal/knowledge", f"/portal/knowledge/{library['refund'].slug}",
            f"/portal/knowledge/categories/{library['billing'].id}", "/portal/settings"]
    staff = login(agent)
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/portal/login" in anonymous.headers["Location"]
        refused = staff.get(url)
        assert refused.status_code == 302 and refused.headers["Location"] == "/cases/"
    assert staff.post(f"/portal/knowledge/{library['refund'].slug}/vote",
                      data={"helpful": "yes"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Article, library["refund"].id).helpful_count == 0


def test_a_customer_chooses_their_language_among_those_offered(app, login, agent, library):
    settings = kb.stored_knowledge_settings()
    settings.languages = "en,de,zh"
    translate(library["refund"], agent, "de", "Eine Rechnung erstatten")
    customer = make_customer()
    client = portal_client(login, customer)
    app.config["WTF_CSRF_ENABLED"] = True
    form = soup(client.get("/portal/settings"))
    options = [o["value"] for o in form.find("select", attrs={"name": "language"}).find_all("option")]
    assert options == ["en", "de", "zh"]
    token = csrf_from(client.get("/portal/settings"))
    assert client.post("/portal/settings", data={"language": "de", "time_zone": "UTC"}) \
        .status_code == 400  # no CSRF token
    refused = client.post("/portal/settings", data={"language": "el", "time_zone": "UTC",
                                                    "csrf_token": token})
    assert refused.status_code == 422
    assert "Choose a language from the list." in soup(refused).select_one(".error").get_text()
    saved = client.post("/portal/settings", data={"language": "de", "time_zone": "Europe/Berlin",
                                                  "csrf_token": token})
    assert saved.status_code == 303 and saved.headers["Location"] == "/portal/settings"
    db.session.expire_all()
    stored = db.session.get(User, customer.id)
    assert (stored.language, stored.time_zone) == ("de", "Europe/Berlin")
    page = soup(client.get(f"/portal/knowledge/{library['refund'].slug}"))
    assert page.find("h1").get_text() == "Eine Rechnung erstatten"
    assert "Articles in Deutsch (German)" in soup(client.get("/portal/knowledge")) \
        .select_one(".kb-language").get_text()


def test_the_kb_keeps_working_for_customers_and_counts_their_vote_with_the_portals(login,
                                                                                    library):
    refund = library["refund"]
    client = portal_client(login, make_customer())
    assert client.get(f"/kb/{refund.slug}").status_code == 200
    client.post(f"/kb/{refund.slug}/vote", data={"helpful": "yes"})
    client.post(f"/portal/knowledge/{refund.slug}/vote", data={"helpful": "yes"})
    db.session.expire_all()
    assert db.session.get(Article, refund.id).helpful_count == 1


def test_the_knowledge_pages_read_in_the_same_few_queries_however_many_articles(
        login, agent, library, count_queries):
    client = portal_client(login, make_customer())
    urls = ["/portal/knowledge", "/portal/knowledge?q=refund",
            f"/portal/knowledge/categories/{library['billing'].id}"]

    def queries() -> list[int]:
        db.session.commit()
        counted = []
        for url in urls:
            client.get(url)  # the same warm start each time
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counted.append(counter.count)
        return counted

    few = queries()
    for n in range(6):
        make_article(agent, title=f"Refund case {n}", channels=("portal",),
                     categories=[library["billing"], Category(name=f"Topic {n}")])
    assert queries() == few
