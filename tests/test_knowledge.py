"""Knowledge articles: lifecycle with and without approval, versions, diff, restore, slugs,
types, categories and settings, as staff see them at /knowledge."""
import sqlalchemy as sa

from app.extensions import db
from app.models.knowledge import Article, ArticleType, ArticleVersion, Category, KnowledgeRole
from app.services import knowledge as kb
from app.services import knowledge_articles as articles
from tests.conftest import HX, csrf_from, soup
from tests.factories import make_user
from tests.knowledge_factories import make_article, seed_types, set_approval


def create_through_form(client, title="Printer shows E-104", body="Turn it off and on."):
    faq = seed_types()["FAQ"]
    db.session.commit()
    response = client.post(f"/knowledge/new?type={faq.id}", data={
        "title": title, "f_question": title, "f_answer": body, "language": "en",
        "channels": ["internal", "public"], "change_note": "First"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Article).order_by(Article.id.desc()))


def versions(article, language="en"):
    db.session.expire_all()
    return {v.number: v for v in articles.versions_of(article, language)}


def post_action(client, article, version, action, **data):
    return client.post(f"/knowledge/articles/{article.slug}/versions/{version.id}/{action}",
                       data=data)


def test_with_approval_off_an_author_publishes_directly(login, agent):
    set_approval(False)
    client = login(agent)
    article = create_through_form(client)
    draft = versions(article)[1]
    assert draft.status == "draft"
    page = soup(client.get(f"/knowledge/articles/{article.slug}"))
    assert page.find("button", string="Publish version 1")
    assert post_action(client, article, draft, "submit").status_code == 303
    live = versions(article)[1]
    assert live.status == "published" and live.published_at is not None
    assert client.get(f"/kb/{article.slug}").status_code == 200


def test_with_approval_on_the_author_submits_and_an_approver_publishes(login, agent, admin):
    set_approval(True)
    approver = make_user(name="Pat Approver")
    kb.set_knowledge_role(approver, is_author=False, is_approver=True)
    db.session.commit()
    author = login(agent)
    article = create_through_form(author)
    post_action(author, article, versions(article)[1], "submit")
    version = versions(article)[1]
    assert version.status == "in_review"
    assert login(make_user()).get(f"/kb/{article.slug}").status_code == 404  # nothing live
    reviewer = login(approver)
    page = soup(reviewer.get(f"/knowledge/articles/{article.slug}"))
    assert page.find("button", string="Approve and publish")
    assert post_action(reviewer, article, version, "approve").status_code == 303
    version = versions(article)[1]
    assert version.status == "published" and version.approver_id == approver.id
    assert "Pat Approver" in author.get(f"/knowledge/articles/{article.slug}/versions") \
        .get_data(as_text=True)


def test_a_non_approver_sees_no_approve_button_and_cannot_approve(login, agent):
    set_approval(True)
    db.session.commit()
    client = login(agent)
    article = create_through_form(client)
    post_action(client, article, versions(article)[1], "submit")
    page = soup(client.get(f"/knowledge/articles/{article.slug}"))
    assert page.find("button", string="Approve and publish") is None
    assert "waits for an approver" in page.get_text()
    version = versions(article)[1]
    assert post_action(client, article, version, "approve").status_code == 403
    assert post_action(client, article, version, "publish").status_code == 403
    assert versions(article)[1].status == "in_review"


def test_rejection_returns_the_draft_with_the_comment_the_author_sees(login, agent, admin):
    set_approval(True)
    db.session.commit()
    author = login(agent)
    article = create_through_form(author)
    post_action(author, article, versions(article)[1], "submit")
    reviewer = login(admin)
    assert post_action(reviewer, article, versions(article)[1], "reject",
                       comment="").status_code == 303
    assert versions(article)[1].status == "in_review"  # a rejection needs its reason
    post_action(reviewer, article, versions(article)[1], "reject",
                comment="Name the menu: Settings › Printers.")
    version = versions(article)[1]
    assert version.status == "draft" and version.approver_id == admin.id
    notice = soup(author.get(f"/knowledge/articles/{article.slug}")).select_one(
        ".kb-review-comment")
    assert "Name the menu: Settings › Printers." in notice.get_text()
    assert "Ada Admin" in notice.get_text()


