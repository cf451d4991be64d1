"""The knowledge home's search and lists, category browsing, and the public reader's lists."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.extensions import db
from app.models import User
from app.models.knowledge import (
    CHANNELS, CURRENT_STATUSES, Article, ArticleVersion, Category, article_categories,
)
from app.pagination import Page, paginate
from app.access import visible_articles
from app.services.knowledge import can_approve
from app.services.knowledge_search import highlight, match_versions, query_tokens

LIST_LIMIT = 8
STATUS_FILTERS = ("draft", "in_review", "published", "archived")


@dataclass
class Hit:
    """One search result: the version, and its snippet with the matches marked."""

    version: ArticleVersion
    snippet: Markup

    @property
    def article(self) -> Article:
        return self.version.article


def _with_article():
    return (joinedload(ArticleVersion.article).joinedload(Article.article_type),
            joinedload(ArticleVersion.author))


def filter_clauses(filters: dict) -> list:
    """SQL for the home's filters; keys and values come from the filter form's choices."""
    clauses = []
    status = filters.get("status")
    if status == "archived":
        clauses += [Article.archived_at.is_not(None), ArticleVersion.status == "published"]
    elif status in STATUS_FILTERS:
        clauses += [ArticleVersion.status == status, Article.archived_at.is_(None)]
    else:
        # One row per article and language: the live version, or the open one if none is live.
        sibling = aliased(ArticleVersion)
        live_sibling = sa.exists().where(sibling.article_id == ArticleVersion.article_id,
                                         sibling.language == ArticleVersion.language,
                                         sibling.status == "published")
        clauses += [sa.or_(ArticleVersion.status == "published",
                           sa.and_(ArticleVersion.status.in_(CURRENT_STATUSES), ~live_sibling)),
                    Article.archived_at.is_(None)]
    if filters.get("type"):
        clauses.append(Article.type_id == filters["type"])
    if filters.get("language"):
        clauses.append(ArticleVersion.language == filters["language"])
    if filters.get("channel") in CHANNELS:
        clauses.append(getattr(Article, f"channel_{filters['channel']}").is_(True))
    if filters.get("category"):
        clauses.append(sa.exists().where(article_categories.c.article_id == Article.id,
                                         article_categories.c.category_id == filters["category"]))
    return clauses


def find_articles(user: User, q: str, filters: dict, *, page: int, per_page: int = 20,
                  channel: str = "internal", language: str | None = None) -> tuple[Page, list[Hit]]:
    """Search (or list, with no query) the versions a reader may see, with snippets; readers
    outside the staff area get one version an article: in `language`, else the master."""
    matches = match_versions(q)
    if channel == "internal":
        # Staff manage every article here, whichever channels it is published in.
        where = filter_clauses(filters) if user.is_staff else [sa.false()]
    else:
        where = [visible_articles(user, channel), ArticleVersion.status == "published",
                 in_reader_language(language)]
    if q and q.strip() and matches is None:
        return Page(items=[], page=1, per_page=per_page, total=0), []
    if matches is not None:
        result = _ranked_page(matches, where, page=page, per_page=per_page)
    else:
        stmt = (sa.select(ArticleVersion).order_by(
                    sa.func.coalesce(ArticleVersion.published_at,
                                     ArticleVersion.created_at).desc(), ArticleVersion.id.desc())
                .join(Article, Article.id == ArticleVersion.article_id).where(*where)
                .options(*_with_article()))
        result = paginate(stmt, page=page, per_page=per_page)
    tokens = query_tokens(q)
    # The snippet comes from the fields: the title is already the result's link.
    return result, [Hit(v, highlight(v.body_text or v.search_text, tokens))
                    for v in result.items]


def _ranked_page(matches, where: list, *, page: int, per_page: int) -> Page:
    """One page of matching versions, best first: the page's ids are ranked and cut first, so
    only its rows are read whole with their article, type and author."""
    ranked = (sa.select(ArticleVersion.id, matches.c.score)
              .join(matches, matches.c.version_id == ArticleVersion.id)
              .join(Article, Article.id == ArticleVersion.article_id).where(*where))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ranked.subquery())) or 0
    page = min(page, max(1, -(-total // per_page)))
    cut = (ranked.order_by(matches.c.score.desc(), ArticleVersion.id.desc())
           .limit(per_page).offset((page - 1) * per_page).subquery("page_ids"))
    items = db.session.scalars(
        sa.select(ArticleVersion).join(cut, cut.c.id == ArticleVersion.id)
        .options(*_with_article()).order_by(cut.c.score.desc(), ArticleVersion.id.desc()))
    return Page(items=list(items.unique()), page=page, per_page=per_page, total=total)


def in_reader_language(language: str | None) -> sa.ColumnElement[bool]:
    """SQL: the live version in the language, or the master's where there is none in it."""
    master = ArticleVersion.language == Article.master_language
    if not language:
        return master
    sibling = aliased(ArticleVersion)
    translated = sa.exists().where(sibling.article_id == ArticleVersion.article_id,
                                   sibling.language == language,
                                   sibling.status == "published")
    return sa.or_(ArticleVersion.language == language, sa.and_(master, ~translated))


