"""An article's life: drafts, review, publishing, versions, translations, archiving."""
from __future__ import annotations

import difflib
import re
import unicodedata

import sqlalchemy as sa
from app.extensions import db
from app.models import User
from app.models.common import utcnow
from app.models.knowledge import (
    CHANNELS, OPEN_STATUSES, Article, ArticleSlug, ArticleType, ArticleVersion, Category,
)
from app.services.errors import AccessDenied, ValidationFailed
from app.services.knowledge import (
    can_approve, get_knowledge_settings, require_writer,
)
from app.services.knowledge_cases import attach_from_source_case
from app.services.knowledge_search import index_article, unindex_versions


def slugify(title: str) -> str:
    """A URL slug from a title (ASCII letters and digits; "article" when none are left)."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "article"


def unique_slug(base: str, article: Article | None = None) -> str:
    slug, n = base, 2
    while True:
        owner = db.session.scalar(sa.select(Article.id).where(Article.slug == slug))
        old = db.session.scalar(sa.select(ArticleSlug.article_id).where(ArticleSlug.slug == slug))
        mine = article is not None and article.id is not None
        if (owner is None or (mine and owner == article.id)) and \
                (old is None or (mine and old == article.id)):
            return slug
        slug, n = f"{base}-{n}", n + 1


def clean_fields(article_type: ArticleType, values: dict) -> dict[str, str]:
    """Only the type's own fields, as stripped text."""
    return {field.key: str(values.get(field.key) or "").strip() for field in article_type.fields}


def check_text(title: str, language: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("Give the article a title.", "title")
    if language not in get_knowledge_settings().language_codes:
        raise ValidationFailed("Choose one of the knowledge base's languages.", "language")
    return title[:255]


def create_article(*, actor: User, article_type: ArticleType, title: str, fields: dict,
                   language: str = "en", categories: list[Category] = (),
                   channels: list[str] = ("internal",), change_note: str = "",
                   source_case=None) -> Article:
    """A new article with its first version, a draft in its master language."""
    require_writer(actor)
    title = check_text(title, language)
    article = Article(slug=unique_slug(slugify(title)), article_type=article_type,
                      master_language=language, created_by=actor, categories=list(categories),
                      source_case_id=source_case.id if source_case else None)
    set_channels(article, channels)
    db.session.add(article)
    version = ArticleVersion(article=article, language=language, number=1, title=title,
                             fields=clean_fields(article_type, fields), status="draft",
                             change_note=change_note or "First version", author=actor)
    db.session.add(version)
    db.session.flush()
    index_article(version)
    return article


def set_channels(article: Article, channels) -> None:
    for name in CHANNELS:
        setattr(article, f"channel_{name}", name in channels)


def update_article_settings(article: Article, *, actor: User, slug: str,
                            categories: list[Category], channels: list[str]) -> Article:
    """Change where the article appears and its address; the old address keeps working."""
    require_writer(actor)
    wanted = slugify(slug or "")
    if wanted != article.slug:
        if unique_slug(wanted, article) != wanted:
            raise ValidationFailed("Another article uses that address.", "slug")
        db.session.execute(sa.delete(ArticleSlug).where(ArticleSlug.slug == wanted))
        db.session.add(ArticleSlug(slug=article.slug, article_id=article.id))
        article.slug = wanted
    article.categories = list(categories)
    set_channels(article, channels)
    db.session.flush()
    return article


def versions_of(article: Article, language: str) -> list[ArticleVersion]:
    """The article's versions in one language, newest first."""
    return list(db.session.scalars(
        sa.select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                        ArticleVersion.language == language)
        .order_by(ArticleVersion.number.desc())))


def live_version(article: Article, language: str) -> ArticleVersion | None:
    return db.session.scalar(sa.select(ArticleVersion).where(
        ArticleVersion.article_id == article.id, ArticleVersion.language == language,
        ArticleVersion.status == "published"))


def open_version(article: Article, language: str) -> ArticleVersion | None:
    """The draft or in-review version of this language, if one is being worked on."""
    return db.session.scalar(sa.select(ArticleVersion).where(
        ArticleVersion.article_id == article.id, ArticleVersion.language == language,
        ArticleVersion.status.in_(OPEN_STATUSES)))


def languages_of(article: Article) -> list[str]:
    """The languages the article has versions in, master first."""
    codes = set(db.session.scalars(sa.select(ArticleVersion.language).distinct()
                                   .where(ArticleVersion.article_id == article.id)))
    return [article.master_language] + sorted(codes - {article.master_language})


def _next_number(article: Article, language: str) -> int:
    return (db.session.scalar(sa.select(sa.func.max(ArticleVersion.number)).where(
        ArticleVersion.article_id == article.id, ArticleVersion.language == language)) or 0) + 1


def save_draft(article: Article, *, actor: User, language: str, title: str, fields: dict,
               change_note: str = "") -> ArticleVersion:
    """Write the open draft of a language, starting one if none is open: the published
    version stays live until this one is published. A version in review goes back to draft."""
    require_writer(actor)
    title = check_text(title, language)
    fields = clean_fields(article.article_type, fields)
    based_on = None
    if language != article.master_language:
        master = live_version(article, article.master_language)
        based_on = master.number if master else None
    version = open_version(article, language)
    if version is None:
        version = ArticleVersion(article=article, language=language,
                                 number=_next_number(article, language))
    version.title, version.fields, version.based_on_number = title, fields, based_on
    version.status, version.author = "draft", actor
    version.change_note = (change_note or "").strip()[:255]
    db.session.add(version)
    article.updated_at = utcnow()
    db.session.flush()
    index_article(version)
    return version