def test_editing_a_published_article_keeps_the_live_version_until_the_new_one_is_published(
        login, agent, client):
    set_approval(False)
    article = make_article(agent, title="Reset a password", channels=("internal", "public"))
    db.session.commit()
    staff = login(agent)
    response = staff.post(f"/knowledge/articles/{article.slug}/edit", data={
        "title": "Reset a password (new screens)", "f_question": "How?",
        "f_answer": "Use the new screen.", "change_note": "New screens"})
    assert response.status_code == 303
    by_number = versions(article)
    assert by_number[1].status == "published" and by_number[2].status == "draft"
    public = client.get(f"/kb/{article.slug}").get_data(as_text=True)
    assert "Reset a password" in public and "new screens" not in public
    staff_page = soup(staff.get(f"/knowledge/articles/{article.slug}"))
    assert staff_page.find("h1").get_text() == "Reset a password"
    assert staff_page.find("a", string="View draft (v2)")
    post_action(staff, article, by_number[2], "submit")
    by_number = versions(article)
    assert by_number[1].status == "superseded" and by_number[2].status == "published"
    assert "Reset a password (new screens)" in client.get(f"/kb/{article.slug}") \
        .get_data(as_text=True)


def test_two_versions_compare_field_by_field(login, agent):
    article = make_article(agent, title="Reset a password",
                           fields={"question": "Reset?", "answer": "Step one\nStep two"})
    articles.save_draft(article, actor=agent, language="en", title="Reset a password",
                        fields={"question": "Reset?", "answer": "Step one\nStep 2 <b>now</b>"})
    db.session.commit()
    one, two = versions(article)[1], versions(article)[2]
    page = soup(login(agent).get(f"/knowledge/articles/{article.slug}/compare"
                                 f"?a={two.id}&b={one.id}"))
    assert "Version 1 → version 2" in page.find("h1").get_text()
    assert [d.get_text() for d in page.select(".kb-diff-removed")][-1].endswith("Step two")
    added = page.select(".kb-diff-added")[-1]
    assert added.get_text().endswith("Step 2 <b>now</b>") and added.find("b") is None
    unchanged = [s.find("h2").get_text() for s in page.select(".kb-diff.unchanged")]
    assert unchanged == ["Title", "Question"]


def test_an_old_version_is_restored_as_a_new_draft(login, agent):
    article = make_article(agent, title="Old title")
    articles.save_draft(article, actor=agent, language="en", title="New title", fields={})
    new = versions(article)[2]
    articles.publish_version(new, actor=agent)
    db.session.commit()
    client = login(agent)
    response = client.post(f"/knowledge/articles/{article.slug}/versions/"
                           f"{versions(article)[1].id}/restore")
    assert response.status_code == 303
    restored = versions(article)[3]
    assert restored.status == "draft" and restored.title == "Old title"
    assert restored.change_note == "Restored from version 1"
    assert versions(article)[2].status == "published"
    client.post(f"/knowledge/articles/{article.slug}/versions/{versions(article)[1].id}/restore")
    assert set(versions(article)) == {1, 2, 3}  # an open draft is never overwritten


def test_a_changed_slug_keeps_the_old_address_working(login, agent, client):
    article = make_article(agent, title="Printer jams", channels=("internal", "public"))
    db.session.commit()
    old = article.slug
    staff = login(agent)
    staff.post(f"/knowledge/articles/{old}/settings",
               data={"slug": "paper-jams", "channels": ["internal", "public"]})
    db.session.expire_all()
    assert db.session.get(Article, article.id).slug == "paper-jams"
    response = client.get(f"/kb/{old}")
    assert response.status_code == 301 and response.headers["Location"].endswith("/kb/paper-jams")
    assert staff.get(f"/knowledge/articles/{old}").status_code == 301
    articles.save_draft(db.session.get(Article, article.id), actor=agent, language="en",
                        title="Paper jams in every tray", fields={})
    db.session.commit()
    assert db.session.get(Article, article.id).slug == "paper-jams"  # the title never moves it


