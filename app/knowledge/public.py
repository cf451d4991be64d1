"""The knowledge base for readers at /kb: the public channel for anyone, the portal channel
for signed-in customers, the internal one for staff (what visible_articles allows)."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.knowledge import public_bp as bp
from app.knowledge import reading
from app.knowledge.forms import VoteForm
from app.knowledge.loading import MovedArticle, category_or_404, reader_languages
from app.knowledge.routes import count_view
from app.models.knowledge import Article
from app.pagination import parse_page
from app.services import knowledge as kb
from app.services import knowledge_lists as lists


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
    return reading.readable_article(slug, current_user, kb.reader_channel(current_user))


@bp.route("/<slug>")
def article(slug: str):
    """The article in the reader's language, else its master language."""
    article = readable_article(slug)
    context = reading.reading_context(article, reader_languages(article))
    response = make_response(render_template(
        "knowledge/kb_article.html", **context, form=VoteForm(),
        voted=reading.vote_of(article, current_user) is not None))
    response.vary.add("Accept-Language")  # the language is chosen from it
    count_view(article)
    return response


@bp.post("/<slug>/vote")
def vote(slug: str):
    """Count a reader's "helpful" or "not helpful", once per reader."""
    article = readable_article(slug)
    form = VoteForm()
    if not form.validate_on_submit() or form.helpful.data not in ("yes", "no"):
        abort(400)
    reading.vote(article, current_user, form.helpful.data == "yes")
    db.session.commit()
    flash("Thank you for your feedback.", "success")
    return redirect(url_for("kb.article", slug=article.slug, lang=request.args.get("lang")),
                    code=303)