def submit_version(version: ArticleVersion, *, actor: User) -> ArticleVersion:
    """Send a draft for review; where approval is off, the author publishes it directly."""
    require_writer(actor)
    if version.status != "draft":
        raise ValidationFailed("Only a draft can be submitted.")
    if not get_knowledge_settings().approval_required:
        return publish_version(version, actor=actor)
    version.status, version.submitted_at, version.review_comment = "in_review", utcnow(), ""
    db.session.flush()
    return version


def approve_version(version: ArticleVersion, *, actor: User, comment: str = "") -> ArticleVersion:
    """An approver publishes a version that is in review."""
    if not can_approve(actor):
        raise AccessDenied("Only approvers approve articles.")
    if version.status != "in_review":
        raise ValidationFailed("Only a version in review can be approved.")
    version.review_comment = (comment or "").strip()
    return publish_version(version, actor=actor)


def reject_version(version: ArticleVersion, *, actor: User, comment: str) -> ArticleVersion:
    """Send a version in review back to its author as a draft, with the reason."""
    if not can_approve(actor):
        raise AccessDenied("Only approvers review articles.")
    if version.status != "in_review":
        raise ValidationFailed("Only a version in review can be rejected.")
    if not (comment or "").strip():
        raise ValidationFailed("Say what needs to change.", "comment")
    version.status, version.review_comment = "draft", comment.strip()
    version.approver, version.reviewed_at = actor, utcnow()
    db.session.flush()
    return version


def publish_version(version: ArticleVersion, *, actor: User) -> ArticleVersion:
    """Make the version the live one of its language; the one it replaces becomes previous."""
    settings = get_knowledge_settings()
    if settings.approval_required and not can_approve(actor):
        raise AccessDenied("Approval is required: an approver publishes articles.")
    if not can_approve(actor):
        require_writer(actor)
    if version.status not in OPEN_STATUSES:
        raise ValidationFailed("Only a draft or a version in review can be published.")
    previous = live_version(version.article, version.language)
    if previous is not None:
        previous.status = "superseded"
    now = utcnow()
    version.status, version.published_at = "published", now
    if settings.approval_required:
        version.approver, version.reviewed_at = actor, now
    version.article.updated_at = now
    db.session.flush()
    prune_versions(version.article, version.language, settings.keep_versions)
    if version.article.source_case_id and version.language == version.article.master_language:
        attach_from_source_case(version, actor=actor)
    return version


def prune_versions(article: Article, language: str, keep: int) -> None:
    """Delete past versions beyond the newest `keep` (0 keeps all)."""
    if keep <= 0:
        return
    past = [v for v in versions_of(article, language) if v.status == "superseded"]
    doomed = past[keep:]
    unindex_versions([v.id for v in doomed])
    for version in doomed:
        db.session.delete(version)
    db.session.flush()


def discard_draft(version: ArticleVersion, *, actor: User) -> None:
    """Throw away an open version; an article left with no version at all goes with it."""
    require_writer(actor)
    if not version.is_open:
        raise ValidationFailed("Only a draft or a version in review can be discarded.")
    article = version.article
    unindex_versions([version.id])
    db.session.delete(version)
    db.session.flush()
    if not db.session.scalar(sa.select(sa.func.count()).where(
            ArticleVersion.article_id == article.id)):
        db.session.delete(article)
        db.session.flush()


def restore_version(version: ArticleVersion, *, actor: User) -> ArticleVersion:
    """Start a new draft with an old version's text."""
    if open_version(version.article, version.language) is not None:
        raise ValidationFailed("Finish or discard the open draft before restoring a version.")
    return save_draft(version.article, actor=actor, language=version.language,
                      title=version.title, fields=version.fields or {},
                      change_note=f"Restored from version {version.number}")


def archive_article(article: Article, *, actor: User) -> Article:
    """Take the article out of every channel, search and suggestion; it can come back."""
    require_writer(actor)
    article.archived_at = utcnow()
    db.session.flush()
    return article


def unarchive_article(article: Article, *, actor: User) -> Article:
    require_writer(actor)
    article.archived_at = None
    db.session.flush()
    return article


def delete_article(article: Article, *, actor: User) -> None:
    """Delete an article with every version (admins only)."""
    if not actor.is_admin:
        raise AccessDenied("Only admins delete articles; archive it instead.")
    unindex_versions([v.id for v in article.versions])
    db.session.delete(article)
    db.session.flush()


def is_out_of_date(translation: ArticleVersion | None, master: ArticleVersion | None) -> bool:
    """A translation written from an older master version than the one now published."""
    if translation is None or master is None or translation.language == master.language:
        return False
    return (translation.based_on_number or 0) < master.number


def pick_language(article: Article, wanted: list[str], *, published: bool = True) -> str:
    """The first wanted language the article has a live version in, else its master."""
    stmt = sa.select(ArticleVersion.language).where(ArticleVersion.article_id == article.id)
    if published:
        stmt = stmt.where(ArticleVersion.status == "published")
    have = set(db.session.scalars(stmt))
    return next((code for code in wanted if code in have), article.master_language)


DIFF_KINDS = {"  ": "same", "- ": "removed", "+ ": "added"}


def diff_versions(old: ArticleVersion, new: ArticleVersion, article_type: ArticleType):
    """Per field (title first): its label and a readable line diff as (kind, text) rows,
    kind being "same", "added" or "removed"."""
    rows = [("Title", old.title or "", new.title or "")]
    rows += [(f.label, old.field_text(f.key), new.field_text(f.key)) for f in article_type.fields]
    result = []
    for label, before, after in rows:
        lines = []
        for line in difflib.ndiff(before.splitlines(), after.splitlines()):
            code, text = line[:2], line[2:]
            if code == "? ":
                continue
            lines.append((DIFF_KINDS[code], text))
        result.append({"label": label, "changed": before != after, "lines": lines})
    return result

