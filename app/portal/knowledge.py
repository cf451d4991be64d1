"""Help articles in the portal: the portal channel in the customer's language (else the
article's master), full-text search, categories with counts, and helpful / not helpful.

The reading rules are /kb's (app.knowledge.reading and the knowledge services); these views
only choose the portal's channel, the customer's language and the portal's pages."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for

from app.extensions import db
from app.htmx import render_page_or_fragment
from app.knowledge import reading
from app.knowledge.forms import VoteForm
from app.knowledge.loading import MovedArticle, category_or_404
from app.knowledge.routes import count_view
from app.models.knowledge import LANGUAGES
from app.pagination import parse_page
from app.portal import bp
from app.portal.common import current_customer
from app.services import knowledge as kb
from app.services import knowledge_lists as lists

CHANNEL = "portal"
MAX_QUERY = 1000


@bp.errorhandler(MovedArticle)
def _moved(exc: MovedArticle):
    return exc.response


def reader_language() -> str:
    """The customer's language when the knowledge base offers it, else English."""
    offered = kb.get_knowledge_settings().language_codes
    language = current_customer().language
    return language if language in offered else offered[0]


def wanted_languages(article) -> list[str]:
    """?lang= (a link to another translation), then the customer's language, then the master."""
    offered = kb.get_knowledge_settings().language_codes
    wanted = [request.args["lang"]] if request.args.get("lang") in offered else []
    for code in (reader_language(), article.master_language):
        if code not in wanted:
            wanted.append(code)
    return wanted


@bp.route("/knowledge")
def knowledge():
    """Search the portal's articles (highlighted snippets), or browse topics and the latest."""
    q = (request.args.get("q") or "")[:MAX_QUERY]
    me, language = current_customer(), reader_language()
    context = {"q": q, "searching": bool(q.strip()), "language": language,
               "languages": LANGUAGES}
    if context["searching"]:
        results, hits = lists.find_articles(me, q, {}, channel=CHANNEL, language=language,
                                            page=parse_page(request.args.get("page")))
        context |= {"results": results, "hits": hits,
                    "page_url": lambda n: url_for("portal.knowledge", q=q, page=n)}
    else:
        counts = lists.live_category_counts(me, CHANNEL)
        context |= {"counts": counts,
                    "topics": [c for c in lists.sub_categories(None) if counts.get(c.id)],
                    "recent": lists.recently_published(me, CHANNEL, language=language)}
    return render_page_or_fragment("portal/knowledge.html", "portal/_knowledge_results.html",
                                   **context)


@bp.route("/knowledge/categories/<int:category_id>")
def knowledge_category(category_id: int):
    """A topic's articles and sub-topics; a topic with no portal article in it is 404."""
    if not 0 < category_id < 2**31:
        abort(404)
    category = category_or_404(category_id)
    counts = lists.live_category_counts(current_customer(), CHANNEL)
    if not counts.get(category.id):
        abort(404)
    return render_template(
        "portal/knowledge_category.html", category=category, counts=counts, path=kb.category_path(category),
        children=[c for c in lists.sub_categories(category) if counts.get(c.id)],
        versions=lists.category_articles(category, current_customer(), CHANNEL,
                                         language=reader_language()))


@bp.route("/knowledge/<slug>")
def article(slug: str):
    """An article in the customer's language, else its master (saying so); counted as read."""
    article = reading.readable_article(slug, current_customer(), CHANNEL)
    context = reading.reading_context(article, wanted_languages(article))
    response = make_response(render_template(
        "portal/knowledge_article.html", **context, reader_language=reader_language(),
        form=VoteForm(), my_vote=reading.vote_of(article, current_customer())))
    count_view(article)
    return response


@bp.post("/knowledge/<slug>/vote")
def knowledge_vote(slug: str):
    """Record the customer's "helpful" or "not helpful" (one per customer; they may change it)."""
    article = reading.readable_article(slug, current_customer(), CHANNEL)
    form = VoteForm()
    if not form.validate_on_submit() or form.helpful.data not in ("yes", "no"):
        abort(400)
    reading.vote(article, current_customer(), form.helpful.data == "yes")
    db.session.commit()
    flash("Thank you for your feedback.", "success")
    lang = request.args.get("lang")
    return redirect(url_for("portal.article", slug=article.slug,
                            lang=lang if lang in LANGUAGES else None) + "#feedback", code=303)
