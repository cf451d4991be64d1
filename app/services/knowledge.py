"""Knowledge base rules: settings, who writes and approves, article types and
categories (which articles each channel shows is app.access.visible_articles)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from app.models.knowledge import (
    CHANNELS, FIELD_KINDS, LANGUAGES, Article, ArticleType, ArticleTypeField, ArticleVersion,
    Category, KnowledgeRole, KnowledgeSettings,
)
from app.services.errors import AccessDenied, ValidationFailed

DEFAULT_TYPES = [
    ("FAQ", "A question and its answer.",
     [("question", "Question", "text"), ("answer", "Answer", "markdown")]),
    ("How-To", "Steps to get something done.",
     [("summary", "Summary", "markdown"), ("steps", "Steps", "markdown")]),
    ("Troubleshooting", "A problem, why it happens and how to fix it.",
     [("symptoms", "Symptoms", "markdown"), ("cause", "Cause", "markdown"),
      ("resolution", "Resolution", "markdown")]),
]


def get_knowledge_settings() -> KnowledgeSettings:
    """The settings row, or its defaults while none is stored: reading never writes (pages
    that only read, loaded side by side, would race to create it)."""
    return db.session.get(KnowledgeSettings, 1) or KnowledgeSettings(
        id=1, approval_required=False, writers="all", languages="en,zh,el", keep_versions=0)


def stored_knowledge_settings() -> KnowledgeSettings:
    """The settings row, stored with its defaults if it was not yet: for changing them."""
    settings = get_knowledge_settings()
    if settings not in db.session:
        db.session.add(settings)
        db.session.flush()
    return settings


def update_knowledge_settings(*, actor: User, approval_required: bool, writers: str,
                              languages: list[str], keep_versions: int) -> KnowledgeSettings:
    """Change the knowledge base's options (admins only); English is always offered."""
    if not actor.is_admin:
        raise AccessDenied("Only admins change knowledge settings.")
    if writers not in ("all", "authors"):
        raise ValidationFailed("Choose who may write articles.", "writers")
    if keep_versions < 0:
        raise ValidationFailed("Keep zero (all) or more past versions.", "keep_versions")
    codes = ["en"] + [code for code in languages if code in LANGUAGES and code != "en"]
    settings = stored_knowledge_settings()
    settings.approval_required, settings.writers = approval_required, writers
    settings.languages, settings.keep_versions = ",".join(codes), keep_versions
    db.session.flush()
    return settings


def knowledge_role(user: User) -> KnowledgeRole | None:
    return db.session.get(KnowledgeRole, user.id) if user.id else None


def set_knowledge_role(user: User, *, is_author: bool, is_approver: bool) -> KnowledgeRole:
    """Mark a staff user as an author and/or approver."""
    role = knowledge_role(user) or KnowledgeRole(user_id=user.id)
    role.is_author, role.is_approver = is_author, is_approver
    db.session.add(role)
    db.session.flush()
    return role


def can_write(user: User) -> bool:
    """True when the user may create and edit articles under the current settings."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    if user.is_admin or get_knowledge_settings().writers == "all":
        return True
    role = knowledge_role(user)
    return bool(role and role.is_author)


def can_approve(user: User) -> bool:
    """Admins always approve; other staff when marked as approvers."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    if user.is_admin:
        return True
    role = knowledge_role(user)
    return bool(role and role.is_approver)


def require_writer(user: User) -> None:
    if not can_write(user):
        raise AccessDenied("Only knowledge authors may write articles.")


def reader_channel(user) -> str:
    """The channel a reader sees: staff internal, signed-in customers portal, else public."""
    if getattr(user, "is_authenticated", False):
        return "internal" if user.is_staff else "portal"
    return "public"


def live_versions() -> sa.ColumnElement[bool]:
    """SQL: a version readers see (published, of an article not archived)."""
    return ArticleVersion.status == "published"


