"""Knowledge articles: types, categories, versions per language, and their use on cases."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.common import CreatedMixin, UTCDateTime, utcnow
from app.models.users import User

LANGUAGES = {"en": "English", "zh": "中文 (Chinese)", "el": "Ελληνικά (Greek)",
             "de": "Deutsch (German)", "fr": "Français (French)", "es": "Español (Spanish)"}
FIELD_KINDS = {"text": "Short text", "markdown": "Markdown"}
VERSION_STATUSES = ("draft", "in_review", "published", "superseded", "archived")
STATUS_LABELS = {"draft": "Draft", "in_review": "In review", "published": "Published",
                 "superseded": "Previous", "archived": "Archived"}
# The versions a reader or a search may see (one published and one open per language).
CURRENT_STATUSES = ("draft", "in_review", "published")
OPEN_STATUSES = ("draft", "in_review")
CHANNELS = ("internal", "portal", "public")

article_categories = sa.Table(
    "article_categories", db.Model.metadata,
    sa.Column("article_id", sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("knowledge_categories.id", ondelete="CASCADE"),
              primary_key=True, index=True),
)


class KnowledgeSettings(db.Model):
    """The knowledge base's options: one row (id 1)."""

    __tablename__ = "knowledge_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    approval_required: Mapped[bool] = mapped_column(default=False)
    # "all": every agent writes; "authors": only users marked as authors (and admins).
    writers: Mapped[str] = mapped_column(sa.String(10), default="all")
    languages: Mapped[str] = mapped_column(sa.String(200), default="en,zh,el")
    # 0 keeps every past version; N keeps the last N past versions per language.
    keep_versions: Mapped[int] = mapped_column(default=0)

    @property
    def language_codes(self) -> list[str]:
        codes = [code for code in (self.languages or "").split(",") if code in LANGUAGES]
        return ["en"] + [code for code in codes if code != "en"]


class KnowledgeRole(db.Model):
    """Whether a staff user writes and/or approves articles (admins always approve)."""

    __tablename__ = "knowledge_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    is_author: Mapped[bool] = mapped_column(default=False)
    is_approver: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class ArticleType(db.Model):
    """An admin-defined kind of article whose ordered fields lay out its form and page."""

    __tablename__ = "article_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.String(255), default="")

    fields: Mapped[list[ArticleTypeField]] = relationship(
        back_populates="article_type", order_by="ArticleTypeField.position",
        cascade="all, delete-orphan")


class ArticleTypeField(db.Model):
    __tablename__ = "article_type_fields"
    __table_args__ = (sa.UniqueConstraint("type_id", "key", name="uq_article_type_fields_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("article_types.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(10), default="markdown")
    position: Mapped[int] = mapped_column(default=0)

    article_type: Mapped[ArticleType] = relationship(back_populates="fields")


class Category(db.Model):
    """A node of the category tree (Products › Billing › Invoices)."""

    __tablename__ = "knowledge_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("knowledge_categories.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent",
                                                    order_by="Category.position, Category.name")


class Article(CreatedMixin, db.Model):
    """An article's stable identity: its slug, type, categories and channels."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("article_types.id"), index=True)
    master_language: Mapped[str] = mapped_column(sa.String(8), default="en")
    channel_internal: Mapped[bool] = mapped_column(default=True)
    channel_portal: Mapped[bool] = mapped_column(default=False)
    channel_public: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    source_case_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    view_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    unhelpful_count: Mapped[int] = mapped_column(default=0)
    attach_count: Mapped[int] = mapped_column(default=0)

    article_type: Mapped[ArticleType] = relationship()
    created_by: Mapped[User | None] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=article_categories,
                                                      order_by="Category.name")
    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", order_by="ArticleVersion.id", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def channels(self) -> list[str]:
        return [name for name in CHANNELS if getattr(self, f"channel_{name}")]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def in_channel(self, channel: str) -> bool:
        return not self.is_archived and getattr(self, f"channel_{channel}", False)


class ArticleSlug(db.Model):
    """A slug the article was known by: old links redirect to its current one."""

    __tablename__ = "article_slugs"

    slug: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)


class ArticleVote(db.Model):
    """A signed-in reader's one "helpful" or "not helpful" on an article (they may change it);
    Article.helpful_count and unhelpful_count add these up with anonymous readers' votes."""

    __tablename__ = "article_votes"
    __table_args__ = (sa.UniqueConstraint("article_id", "user_id",
                                          name="uq_article_votes_article_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         index=True)
    helpful: Mapped[bool]
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticleVersion(CreatedMixin, db.Model):
    """One version of an article in one language: its text, status and who did what."""

    __tablename__ = "article_versions"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "language", "number",
                            name="uq_article_versions_number"),
        sa.Index("ix_article_versions_status", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(255))
    fields: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(12), default="draft")
    change_note: Mapped[str] = mapped_column(sa.String(255), default="")
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    # The master version a translation was written from (out of date when the master moves on).
    based_on_number: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approver_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def field_text(self, key: str) -> str:
        return str((self.fields or {}).get(key) or "")

    @property
    def body_text(self) -> str:
        """Every field's text, one after the other: what search reads besides the title."""
        return "\n".join(str(value) for value in (self.fields or {}).values() if value)

    @property
    def search_text(self) -> str:
        """The title and every field's text."""
        return "\n".join(part for part in (self.title or "", self.body_text) if part)


class CaseArticle(db.Model):
    """An article attached to a case: which version, in which language, by whom."""

    __tablename__ = "case_articles"
    __table_args__ = (sa.UniqueConstraint("case_id", "article_id",
                                          name="uq_case_articles_case_article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"),
                                            index=True)
    version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("article_versions.id", ondelete="SET NULL"))
    version_number: Mapped[int] = mapped_column(default=1)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    attached_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    article: Mapped[Article] = relationship()
    version: Mapped[ArticleVersion | None] = relationship()
    attached_by: Mapped[User | None] = relationship()

    @property
    def title(self) -> str:
        return self.version.title if self.version else self.article.slug