def test_only_marked_authors_write_when_the_setting_says_so(login, agent):
    seed_types()
    set_approval(False, writers="authors")
    db.session.commit()
    client = login(agent)
    assert client.get("/knowledge/new").status_code == 403
    assert client.get("/knowledge/").status_code == 200
    db.session.add(KnowledgeRole(user_id=agent.id, is_author=True, is_approver=False))
    db.session.commit()
    assert client.get("/knowledge/new").status_code == 200


def test_settings_are_for_admins(login, agent, admin):
    assert login(agent).get("/knowledge/settings").status_code == 403
    assert login(agent).get("/knowledge/types").status_code == 403
    client = login(admin)
    response = client.post("/knowledge/settings", data={
        "approval_required": "y", "writers": "authors", "languages": ["zh"], "keep": "last",
        "keep_versions": "3", "authors": [str(agent.id)], "approvers": [str(agent.id)]})
    assert response.status_code == 303
    settings = kb.get_knowledge_settings()
    assert settings.approval_required and settings.writers == "authors"
    assert settings.language_codes == ["en", "zh"] and settings.keep_versions == 3
    assert kb.can_approve(agent)


def test_keeping_the_last_n_versions_deletes_older_ones(agent):
    kb.stored_knowledge_settings().keep_versions = 1
    article = make_article(agent, title="Version 1")
    for n in (2, 3):
        version = articles.save_draft(article, actor=agent, language="en", title=f"Version {n}",
                                      fields={})
        articles.publish_version(version, actor=agent)
    db.session.commit()
    assert {n: v.status for n, v in versions(article).items()} == {2: "superseded",
                                                                   3: "published"}


def test_removing_a_field_in_use_needs_a_confirmation_that_counts_articles(login, admin):
    make_article(admin, title="Reset", fields={"question": "Q", "answer": "Some answer"})
    make_article(admin, title="Other", fields={"question": "Q2", "answer": ""})
    db.session.commit()
    faq = seed_types()["FAQ"]
    client = login(admin)
    data = {"name": "FAQ", "description": "", "fields-0-key": "question",
            "fields-0-label": "Question", "fields-0-kind": "text", "action": "save"}
    response = client.post(f"/knowledge/types/{faq.id}", data=data)
    assert response.status_code == 422
    assert "“Answer” holds text in 1 article." in soup(response).get_text()
    db.session.expire_all()
    assert [f.key for f in faq.fields] == ["question", "answer"]
    response = client.post(f"/knowledge/types/{faq.id}", data=data | {"confirm_removal": "yes"})
    assert response.status_code == 303
    db.session.expire_all()
    assert [f.key for f in faq.fields] == ["question"]


