"""Knowledge on cases: attaching articles, suggesting them, writing one from a case."""
from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from app.access import visible_cases
from app.extensions import db
from app.models import Case, FeedItem, User
from app.models.knowledge import Article, ArticleType, ArticleVersion, CaseArticle
from app.services.errors import ValidationFailed
from app.access import visible_articles
from app.services import search_index
from app.services.knowledge import can_write
from app.services.knowledge_search import query_tokens

# The best candidates read in one statement; the five shown come from these. Of the versions
# matching the text, the best TEXT_CANDIDATES are candidates (a case's description matches
# most of a large knowledge base somewhere).
CANDIDATES = 20
TEXT_CANDIDATES = 200


@dataclass
class Suggestion:
    """An article suggested for a case, with why."""

    version: ArticleVersion
    similar_cases: int = 0
    matched: list[str] = field(default_factory=list)

    @property
    def article(self) -> Article:
        return self.version.article

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.similar_cases:
            plural = "s" if self.similar_cases != 1 else ""
            reasons.append(f"attached to {self.similar_cases} similar case{plural}")
        if self.matched:
            reasons.append("matches: " + ", ".join(self.matched[:5]))
        return reasons


def significant_tokens(text: str, limit: int = 12) -> list[str]:
    """The words of a text that say what it is about (no stop words, no single letters)."""
    return search_index.significant_words(text, limit)


def attached_articles(case: Case) -> list[CaseArticle]:
    return list(db.session.scalars(
        sa.select(CaseArticle).where(CaseArticle.case_id == case.id)
        .options(joinedload(CaseArticle.article), joinedload(CaseArticle.version),
                 joinedload(CaseArticle.attached_by))
        .order_by(CaseArticle.attached_at.desc())))


def attach_article(case: Case, article: Article, *, actor: User, link: str,
                   language: str | None = None) -> CaseArticle:
    """Attach the article's live version to the case, with a feed item saying so."""
    language = language or article.master_language
    version = db.session.scalar(sa.select(ArticleVersion).where(
        ArticleVersion.article_id == article.id, ArticleVersion.language == language,
        ArticleVersion.status == "published"))
    if version is None or article.is_archived or not article.channel_internal:
        raise ValidationFailed("Only a published article can be attached.")
    existing = db.session.scalar(sa.select(CaseArticle).where(
        CaseArticle.case_id == case.id, CaseArticle.article_id == article.id))
    if existing is not None:
        return existing
    link_row = CaseArticle(case_id=case.id, article=article, version_id=version.id,
                           version_number=version.number, language=language, attached_by=actor)
    db.session.add(link_row)
    article.attach_count = (article.attach_count or 0) + 1
    body_html = Markup('<p><a href="{}">{}</a> <span class="muted">(version {})</span></p>').format(
        link, version.title, version.number)
    db.session.add(FeedItem(case_id=case.id, kind="article", author=actor, body=version.title,
                            body_html=str(body_html), visibility="internal"))
    db.session.flush()
    return link_row


def detach_article(case: Case, case_article: CaseArticle, *, actor: User) -> None:
    """Take an article off the case (the feed keeps that it was shared)."""
    if case_article.case_id != case.id:
        raise ValidationFailed("That article is not attached to this case.")
    article = case_article.article
    article.attach_count = max(0, (article.attach_count or 0) - 1)
    db.session.add(FeedItem(case_id=case.id, kind="system", author=actor,
                            body=f"Removed the article “{case_article.title}”."))
    db.session.delete(case_article)
    db.session.flush()


def attach_from_source_case(version: ArticleVersion, *, actor: User) -> None:
    """When an article written from a case is first published, attach it to that case."""
    case = db.session.get(Case, version.article.source_case_id)
    if case is None:
        return
    from flask import url_for

    link = url_for("knowledge.view_article", slug=version.article.slug)
    attach_article(case, version.article, actor=actor, link=link, language=version.language)


def _similar_counts(words: list[str], viewer: User,
                    exclude_case_id: int | None) -> sa.Subquery | None:
    """(article_id, cases): per article, the cases it is attached to whose subject shares at
    least two of these words (the one, when there is one) and the viewer may see."""
    if not words:
        return None
    similar = search_index.similar_cases(words, needed=min(2, len(words)))
    stmt = (sa.select(CaseArticle.article_id, sa.func.count().label("cases"))
            .join(similar, similar.c.case_id == CaseArticle.case_id)
            .join(Case, Case.id == CaseArticle.case_id)
            .where(visible_cases(viewer)).group_by(CaseArticle.article_id))
    if exclude_case_id is not None:
        stmt = stmt.where(CaseArticle.case_id != exclude_case_id)
    return stmt.subquery("similar_counts")


def similar_case_counts(tokens: list[str], viewer: User, *,
                        exclude_case_id: int | None = None) -> Tally:
    """Per article: how many other cases with a subject like these words it is attached to."""
    counts = _similar_counts(tokens, viewer, exclude_case_id)
    if counts is None:
        return Tally()
    return Tally(dict(db.session.execute(sa.select(counts.c.article_id, counts.c.cases))
                      .tuples().all()))


