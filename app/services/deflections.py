"""Deflections: a customer about to open a portal case said a suggested article answered
their question instead; staff see the count on the article's page."""
from __future__ import annotations

import sqlalchemy as sa

from app.access import visible_articles
from app.extensions import db
from app.models import Contact, User
from app.models.feedback import ArticleDeflection
from app.models.knowledge import Article
from app.services.errors import ValidationFailed


def record_deflection(*, actor: User, contact: Contact, article_id: str | int
                      ) -> ArticleDeflection:
    """Count that a portal article answered the customer's question before a case was opened."""
    article = None
    if str(article_id or "").isdigit() and int(article_id) < 2**31:
        article = db.session.scalar(sa.select(Article).where(
            Article.id == int(article_id), visible_articles(actor, "portal")))
    if article is None:
        raise ValidationFailed("That article could not be found.")
    deflection = ArticleDeflection(article_id=article.id, contact_id=contact.id)
    db.session.add(deflection)
    db.session.flush()
    return deflection


def deflection_count(article: Article) -> int:
    """How many portal cases this article answered before they were opened."""
    return db.session.scalar(sa.select(sa.func.count()).where(
        ArticleDeflection.article_id == article.id)) or 0
