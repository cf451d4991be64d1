"""Reading an article as a reader (at /kb and in the portal): who may open it, the version in
their language, and their "was this helpful?" vote. Views call these and render their own page."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, session

from app.access import visible_articles
from app.extensions import db
from app.knowledge.loading import article_by_slug
from app.models.knowledge import LANGUAGES, Article
from app.services import knowledge_articles as articles
from app.services import knowledge_votes as votes

VOTED_KEY = "kb_voted"


def readable_article(slug: str, reader, channel: str) -> Article:
    """The article if the reader's channel shows it; 404 otherwise (as if missing). An old
    slug raises MovedArticle (a redirect to the current address)."""
    article = article_by_slug(slug)
    shown = db.session.scalar(sa.select(Article.id).where(
        Article.id == article.id, visible_articles(reader, channel)))
    if shown is None:
        abort(404)
    return article


def reading_context(article: Article, wanted: list[str]) -> dict:
    """The live version in the first wanted language that has one, else the master's (404
    when neither is live), whether that fell back, and the other languages it is live in."""
    language = articles.pick_language(article, wanted)
    version = articles.live_version(article, language)
    if version is None:
        abort(404)
    master = (version if language == article.master_language
              else articles.live_version(article, article.master_language))
    return {"article": article, "version": version, "languages": LANGUAGES,
            "fell_back": bool(wanted) and language != wanted[0],
            "out_of_date": articles.is_out_of_date(version, master),
            "other_languages": [code for code in articles.languages_of(article)
                                if code != language and articles.live_version(article, code)]}


def vote(article: Article, reader, helpful: bool) -> None:
    """Count the reader's vote once: a signed-in reader's by their account (they may change
    it), anyone else's once per browser session."""
    if getattr(reader, "is_authenticated", False):
        votes.vote_on_article(article, voter=reader, helpful=helpful)
        return
    voted = session.get(VOTED_KEY, [])
    if article.id not in voted:
        votes.count_anonymous_vote(article, helpful=helpful)
        session[VOTED_KEY] = [*voted, article.id][-200:]


def vote_of(article: Article, reader) -> bool | None:
    """The reader's vote (True helpful, False not); for anonymous readers True once voted."""
    if getattr(reader, "is_authenticated", False):
        return votes.reader_vote(article, reader)
    return True if article.id in session.get(VOTED_KEY, []) else None