def seed_article_types() -> list[ArticleType]:
    """Create the FAQ, How-To and Troubleshooting types unless they exist."""
    existing = {t.name for t in db.session.scalars(sa.select(ArticleType))}
    created = []
    for name, description, fields in DEFAULT_TYPES:
        if name in existing:
            continue
        article_type = ArticleType(name=name, description=description, fields=[
            ArticleTypeField(key=key, label=label, kind=kind, position=position)
            for position, (key, label, kind) in enumerate(fields)])
        db.session.add(article_type)
        created.append(article_type)
    stored_knowledge_settings()
    db.session.flush()
    return created


def field_key(label: str, taken: set[str]) -> str:
    """A stable key for a new field from its label (kept when the label changes)."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:30] or "field"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def save_article_type(article_type: ArticleType | None, *, name: str, description: str,
                      fields: list[dict]) -> ArticleType:
    """Create or change a type; `fields` are dicts of key (None for new), label and kind, in
    order. Removing a field that articles hold text in needs confirm_removal (see below)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the type a name.", "name")
    clash = db.session.scalar(sa.select(ArticleType.id).where(
        sa.func.lower(ArticleType.name) == name.lower()))
    if clash and (article_type is None or clash != article_type.id):
        raise ValidationFailed("Another type has that name.", "name")
    rows = [row for row in fields if (row.get("label") or "").strip()]
    if not rows:
        raise ValidationFailed("A type needs at least one field.", "fields")
    article_type = article_type or ArticleType()
    article_type.name, article_type.description = name, (description or "").strip()
    by_key = {field.key: field for field in article_type.fields}
    taken = set(by_key)
    kept = []
    for position, row in enumerate(rows):
        kind = row.get("kind") if row.get("kind") in FIELD_KINDS else "markdown"
        field = by_key.get(row.get("key") or "")
        if field is None:
            field = ArticleTypeField(key=field_key(row["label"], taken))
            taken.add(field.key)
        field.label, field.kind, field.position = row["label"].strip()[:80], kind, position
        kept.append(field)
    article_type.fields = kept
    db.session.add(article_type)
    db.session.flush()
    return article_type


def removed_fields_in_use(article_type: ArticleType, kept_keys: set[str]) -> dict[str, int]:
    """For each field the edit would drop: how many articles hold text in it (0s left out)."""
    dropped = {field.key: field.label for field in article_type.fields
               if field.key not in kept_keys}
    if not dropped:
        return {}
    counts: dict[str, set[int]] = {label: set() for label in dropped.values()}
    rows = db.session.execute(
        sa.select(ArticleVersion.article_id, ArticleVersion.fields)
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(Article.type_id == article_type.id))
    for article_id, values in rows:
        for key, label in dropped.items():
            if str((values or {}).get(key) or "").strip():
                counts[label].add(article_id)
    return {label: len(ids) for label, ids in counts.items() if ids}


def category_tree() -> list[tuple[Category, int]]:
    """Every category in tree order with its depth (one query)."""
    categories = list(db.session.scalars(sa.select(Category)
                                         .order_by(Category.position, Category.name)))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[tuple[Category, int]] = []

    def walk(parent_id, depth):
        for category in children.get(parent_id, []):
            ordered.append((category, depth))
            walk(category.id, depth + 1)

    walk(None, 0)
    return ordered


def category_path(category: Category) -> list[Category]:
    """The category and its ancestors, root first."""
    path, seen = [], set()
    while category is not None and category.id not in seen:
        seen.add(category.id)
        path.insert(0, category)
        category = category.parent
    return path


def save_category(category: Category | None, *, name: str, parent: Category | None) -> Category:
    """Create or rename/move a category; a category never moves under itself."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the category a name.", "name")
    if category is not None and parent is not None and category in category_path(parent):
        raise ValidationFailed("A category cannot move under itself.", "parent")
    category = category or Category()
    category.name, category.parent = name[:120], parent
    db.session.add(category)
    db.session.flush()
    return category


def delete_category(category: Category) -> None:
    """Delete a category and its sub-categories; their articles stay, uncategorised there."""
    db.session.delete(category)
    db.session.flush()