def _candidates(tokens: list[str], counts: sa.Subquery | None) -> sa.Subquery:
    """(version_id, score, cases): the versions matching the text best, and the live versions
    of articles on similar cases, each with its score and its count of similar cases."""
    # Whole words but the last (being typed): a dozen prefixes cost the engine a range each.
    matches = search_index.match_article_versions(tokens, any_terms=True, every_prefix=False)
    best = (sa.select(matches.c.version_id, matches.c.score).order_by(matches.c.score.desc())
            .limit(TEXT_CANDIDATES).subquery("best"))
    parts = [sa.select(best.c.version_id, best.c.score, sa.literal(0).label("cases"))]
    if counts is not None:
        parts.append(sa.select(ArticleVersion.id, sa.literal(0.0), counts.c.cases)
                     .join(counts, counts.c.article_id == ArticleVersion.article_id)
                     .where(ArticleVersion.status == "published"))
    union = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery("candidates")
    return (sa.select(union.c.version_id, sa.func.max(union.c.score).label("score"),
                      sa.func.max(union.c.cases).label("cases"))
            .group_by(union.c.version_id).subquery("found"))


def _best_readable(found: sa.Subquery, viewer: User, exclude_article_ids) -> sa.Select:
    """(version, cases, score) of the best CANDIDATES the viewer may read, best first: ranked
    and cut on ids, so only the versions kept are read whole."""
    readable = (sa.select(found)
                .join(ArticleVersion, ArticleVersion.id == found.c.version_id)
                .join(Article, Article.id == ArticleVersion.article_id)
                .where(visible_articles(viewer, "internal"), ArticleVersion.status == "published",
                       ArticleVersion.language == Article.master_language))
    if exclude_article_ids:
        readable = readable.where(ArticleVersion.article_id.not_in(list(exclude_article_ids)))
    cut = (readable.order_by(found.c.cases.desc(), found.c.score.desc(),
                             found.c.version_id.desc()).limit(CANDIDATES).subquery("cut"))
    return (sa.select(ArticleVersion, cut.c.cases, cut.c.score)
            .join(cut, cut.c.version_id == ArticleVersion.id)
            .options(joinedload(ArticleVersion.article))
            .order_by(cut.c.cases.desc(), cut.c.score.desc(), cut.c.version_id.desc()))


def suggest_articles(text: str, viewer: User, *, exclude_case: Case | None = None,
                     exclude_article_ids: set[int] = frozenset(), limit: int = 5,
                     subject: str | None = None) -> list[Suggestion]:
    """Published internal articles for a case's text: those attached to cases with similar
    subjects first (more such cases first), then by full-text relevance. One statement."""
    tokens = significant_tokens(text)
    if not tokens:
        return []
    counts = _similar_counts(significant_tokens(subject if subject is not None else text),
                             viewer, exclude_case.id if exclude_case else None)
    stmt = _best_readable(_candidates(tokens, counts), viewer, exclude_article_ids)
    suggestions = []
    for version, similar, _score in db.session.execute(stmt):
        words = set(query_tokens(version.search_text))
        matched = [t for t in tokens if t in words or any(w.startswith(t) for w in words)]
        if not similar and len(matched) < min(2, len(tokens)):
            continue  # one shared word among many says little
        suggestions.append(Suggestion(version, similar, matched))
        if len(suggestions) >= limit:
            break
    return suggestions


def case_knowledge(case: Case, viewer: User) -> dict:
    """The Knowledge related list's data: attached articles and suggestions."""
    attached = attached_articles(case)
    suggestions = suggest_articles(f"{case.subject}\n{case.description or ''}", viewer,
                                   exclude_case=case, subject=case.subject,
                                   exclude_article_ids={row.article_id for row in attached})
    return {"knowledge_attached": attached, "knowledge_suggestions": suggestions,
            "knowledge_can_write": can_write(viewer)}


def last_public_reply(case: Case) -> str:
    """The text of the last public staff post on the case (the likely answer)."""
    return db.session.scalar(
        sa.select(FeedItem.body).join(User, User.id == FeedItem.author_id)
        .where(FeedItem.case_id == case.id, FeedItem.visibility == "public",
               FeedItem.kind.in_(("post", "email")), User.role.in_(("admin", "agent")))
        .order_by(FeedItem.created_at.desc(), FeedItem.id.desc()).limit(1)) or ""


def draft_from_case(case: Case, article_type: ArticleType) -> dict:
    """Prefill for an article written from a case: its subject, description and last reply."""
    keys = [f.key for f in article_type.fields]
    reply = last_public_reply(case)
    fields = {}
    if keys:
        fields[keys[0]] = case.subject if len(keys) > 1 else f"{case.description}\n\n{reply}"
    if len(keys) > 1:
        fields[keys[-1]] = reply
        if len(keys) > 2:
            fields[keys[0]] = case.description or case.subject
    return {"title": case.subject, "fields": fields}
