"""The case feed and its publisher: posts, shared updates, filters, idempotency, query counts."""
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.extensions import db
from app.models import Case, FeedItem
from app.services import feed as feed_service
from tests.conftest import HX, csrf_from, soup
from tests.factories import PASSWORD, make_case, make_user


def feed_url(case, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/cases/{case.number}/feed" + (f"?{query}" if query else "")


def items_of(case, kind=None):
    stmt = sa.select(FeedItem).where(FeedItem.case_id == case.id).order_by(FeedItem.id)
    if kind:
        stmt = stmt.where(FeedItem.kind == kind)
    return list(db.session.scalars(stmt))


def post(client, case, body="Checked the logs.", headers=HX, **extra):
    data = {"post-body": body, "post-visibility": "internal", **extra}
    return client.post(f"/cases/{case.number}/feed/posts", data=data, headers=headers)


def share(client, case, headers=HX, **values):
    data = {"share-status": case.status, "share-priority": case.priority, "share-note": "",
            "share-version": str(case.version)}
    data.update({f"share-{k}": v for k, v in values.items()})
    return client.post(f"/cases/{case.number}/feed/share", data=data, headers=headers)


def test_feed_fragment_shows_the_timeline_newest_first_without_a_page(login, agent):
    case = make_case(actor=agent)
    feed_service.add_post(case, actor=agent, body="First look")
    feed_service.add_post(case, actor=agent, body="Second look")
    db.session.commit()
    response = login(agent).get(feed_url(case), headers=HX)
    assert response.status_code == 200
    page = soup(response)
    assert page.find("html") is None
    assert page.select_one("section#feed ol#feed-list")
    texts = [li.select_one(".feed-body").get_text(strip=True) for li in page.select("li.feed-item")]
    assert texts == ["Second look", "First look", "Opened the case (Phone)."]
    assert "HX-Request" in response.headers["Vary"]


def test_a_cold_feed_url_opens_the_case_page_on_that_filter(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    cold = client.get(feed_url(case, feed="posts"))
    assert cold.status_code == 303
    assert cold.headers["Location"] == f"/cases/{case.number}?feed=posts#feed"
    response = client.get(cold.headers["Location"])
    assert response.status_code == 200
    page = soup(response)
    assert page.find("html") is not None
    assert page.select_one("#feed") and page.select_one("#publisher")
    assert page.select_one("#feed a.chip.active").get_text(strip=True) == "Posts"


def test_the_filter_shows_only_its_kind_and_links_work_without_javascript(login, agent):
    case = make_case(actor=agent)
    feed_service.add_post(case, actor=agent, body="A comment")
    feed_service.share_update(case, actor=agent, expected_version=case.version, priority="High")
    db.session.commit()
    client = login(agent)
    posts = soup(client.get(feed_url(case, feed="posts"), headers=HX))
    assert [li["class"][1] for li in posts.select("li.feed-item")] == ["kind-post"]
    changes = soup(client.get(feed_url(case, feed="changes"), headers=HX))
    kinds = {li["class"][1] for li in changes.select("li.feed-item")}
    assert kinds == {"kind-change", "kind-system"}
    assert "Priority" in changes.select_one(".change-list").get_text()
    chip = changes.find("a", string="Tasks")
    assert "feed=tasks" in chip["href"] and chip["hx-get"].endswith("feed=tasks")
    tasks = soup(client.get(feed_url(case, feed="tasks"), headers=HX))
    assert tasks.select("li.feed-item") == []
    assert "No tasks on this case" in tasks.select_one(".feed-empty").get_text()


def test_an_unknown_filter_falls_back_to_everything(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    page = soup(login(agent).get(feed_url(case, feed="'; drop table"), headers=HX))
    assert page.select_one("a.chip.active").get_text(strip=True) == "All"


def test_feed_of_a_missing_case_answers_404(login, agent):
    assert login(agent).get("/cases/999999/feed", headers=HX).status_code == 404


def test_posting_with_htmx_returns_the_new_item_and_a_fresh_publisher(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    response = post(client, case, body="Replaced the **toner**.", **{"post-request_key": "k-1"})
    assert response.status_code == 200
    page = soup(response)
    assert page.find("html") is None
    item = page.select_one("li.feed-item.kind-post")
    assert item.select_one(".feed-body").get_text().strip() == "Replaced the toner."
    assert item.select_one(".badge").get_text(strip=True) == "Internal"
    publisher = page.select_one("section#publisher")
    assert publisher["hx-swap-oob"] == "true"
    assert publisher.find("textarea", {"name": "post-body"}).get_text(strip=True) == ""
    new_key = publisher.find("input", {"name": "post-request_key"})["value"]
    assert new_key and new_key != "k-1"
    saved = items_of(case, "post")
    assert [(p.body, p.visibility, p.author_id) for p in saved] == [
        ("Replaced the **toner**.", "internal", agent.id)]
    assert db.session.get(Case, case.id).first_response_at is None


def test_posting_without_javascript_redirects_back_to_the_case(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = post(login(agent), case, headers={})
    assert response.status_code == 303
    assert f"/cases/{case.number}" in response.headers["Location"]
    assert len(items_of(case, "post")) == 1


def test_a_public_post_by_an_agent_sets_the_first_response_time(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = post(login(agent), case, body="We are on it.", **{"post-visibility": "public"})
    assert response.status_code == 200
    assert soup(response).select_one("li.feed-item .badge").get_text(strip=True) == "Public"
    assert response.headers["HX-Trigger"] == "related-changed, case-changed"
    assert db.session.get(Case, case.id).first_response_at is not None


def test_an_empty_post_rerenders_the_publisher_with_422_in_place(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = post(login(agent), case, body="   ")
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#publisher"
    assert response.headers["HX-Reswap"] == "outerHTML"
    page = soup(response)
    assert page.select_one("section#publisher").get("hx-swap-oob") is None
    assert "Write something before posting." in page.select_one("#pub-post .error").get_text()
    assert items_of(case, "post") == []


def test_a_rejected_post_keeps_what_was_typed(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = post(login(agent), case, body="Keep every word", **{"post-visibility": "everyone"})
    assert response.status_code == 422
    page = soup(response)
    assert page.find("textarea", {"name": "post-body"}).get_text(strip=True) == "Keep every word"
    assert page.select_one("#pub-post .visibility .error")


def test_a_rejected_post_without_javascript_shows_a_whole_page_with_the_error(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = post(login(agent), case, body="", headers={})
    assert response.status_code == 422
    page = soup(response)
    assert page.find("html") is not None
    assert "Write something before posting." in page.select_one("#publisher").get_text()


def test_markdown_is_sanitised_and_shown_inside_hx_disable(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    body = ("<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
            "<div hx-get=\"/admin/users\" hx-trigger=\"load\">x</div>\n\n"
            "[fine](https://example.com) and <img src=x onerror=alert(3)>")
    response = post(login(agent), case, body=body)
    body_div = soup(response).select_one("li.feed-item .feed-body")
    assert body_div.has_attr("hx-disable")
    assert body_div.find("script") is None and body_div.find("img") is None
    assert body_div.find("div") is None
    assert all(not a["href"].startswith("javascript") for a in body_div.find_all("a"))
    assert body_div.find("a", href="https://example.com")
    attributes = [name for tag in body_div.find_all(True) for name in tag.attrs]
    assert not [name for name in attributes if name.startswith(("hx-", "data-hx", "on"))]
    stored = BeautifulSoup(items_of(case, "post")[0].body_html, "html.parser")
    assert stored.find(["script", "img", "div", "iframe"]) is None
    assert not [a for tag in stored.find_all(True) for a in tag.attrs if a.startswith("hx-")]
    assert "javascript:" not in str(stored.find_all("a"))


def test_a_double_submitted_post_is_saved_once(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    first = post(client, case, body="Only once", **{"post-request_key": "same-key"})
    second = post(client, case, body="Only once", **{"post-request_key": "same-key"})
    assert first.status_code == 200
    assert second.status_code == 200
    assert second.headers["HX-Retarget"] == "#publisher"
    assert "already saved" in soup(second).select_one(".publisher-notice").get_text()
    plain = post(client, case, body="Only once", headers={}, **{"post-request_key": "same-key"})
    assert plain.status_code == 303
    assert len(items_of(case, "post")) == 1


def test_two_users_may_use_the_same_key_independently(login, agent):
    case = make_case(actor=agent)
    other = make_user(name="Olga Other")
    db.session.commit()
    post(login(agent), case, **{"post-request_key": "k"})
    post(login(other), case, **{"post-request_key": "k"})
    assert len(items_of(case, "post")) == 2


def test_sharing_an_update_records_one_change_item_and_refreshes_the_header(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = share(login(agent), case, status="Working", priority="High",
                     note="Customer is blocked.")
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "related-changed, case-changed"
    item = soup(response).select_one("li.feed-item.kind-change")
    changes = [li.get_text(" ", strip=True) for li in item.select(".change-list li")]
    assert changes == ["Status : New → Working", "Priority : Medium → High"]
    assert "Customer is blocked." in item.select_one(".feed-body").get_text()
    fresh = soup(response).select_one("#publisher")
    assert fresh.find("input", {"name": "share-version"})["value"] == str(
        db.session.get(Case, case.id).version)
    assert len(items_of(case, "change")) == 1
    assert (case.status, case.priority) == ("Working", "High")


def test_closing_with_a_note_shows_the_closing_note(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = share(login(agent), case, status="Closed", note="Fixed by new firmware.")
    item = soup(response).select_one("li.feed-item.kind-change")
    assert "closed the case" in item.select_one(".feed-meta").get_text()
    assert "Fixed by new firmware." in item.select_one(".closing-note").get_text()
    assert db.session.get(Case, case.id).closed_at is not None


def test_sharing_nothing_asks_for_a_change_or_a_note(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = share(login(agent), case)
    assert response.status_code == 422
    assert "Change the status or priority, or write a note." in soup(response).get_text()
    assert items_of(case, "change") == []


def test_sharing_an_unknown_status_is_refused(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = share(login(agent), case, status="Vanished")
    assert response.status_code == 422
    assert db.session.get(Case, case.id).status == "New"


def test_a_stale_share_answers_409_with_what_changed_and_keeps_the_note(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    stale_version = case.version
    colleague = make_user(name="Casey Colleague")
    feed_service.share_update(case, actor=colleague, expected_version=case.version,
                              priority="Critical")
    db.session.commit()
    response = share(login(agent), case, status="Working", priority="Low",
                     note="My careful note", version=str(stale_version))
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#publisher"
    page = soup(response)
    conflict = page.select_one("#pub-share .conflict").get_text(" ", strip=True)
    assert "changed while you were editing" in conflict
    assert "Casey Colleague changed Priority from Medium to Critical" in conflict
    assert page.find("textarea", {"name": "share-note"}).get_text(strip=True) == "My careful note"
    current = db.session.get(Case, case.id)
    assert page.find("input", {"name": "share-version"})["value"] == str(current.version)
    assert (current.status, current.priority) == ("New", "Critical")
    retry = share(login(agent), current, status="Working", note="Second try")
    assert retry.status_code == 200


def test_a_share_with_a_garbled_version_is_refused_clearly(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = share(login(agent), case, status="Working", version="abc")
    assert response.status_code == 422
    assert "Reload the page" in soup(response).get_text()


@pytest.mark.parametrize("action, control", [("share", "share-status"), ("email", "email-to"),
                                             ("file", "file-files"), ("task", "task-subject")])
def test_the_publisher_opens_on_the_tab_named_in_the_url(login, agent, action, control):
    case = make_case(actor=agent)
    db.session.commit()
    page = soup(login(agent).get(feed_url(case, publish=action), follow_redirects=True))
    assert page.select_one(f"#pub-tab-{action}")["aria-selected"] == "true"
    assert not page.select_one(f"#pub-{action}").has_attr("hidden")
    assert page.select_one(f"#pub-{action}").find(id=control)
    assert page.select_one("#pub-post").has_attr("hidden")
    assert page.select_one("#pub-post").find("form") is None


def test_only_the_open_publisher_tab_is_rendered_and_the_others_load_when_opened(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    page = soup(login(agent).get(f"/cases/{case.number}"))
    assert page.select_one("#pub-post form textarea[name=post-body]")
    assert not page.select_one("#pub-post").has_attr("hidden")
    for key, url in (("email", f"/cases/{case.number}/emails/new"),
                     ("file", f"/cases/{case.number}/publisher/file"),
                     ("share", f"/cases/{case.number}/publisher/share"),
                     ("task", f"/cases/{case.number}/publisher/task")):
        panel = page.select_one(f"#pub-{key}")
        assert panel.has_attr("hidden") and panel.has_attr("data-lazy-panel"), key
        assert panel["role"] == "tabpanel" and panel["aria-labelledby"] == f"pub-tab-{key}"
        assert (panel["hx-get"], panel["hx-trigger"], panel["hx-swap"]) == (
            url, "tab-open", "outerHTML")
        assert panel.find("form") is None and panel.select_one(".spinner")
        assert "Loading" in panel.get_text()


@pytest.mark.parametrize("action, control", [("file", "file-files"), ("share", "share-status"),
                                             ("task", "task-subject")])
def test_a_publisher_tab_loads_its_panel_as_a_fragment_with_a_fresh_form(login, agent, action,
                                                                         control):
    case = make_case(actor=agent)
    db.session.commit()
    response = login(agent).get(f"/cases/{case.number}/publisher/{action}", headers=HX)
    assert response.status_code == 200
    html = soup(response)
    assert html.find("html") is None and html.find(id="publisher") is None
    panel = html.select_one(f"div#pub-{action}")
    assert panel["role"] == "tabpanel" and panel["aria-labelledby"] == f"pub-tab-{action}"
    assert not panel.has_attr("hidden") and not panel.has_attr("hx-get")
    assert panel.find(id=control)
    form = panel.find("form")
    assert form["hx-post"] == form["action"] and form["hx-target"] == "#feed-list"
    assert panel.find("input", {"name": f"{action}-request_key"})["value"]
    if action == "share":
        assert panel.find("input", {"name": "share-version"})["value"] == str(case.version)
    if action == "task":
        chosen = panel.find("select", id="task-assignee").find("option", selected=True)
        assert chosen.get_text(strip=True) == "Alex Agent"


def test_the_email_tab_loads_its_panel_from_the_email_page_url(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    response = login(agent).get(f"/cases/{case.number}/emails/new", headers=HX)
    panel = soup(response).select_one("div#pub-email")
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert not panel.has_attr("hidden") and panel.find("input", {"name": "email-subject"})


def test_without_javascript_a_publisher_tab_opens_the_case_page_on_that_panel(login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    client = login(agent)
    cold = client.get(f"/cases/{case.number}/publisher/task")
    assert cold.status_code == 303
    assert cold.headers["Location"] == f"/cases/{case.number}?publish=task#publisher"
    page = soup(client.get(cold.headers["Location"]))
    tab = page.select_one("#pub-tab-task")
    assert tab["aria-selected"] == "true" and tab["href"].endswith("?publish=task#publisher")
    assert not page.select_one("#pub-task").has_attr("hidden")
    assert page.find("input", id="task-subject")
    assert page.select_one("#pub-post").has_attr("data-lazy-panel")


def test_publisher_panels_answer_only_those_who_may_change_the_case(login, admin, agent):
    from app.services.settings import set_case_access

    case = make_case(actor=agent)
    reader = make_user(name="Rita Reader", password=None)
    customer = make_user(role="customer", password=None)
    set_case_access("public_read", actor=admin)
    db.session.commit()
    url = f"/cases/{case.number}/publisher/share"
    client = login(reader)
    assert soup(client.get(f"/cases/{case.number}")).find(id="publisher") is None
    refused = client.get(url, headers=HX)
    assert refused.status_code == 403 and refused.headers["HX-Retarget"] == "#flash-messages"
    assert "share-status" not in refused.get_data(as_text=True)
    assert client.get(url).status_code == 403
    set_case_access("private", actor=admin)
    db.session.commit()
    hidden = client.get(url, headers=HX)
    assert hidden.status_code == 404 and case.subject not in hidden.get_data(as_text=True)
    assert login(customer).get(url, headers=HX).status_code == 403
    owner = login(agent)
    assert owner.get(f"/cases/{case.number}/publisher/email", headers=HX).status_code == 404
    assert owner.get(f"/cases/{case.number}/publisher/nope", headers=HX).status_code == 404
    assert owner.get("/cases/99999999/publisher/share", headers=HX).status_code == 404


def test_every_kind_of_item_renders_with_author_time_and_badge(login, agent):
    case = make_case(actor=agent)
    db.session.add_all([
        FeedItem(case_id=case.id, kind="email", author=agent, body="Hello <b>there</b>",
                 visibility="public"),
        FeedItem(case_id=case.id, kind="article", author=None, body="",
                 body_html="<p>See <a href=\"https://kb.test/1\">KB-1</a></p>"),
        FeedItem(case_id=case.id, kind="webhook", author=None, body="Something else"),
        FeedItem(case_id=case.id, kind="email", author=None, body="Thanks!", visibility="public",
                 changes=[{"field": "from", "label": "From", "new": "Kim <kim@customer.test>"},
                          {"field": "subject", "label": "Subject", "new": "Re: printer"}]),
    ])
    db.session.commit()
    page = soup(login(agent).get(feed_url(case), headers=HX))
    inbound, email = page.select("li.kind-email")
    assert inbound.select_one(".feed-meta strong").get_text() == "Kim"
    assert inbound.select_one(".avatar").get_text() == "K"
    assert "wrote by email" in inbound.get_text()
    assert "From : Kim <kim@customer.test>" in inbound.select_one(".envelope").get_text(
        " ", strip=True)
    assert "Subject : Re: printer" in inbound.select_one(".envelope").get_text(" ", strip=True)
    assert "sent an email" in email.get_text() and email.select_one(".badge.public")
    assert email.select_one(".feed-body").get_text() == "Hello <b>there</b>"
    assert email.find("b") is None
    article = page.select_one("li.kind-article")
    assert "Casebook" in article.select_one(".feed-meta strong").get_text()
    assert article.find("a", href="https://kb.test/1")
    assert "added webhook" in page.select_one("li.kind-webhook").get_text()
    for li in page.select("li.feed-item"):
        assert li.find("time")["datetime"]


def test_times_show_in_the_users_time_zone(login, agent):
    agent.time_zone = "Asia/Tokyo"
    case = make_case(actor=agent)
    db.session.commit()
    item = items_of(case)[0]
    expected = item.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    page = soup(login(agent).get(feed_url(case), headers=HX))
    assert page.find("time").get_text() == expected.strftime("%d %b %Y, %H:%M")


def test_a_long_feed_shows_newest_items_and_loads_older_ones(login, agent):
    case = make_case(actor=agent)
    for n in range(60):
        feed_service.add_post(case, actor=agent, body=f"Note {n}")
    db.session.commit()
    client = login(agent)
    first = soup(client.get(feed_url(case), headers=HX))
    assert len(first.select("li.feed-item")) == 25
    assert "Note 59" in first.select_one("li.feed-item").text
    more = first.select_one("li.feed-more a")
    assert "page=2" in more["hx-get"] and "feed_page=2" in more["href"]
    second = soup(client.get(more["hx-get"], headers=HX))
    assert second.select_one("#feed") is None
    assert len(second.select("li.feed-item")) == 25
    assert "Note 34" in second.select_one("li.feed-item").text
    third = soup(client.get(second.select_one("li.feed-more a")["hx-get"], headers=HX))
    assert len(third.select("li.feed-item")) == 11  # the last ten notes and the opening
    assert third.select_one("li.feed-more") is None


def _feed_with(case, agent, n):
    for i in range(n):
        kind = i % 4
        if kind == 0:
            feed_service.add_post(case, actor=agent, body=f"Post {i}")
        elif kind == 1:
            feed_service.add_files(case, actor=agent, uploads=[(f"f{i}.txt", b"data %d" % i, "")])
        elif kind == 2:
            feed_service.create_task(case, actor=agent, subject=f"Task {i}")
        else:
            feed_service.share_update(case, actor=agent, expected_version=case.version,
                                      note=f"Note {i}")


def test_the_feed_fragment_costs_the_same_queries_for_3_and_60_items(login, agent, count_queries):
    small, large = make_case(actor=agent), make_case(actor=agent)
    _feed_with(small, agent, 3)
    _feed_with(large, agent, 59)
    db.session.commit()
    client = login(agent)
    for url in (lambda case: feed_url(case), lambda case: f"/cases/{case.number}"):
        counts = []
        for case in (small, large):
            db.session.expire_all()
            with count_queries() as counter:
                response = client.get(url(case), headers=HX)
            assert response.status_code == 200
            assert soup(response).select("li.feed-item")
            counts.append(counter.count)
        assert counts[0] == counts[1], counts


def test_the_whole_case_page_costs_the_same_queries_for_3_and_60_items(login, agent,
                                                                       count_queries):
    short, long = make_case(actor=agent), make_case(actor=agent)
    _feed_with(short, agent, 3)
    _feed_with(long, agent, 59)
    db.session.commit()
    client = login(agent)
    counts = {}
    for url in [f"/cases/{case.number}" for case in (short, long)]:
        client.get(url)  # the first view also records it
        db.session.expunge_all()  # as a server's request starts: nothing loaded
        with count_queries() as counter:
            page = soup(client.get(url))
        assert page.select("#feed-list li.feed-item") and page.find(id="related-lists")
        counts[url] = counter.count
    assert len(set(counts.values())) == 1, counts
    # the session with its user, the settings, the case with its last view, the feed with
    # its files, then one small statement per related list (case team, files, tasks, history)
    assert max(counts.values()) == 8, counts


def test_publishing_works_with_csrf_on_and_fails_without_the_token(app, login, agent):
    case = make_case(actor=agent)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(agent)
    token = csrf_from(client.get("/cases/tasks"))
    refused = post(client, case, body="No token")
    assert refused.status_code == 400
    accepted = post(client, case, body="With token", headers={**HX, "X-CSRFToken": token})
    assert accepted.status_code == 200
    assert [p.body for p in items_of(case, "post")] == ["With token"]


def test_a_customer_cannot_reach_the_feed_or_publish(login):
    case = make_case()
    customer = make_user(role="customer")
    db.session.commit()
    client = login(customer)
    assert client.get(feed_url(case), headers=HX).status_code == 403
    assert post(client, case).status_code == 403
    assert items_of(case, "post") == []


@pytest.mark.browser
def test_in_a_browser_publishing_updates_the_feed_without_a_reload(page, live_server):
    with live_server.app.app_context():
        user = make_user(email="bea@example.com", name="Bea Browser")
        number = make_case(actor=user).number
        db.session.commit()
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # none exists yet
    page.goto(live_server.url + "/login")
    page.fill("input[name=email]", "bea@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/")
    page.goto(f"{live_server.url}/cases/{number}")
    page.evaluate("window.stillHere = true")  # lost if the page reloads
    page.fill("#post-body", "Checked the **fuser**")
    page.click("#pub-post button[type=submit]")
    page.wait_for_selector("#feed-list > li.feed-item:first-child strong:text('fuser')")
    assert page.evaluate("window.stillHere") is True
    assert page.input_value("#post-body") == ""
    page.focus("#pub-tab-post")
    page.keyboard.press("End")
    assert page.get_attribute("#pub-tab-task", "aria-selected") == "true"
    page.wait_for_selector("#task-subject")  # the Task form loads when its tab first opens
    assert page.is_visible("#task-subject") and not page.is_visible("#post-body")
    assert page.evaluate("document.activeElement.id") == "pub-tab-task"  # arrows stay on tabs
    page.fill("#task-subject", "Ring the customer")
    page.click("#pub-task button[type=submit]")
    card = "#feed-list > li.kind-task:first-child .task-card"
    page.click(f"{card} button:text('Mark done')")
    page.wait_for_selector(f"{card}.done")
    held = []  # the File panel's answer, kept back until the Share tab has been chosen
    page.route("**/publisher/file", lambda route: held.append(route))
    page.click("#pub-tab-file")
    assert page.is_visible("#pub-file .spinner")
    page.click("#pub-tab-share")
    page.wait_for_selector("#share-status")
    page.wait_for_function("document.activeElement.id === 'share-status'")  # a click moves in
    held[0].continue_()
    page.wait_for_selector("#pub-file form", state="attached")
    assert page.is_hidden("#pub-file") and page.is_visible("#pub-share")
    assert page.evaluate("document.activeElement.id") == "share-status"
    page.select_option("#share-priority", "High")
    page.click("#pub-share button[type=submit]")
    page.wait_for_selector("#feed-list li.kind-change:has-text('High')")
    assert page.evaluate("window.stillHere") is True


def test_the_case_page_shows_its_dashes_arrows_and_dots(login, agent):
    """An empty old value reads as an em dash in the feed and the history; arrows, middle
    dots and the placeholder's ellipsis read as the characters they stand for."""
    case = make_case(actor=agent, subject="Printer jams")
    _feed_with(case, agent, 4)
    feed_service.share_update(case, actor=agent, expected_version=case.version,
                              priority="High", note="Raised")
    db.session.add(FeedItem(case_id=case.id, case=case, kind="change", author=agent,
                            case_version=case.version,
                            changes=[{"field": "type", "label": "Type", "old": None,
                                      "new": "Problem"}]))
    db.session.commit()
    client = login(agent)
    response = client.get(f"/cases/{case.number}")
    page = soup(response)
    change_lines = [" ".join(li.text.split()) for li in page.select("#feed-list .change-list li")]
    assert "Type: \u2014 \u2192 Problem" in change_lines
    assert any(line.endswith("\u2192 High") for line in change_lines)
    history = [" ".join(div.text.split()) for div in page.select("#related-history .history-change")]
    assert "Type: \u2014 \u2192 Problem" in history
    assert "\u00b7" in page.select_one("#related-files .sub").text
    assert page.select_one("#feed-list .feed-meta").text.count("\u00b7") == 1
    assert page.find("textarea")["placeholder"] == "Write a comment\u2026"
    assert page.select_one(".edit-mark").text == "\u270e"
    details = client.get(f"/cases/{case.number}/details", headers=HX)
    assert details.status_code == 200 and details.data.isascii()


def test_every_kind_of_feed_item_shows_on_the_case_page(login, agent):
    """Posts, files, tasks, an inbound email, a system note and a closing change, as the
    case page's feed shows them."""
    from datetime import date

    from app.services import cases as case_service

    customer = make_user(role="customer", name="Carla Customer", email="carla@example.com")
    case = make_case(actor=agent)
    feed_service.add_post(case, actor=agent, body="**Bold** <script>x</script>",
                          visibility="public")
    feed_service.add_post(case, actor=customer, body="From the portal")
    feed_service.add_files(case, actor=agent, comment="Two files", uploads=[
        ("shot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png"),
        ("log.txt", b"lines", "text/plain")])
    feed_service.create_task(case, actor=agent, subject="Call back", assignee=agent,
                             due_date=date(2020, 1, 2))
    done = feed_service.create_task(case, actor=agent, subject="Send the form")
    feed_service.complete_task(done, actor=agent)
    feed_service.create_task(case, actor=agent, subject="Unassigned one")
    db.session.add(FeedItem(case_id=case.id, kind="email", body="Hello", author=None,
                            changes=[{"field": "from", "label": "From",
                                      "new": "Carla C <carla@example.com>"}]))
    db.session.add(FeedItem(case_id=case.id, kind="system", body="Team changed"))
    case_service.update_case(case, actor=agent, expected_version=None, status="Closed")
    db.session.commit()

    response = login(agent).get(f"/cases/{case.number}")
    page = soup(response)
    kinds = {kind for item in page.select("#feed-list li.feed-item")
             for kind in item["class"] if kind.startswith("kind-")}
    assert kinds >= {"kind-post", "kind-file", "kind-task", "kind-email", "kind-system",
                     "kind-change"}
    assert page.select_one("#feed-list .kind-change").find(string="closed the case")
    assert page.select_one("#feed-list .kind-email strong").text == "Carla C"
    assert page.select_one("#feed-list .kind-file img")
    assert page.select_one("#feed-list .kind-file .file-icon").text == "TXT"
    assert page.select_one("#feed-list .task-card.is-overdue")
    assert page.select_one("#feed-list .task-card.done")
    assert "<script>x" not in response.get_data(as_text=True)