def test_type_rows_are_added_through_the_form_and_htmx(login, admin):
    seed_types()
    db.session.commit()
    client = login(admin)
    data = {"name": "Release note", "fields-0-label": "Summary", "fields-0-kind": "markdown",
            "action": "add-field"}
    fragment = client.post("/knowledge/types/new", data=data, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert len(soup(fragment).select(".kb-field-row")) == 2
    data |= {"fields-1-label": "Changes", "fields-1-kind": "text", "action": "save"}
    assert client.post("/knowledge/types/new", data=data).status_code == 303
    saved = db.session.scalar(sa.select(ArticleType).where(ArticleType.name == "Release note"))
    assert [(f.label, f.kind) for f in saved.fields] == [("Summary", "markdown"),
                                                         ("Changes", "text")]


def test_categories_form_a_tree_with_counts(login, admin, agent):
    client = login(admin)
    client.post("/knowledge/categories", data={"name": "Products", "parent": ""})
    products = db.session.scalar(sa.select(Category).where(Category.name == "Products"))
    client.post("/knowledge/categories", data={"name": "Billing", "parent": str(products.id)})
    billing = db.session.scalar(sa.select(Category).where(Category.name == "Billing"))
    make_article(agent, title="Read an invoice", categories=[billing])
    make_article(agent, title="Draft only", categories=[billing], publish=False)
    db.session.commit()
    page = soup(login(agent).get(f"/knowledge/categories/{products.id}"))
    child = page.find("a", string="Billing")
    assert child and child.find_next("span", class_="count-pill").get_text() == "1"
    page = soup(login(agent).get(f"/knowledge/categories/{billing.id}"))
    assert "Products › Billing" in page.select_one(".breadcrumbs").get_text(" ", strip=True)
    assert [a.get_text() for a in page.select(".kb-list .subject")] == ["Read an invoice"]
    assert client.post(f"/knowledge/categories/{billing.id}/edit",
                       data={"name": "Billing", "parent": str(billing.id)}).status_code == 422


def test_archiving_asks_first_and_takes_the_article_out_of_every_channel(login, agent, client):
    article = make_article(agent, title="Printer jams", channels=("internal", "public"))
    db.session.commit()
    staff = login(agent)
    confirm = soup(staff.get(f"/knowledge/articles/{article.slug}/archive"))
    assert confirm.find("button", string="Archive article")
    assert client.get(f"/kb/{article.slug}").status_code == 200
    staff.post(f"/knowledge/articles/{article.slug}/archive")
    assert client.get(f"/kb/{article.slug}").status_code == 404
    assert "Printer jams" not in client.get("/kb/?q=printer").get_data(as_text=True)
    assert staff.get(f"/knowledge/articles/{article.slug}").status_code == 200


def test_deleting_is_for_admins_after_a_confirmation(login, agent, admin):
    article = make_article(agent, title="Printer jams")
    db.session.commit()
    assert login(agent).post(f"/knowledge/articles/{article.slug}/delete").status_code == 403
    client = login(admin)
    assert soup(client.get(f"/knowledge/articles/{article.slug}/delete")).find(
        "button", string="Delete article")
    assert client.post(f"/knowledge/articles/{article.slug}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ArticleVersion)) == 0


def test_the_home_lists_drafts_reviews_and_recent_articles(login, agent, admin):
    set_approval(True)
    make_article(agent, title="Published one")
    mine = make_article(agent, title="My draft", publish=False)
    waiting = make_article(agent, title="Waiting one", publish=False)
    articles.submit_version(waiting.versions[0], actor=agent)
    db.session.commit()
    page = soup(login(agent).get("/knowledge/"))
    sections = {s.find("h2").get_text(): s.get_text() for s in page.select(".kb-lists .card")}
    assert "My draft" in sections["My drafts"] and mine
    assert "Published one" in sections["Recently published"]
    assert "Awaiting my approval" not in sections
    page = soup(login(admin).get("/knowledge/"))
    sections = {s.find("h2").get_text(): s.get_text() for s in page.select(".kb-lists .card")}
    assert "Waiting one" in sections["Awaiting my approval"]


def test_the_search_answers_a_page_or_its_results_fragment(login, agent):
    make_article(agent, title="Printer jams")
    db.session.commit()
    client = login(agent)
    page = client.get("/knowledge/?q=printer")
    assert soup(page).find(id="kb-results") and soup(page).find("html")
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/knowledge/?q=printer", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert soup(fragment).find(id="kb-results").find("mark").get_text() == "Printer"


def test_readers_vote_with_a_csrf_token(app, client, agent):
    article = make_article(agent, title="Printer jams", channels=("public",))
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/kb/{article.slug}/vote", data={"helpful": "yes"}).status_code == 400
    token = csrf_from(client.get(f"/kb/{article.slug}"))
    response = client.post(f"/kb/{article.slug}/vote",
                           data={"helpful": "yes", "csrf_token": token})
    assert response.status_code == 303
    client.post(f"/kb/{article.slug}/vote", data={"helpful": "yes", "csrf_token": token})
    db.session.expire_all()
    stored = db.session.get(Article, article.id)
    assert (stored.helpful_count, stored.unhelpful_count) == (1, 0)
    assert stored.view_count == 1
