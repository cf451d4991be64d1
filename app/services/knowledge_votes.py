"""Readers' "was this helpful?": one vote per signed-in reader and article, which they may
change; the article's counters add up every vote (anonymous readers' too)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import User
from app.models.common import utcnow
from app.models.knowledge import Article, ArticleVote


def _counter(helpful: bool):
    return Article.helpful_count if helpful else Article.unhelpful_count


def _add_to_counters(article: Article, helpful: bool, *, taken_back: bool = False) -> None:
    values = {_counter(helpful): _counter(helpful) + 1}
    if taken_back:
        values[_counter(not helpful)] = _counter(not helpful) - 1
    db.session.execute(sa.update(Article).where(Article.id == article.id).values(values)
                       .execution_options(synchronize_session=False))


def count_anonymous_vote(article: Article, *, helpful: bool) -> None:
    """Count a vote from a reader who is not signed in (the view keeps them to one)."""
    _add_to_counters(article, helpful)
    db.session.flush()


def vote_on_article(article: Article, *, voter: User, helpful: bool) -> str:
    """Record the reader's vote: "new", "changed" (the other answer before) or "same"."""
    # One conditional UPDATE: two clicks at once cannot both move the counters.
    changed = db.session.execute(
        sa.update(ArticleVote)
        .where(ArticleVote.article_id == article.id, ArticleVote.user_id == voter.id,
               ArticleVote.helpful != helpful)
        .values(helpful=helpful, voted_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if changed:
        _add_to_counters(article, helpful, taken_back=True)
        db.session.flush()
        return "changed"
    if reader_vote(article, voter) is not None:
        return "same"
    try:
        with db.session.begin_nested():
            db.session.add(ArticleVote(article_id=article.id, user_id=voter.id, helpful=helpful))
            db.session.flush()
    except IntegrityError:  # the same reader's vote saved a moment ago in another request
        return "same"
    _add_to_counters(article, helpful)
    db.session.flush()
    return "new"


def reader_vote(article: Article, voter: User) -> bool | None:
    """The reader's vote on the article: True (helpful), False, or None when they have not."""
    return db.session.scalar(sa.select(ArticleVote.helpful).where(
        ArticleVote.article_id == article.id, ArticleVote.user_id == voter.id))
