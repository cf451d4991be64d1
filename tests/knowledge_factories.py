"""Small factories for knowledge tests: types, categories, articles in a chosen state."""
import sqlalchemy as sa

from app.extensions import db
from app.models.knowledge import ArticleType
from app.services import knowledge as kb
from app.services import knowledge_articles as articles


def seed_types() -> dict[str, ArticleType]:
    kb.seed_article_types()
    return {t.name: t for t in db.session.scalars(sa.select(ArticleType))}


def set_approval(on: bool, *, writers: str = "all") -> None:
    settings = kb.stored_knowledge_settings()
    settings.approval_required, settings.writers = on, writers
    db.session.flush()


def make_article(author, *, title="How do I reset my password?", type_name="FAQ",
                 fields=None, channels=("internal",), categories=(), publish=True,
                 language="en"):
    """An article with one version, published (approval off while publishing) unless told."""
    types = seed_types()
    article_type = types[type_name]
    fields = fields or {article_type.fields[0].key: title,
                        article_type.fields[-1].key: "Open **Settings** and choose Reset."}
    article = articles.create_article(actor=author, article_type=article_type, title=title,
                                      fields=fields, channels=list(channels),
                                      categories=list(categories), language=language)
    if publish:
        settings = kb.stored_knowledge_settings()
        was = settings.approval_required
        settings.approval_required = False
        articles.publish_version(article.versions[0], actor=author)
        settings.approval_required = was
    db.session.flush()
    return article