def my_drafts(user: User) -> list[ArticleVersion]:
    return list(db.session.scalars(
        sa.select(ArticleVersion).join(Article)
        .where(ArticleVersion.author_id == user.id, ArticleVersion.status == "draft",
               Article.archived_at.is_(None))
        .options(*_with_article()).order_by(ArticleVersion.created_at.desc()).limit(LIST_LIMIT)))


def awaiting_approval(user: User) -> list[ArticleVersion]:
    if not can_approve(user):
        return []
    return list(db.session.scalars(
        sa.select(ArticleVersion).join(Article)
        .where(ArticleVersion.status == "in_review", Article.archived_at.is_(None))
        .options(*_with_article()).order_by(ArticleVersion.submitted_at).limit(LIST_LIMIT)))


def recently_published(user, channel: str = "internal", limit: int = LIST_LIMIT,
                       language: str | None = None) -> list[ArticleVersion]:
    """The latest published articles, each in `language` where translated, else the master."""
    return list(db.session.scalars(
        sa.select(ArticleVersion).join(Article)
        .where(ArticleVersion.status == "published", visible_articles(user, channel),
               in_reader_language(language))
        .options(*_with_article()).order_by(ArticleVersion.published_at.desc()).limit(limit)))


def most_attached(user: User) -> list[ArticleVersion]:
    return list(db.session.scalars(
        sa.select(ArticleVersion).join(Article)
        .where(ArticleVersion.status == "published", visible_articles(user, "internal"),
               ArticleVersion.language == Article.master_language, Article.attach_count > 0)
        .options(*_with_article())
        .order_by(Article.attach_count.desc(), Article.id).limit(LIST_LIMIT)))


def out_of_date_translations(limit: int = LIST_LIMIT) -> list[tuple[ArticleVersion, int]]:
    """Live translations written from an older master version than the live one, with the
    master's number."""
    master = aliased(ArticleVersion)
    rows = db.session.execute(
        sa.select(ArticleVersion, master.number)
        .join(Article, Article.id == ArticleVersion.article_id)
        .join(master, sa.and_(master.article_id == Article.id,
                              master.language == Article.master_language,
                              master.status == "published"))
        .where(ArticleVersion.status == "published",
               ArticleVersion.language != Article.master_language,
               Article.archived_at.is_(None),
               sa.func.coalesce(ArticleVersion.based_on_number, 0) < master.number)
        .options(*_with_article()).order_by(master.published_at.desc()).limit(limit))
    return [tuple(row) for row in rows]


def category_articles(category: Category, user, channel: str,
                      language: str | None = None) -> list[ArticleVersion]:
    """The live versions of the articles filed directly in this category: in `language`
    where translated, else the master."""
    return list(db.session.scalars(
        sa.select(ArticleVersion).join(Article)
        .join(article_categories, article_categories.c.article_id == Article.id)
        .where(article_categories.c.category_id == category.id,
               ArticleVersion.status == "published", visible_articles(user, channel),
               in_reader_language(language))
        .options(*_with_article()).order_by(ArticleVersion.title)))


def live_category_counts(user, channel: str) -> dict[int, int]:
    """Per category: the articles with a live version the reader sees in it or below it."""
    live = sa.exists().where(ArticleVersion.article_id == Article.id,
                             ArticleVersion.status == "published")
    rows = db.session.execute(
        sa.select(article_categories.c.category_id, sa.func.count())
        .join(Article, Article.id == article_categories.c.article_id)
        .where(visible_articles(user, channel), live)
        .group_by(article_categories.c.category_id))
    direct = dict(rows.tuples().all())
    parents = dict(db.session.execute(sa.select(Category.id, Category.parent_id)).tuples().all())
    totals: dict[int, int] = {}
    for category_id, count in direct.items():
        seen = set()
        while category_id is not None and category_id not in seen:  # up to the root
            seen.add(category_id)
            totals[category_id] = totals.get(category_id, 0) + count
            category_id = parents.get(category_id)
    return totals


def sub_categories(parent: Category | None) -> list[Category]:
    return list(db.session.scalars(
        sa.select(Category).where(Category.parent_id == parent.id if parent
                                  else Category.parent_id.is_(None))
        .options(selectinload(Category.children))
        .order_by(Category.position, Category.name)))
