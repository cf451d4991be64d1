"""Loading articles and versions for views: by slug (old slugs redirect), by id through the
article, and the reader's languages."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.extensions import db
from app.models.knowledge import Article, ArticleSlug, ArticleType, ArticleVersion, Category
from app.services.errors import AccessDenied
from app.services.knowledge import can_write, get_knowledge_settings


class MovedArticle(Exception):
    """The slug is an old one: answer with a redirect to the current address."""

    def __init__(self, response):
        super().__init__("moved")
        self.response = response


def article_by_slug(slug: str) -> Article:
    """The article at this slug; an old slug raises MovedArticle, an unknown one 404s."""
    article = db.session.scalar(sa.select(Article).where(Article.slug == slug))
    if article is not None:
        return article
    article_id = db.session.scalar(sa.select(ArticleSlug.article_id)
                                   .where(ArticleSlug.slug == slug))
    if article_id is None:
        abort(404)
    article = db.session.get(Article, article_id)
    values = dict(request.view_args or {}, slug=article.slug, **request.args.to_dict())
    raise MovedArticle(redirect(url_for(request.endpoint, **values), code=301))


def version_of(article: Article, version_id: int) -> ArticleVersion:
    """A version loaded through its article: another article's version is 404."""
    version = db.session.scalar(sa.select(ArticleVersion).where(
        ArticleVersion.id == version_id, ArticleVersion.article_id == article.id))
    if version is None:
        abort(404)
    return version


def type_or_404(type_id) -> ArticleType:
    article_type = db.session.get(ArticleType, type_id) if type_id else None
    if article_type is None:
        abort(404)
    return article_type


def category_or_404(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    return category


def reader_languages(article: Article | None = None) -> list[str]:
    """The languages a reader asked for, best first: ?lang=, then Accept-Language."""
    offered = get_knowledge_settings().language_codes
    wanted = []
    if request.args.get("lang") in offered:
        wanted.append(request.args["lang"])
    for code, _quality in request.accept_languages:
        base = code.split("-")[0].lower()
        if base in offered and base not in wanted:
            wanted.append(base)
    if article is not None and article.master_language not in wanted:
        wanted.append(article.master_language)
    return wanted


def chosen_language(article: Article) -> str:
    """The language a staff page works in: ?lang= when offered, else the master."""
    lang = request.args.get("lang") or request.form.get("lang")
    return lang if lang in get_knowledge_settings().language_codes else article.master_language


def require_writer_here() -> None:
    if not can_write(current_user):
        abort(403)


def require_admin_here() -> None:
    if not current_user.is_admin:
        abort(403)


def refuse(exc: AccessDenied):
    abort(403)
