"""The knowledge base for readers at /kb: the public channel for anyone, the portal channel
for signed-in customers, the internal one for staff (what visible_articles allows)."""
import sqlalchemy as sa
from flask import (
    abort, flash, make_response, redirect, render_template, request, session, url_for,
)
from flask_login import current_user

from app.access import visible_articles
from app.extensions import db
from app.knowledge import public_bp as bp
from app.knowledge.forms import VoteForm
from app.knowledge.loading import MovedArticle, article_by_slug, category_or_404, reader_languages
from app.knowledge.routes import count_view
from app.models.knowledge import LANGUAGES, Article
from app.pagination import parse_page
from app.services import knowledge as kb
from app.services import knowledge_articles as articles
from app.services import knowledge_lists as lists

VOTED_KEY = "kb_voted"


@bp.errorhandler(MovedArticle)
def _moved(exc: MovedArticle):
    return exc.response


@bp.route("/")
def home():
    channel = kb.reader_channel(current_user)
    q = (request.args.get("q") or "")[:1000]
    wanted = reader_languages()
    page, hits = lists.find_articles(current_user, q, {}, page=parse_page(request.args.get("page")),
                                     channel=channel, language=wanted[0] if wanted else None)
    lang = request.args.get("lang") if request.args.get("lang") in wanted else None
    return render_template("knowledge/kb_home.html", q=q, page=page, hits=hits, lang=lang,
                           page_url=lambda n: url_for("kb.home", q=q, page=n, lang=lang),
                           recent=[] if q.strip() else lists.recently_published(current_user,
                                                                               channel),
                           top_categories=lists.sub_categories(None),
                           counts=lists.live_category_counts(current_user, channel))


@bp.route("/categories/<int:category_id>")
def category(category_id: int):
    category = category_or_404(category_id)
    channel = kb.reader_channel(current_user)
    return render_template("knowledge/category.html", category=category, public=True,
                           path=kb.category_path(category),
                           children=lists.sub_categories(category),
                           counts=lists.live_category_counts(current_user, channel),
                           versions=lists.category_articles(category, current_user, channel),
                           article_url=lambda v: url_for("kb.article", slug=v.article.slug))


def readable_article(slug: str) -> Article:
    """The article if the reader's channel shows it; 404 otherwise (as if missing)."""
    article = article_by_slug(slug)
    channel = kb.reader_channel(current_user)
    shown = db.session.scalar(sa.select(Article.id).where(
        Article.id == article.id, visible_articles(current_user, channel)))
    if shown is None:
        abort(404)
    return article


@bp.route("/<slug>")
def article(slug: str):
    """The article in the reader's language, else its master language."""
    article = readable_article(slug)
    wanted = reader_languages(article)
    language = articles.pick_language(article, wanted)
    version = articles.live_version(article, language)
    if version is None:
        abort(404)
    master = articles.live_version(article, article.master_language)
    response = make_response(render_template(
        "knowledge/kb_article.html", article=article, version=version, languages=LANGUAGES,
        fell_back=bool(wanted) and language != wanted[0],
        out_of_date=articles.is_out_of_date(version, master),
        other_languages=[code for code in articles.languages_of(article)
                         if code != language and articles.live_version(article, code)],
        form=VoteForm(), voted=article.id in session.get(VOTED_KEY, [])))
    response.vary.add("Accept-Language")  # the language is chosen from it
    count_view(article)
    return response


@bp.post("/<slug>/vote")
def vote(slug: str):
    """Count a reader's "helpful" or "not helpful", once per browser session."""
    article = readable_article(slug)
    form = VoteForm()
    if not form.validate_on_submit() or form.helpful.data not in ("yes", "no"):
        abort(400)
    voted = session.get(VOTED_KEY, [])
    if article.id not in voted:
        column = Article.helpful_count if form.helpful.data == "yes" else Article.unhelpful_count
        db.session.execute(sa.update(Article).where(Article.id == article.id)
                           .values({column: column + 1}))
        db.session.commit()
        session[VOTED_KEY] = [*voted, article.id][-200:]
    flash("Thank you for your feedback.", "success")
    return redirect(url_for("kb.article", slug=article.slug, lang=request.args.get("lang")),
                    code=303)
