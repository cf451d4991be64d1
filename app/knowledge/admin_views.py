"""Admin pages of the knowledge base: settings and roles, article types, categories."""
import sqlalchemy as sa
from flask import flash, render_template, request, url_for
from flask_login import current_user

from app.extensions import db
from app.forms import show_refusal
from app.htmx import hx_redirect, render_page_or_fragment
from app.knowledge import bp
from app.knowledge.forms import (
    MAX_TYPE_FIELDS, ArticleTypeForm, CategoryForm, ConfirmForm, KnowledgeSettingsForm,
)
from app.knowledge.loading import category_or_404, require_admin_here, type_or_404
from app.models import User
from app.models.knowledge import ArticleType, KnowledgeRole
from app.services import knowledge as kb
from app.services.errors import ValidationFailed


@bp.before_request
def _admins_only_here():
    if request.endpoint in ADMIN_ENDPOINTS:
        require_admin_here()


ADMIN_ENDPOINTS = {"knowledge.settings", "knowledge.list_types", "knowledge.edit_type",
                   "knowledge.new_type", "knowledge.manage_categories",
                   "knowledge.edit_category", "knowledge.delete_category"}


def staff() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.active_staff())
                                   .order_by(sa.func.lower(User.name))))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Approval, writers, languages, kept versions, and who writes and approves."""
    current = kb.get_knowledge_settings()
    roles = {r.user_id: r for r in db.session.scalars(sa.select(KnowledgeRole))}
    people = staff()
    data = {"approval_required": current.approval_required, "writers": current.writers,
            "languages": current.language_codes,
            "keep": "last" if current.keep_versions else "all",
            "keep_versions": current.keep_versions or 10,
            "authors": [uid for uid, r in roles.items() if r.is_author],
            "approvers": [uid for uid, r in roles.items() if r.is_approver]}
    form = KnowledgeSettingsForm(data=data if request.method == "GET" else None)
    form.authors.choices = form.approvers.choices = [(u.id, u.name) for u in people]
    if form.validate_on_submit():
        try:
            kb.update_knowledge_settings(
                actor=current_user, approval_required=form.approval_required.data,
                writers=form.writers.data, languages=form.languages.data or [],
                keep_versions=(form.keep_versions.data or 0) if form.keep.data == "last" else 0)
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            for user in people:
                kb.set_knowledge_role(user, is_author=user.id in (form.authors.data or []),
                                      is_approver=user.id in (form.approvers.data or []))
            db.session.commit()
            flash("Knowledge settings saved.", "success")
            return hx_redirect(url_for("knowledge.settings"))
    return render_template("knowledge/settings.html", form=form, people=people), \
        422 if form.errors else 200


@bp.route("/types")
def list_types():
    types = list(db.session.scalars(sa.select(ArticleType).order_by(ArticleType.name)))
    return render_template("knowledge/types.html", types=types)


@bp.route("/types/new", methods=["GET", "POST"])
def new_type():
    return type_form(None)


@bp.route("/types/<int:type_id>", methods=["GET", "POST"])
def edit_type(type_id: int):
    return type_form(type_or_404(type_id))


def type_form(article_type: ArticleType | None):
    """The type's fields as rows; rows are added and removed by re-rendering the form. A
    field that articles hold text in is removed only once the admin confirms."""
    form = ArticleTypeForm(data=type_data(article_type) if request.method == "GET" else None)
    action = request.form.get("action", "save")
    warnings = {}
    if request.method == "POST" and action != "save":
        edit_rows(form, action)
    elif form.validate_on_submit():
        kept = {row["key"] for row in form.rows() if row["key"] and row["label"]}
        warnings = kb.removed_fields_in_use(article_type, kept) if article_type else {}
        if not warnings or form.confirm_removal.data == "yes":
            try:
                kb.save_article_type(article_type, name=form.name.data,
                                     description=form.description.data, fields=form.rows())
            except ValidationFailed as exc:
                show_refusal(form, exc)
            else:
                db.session.commit()
                flash("Article type saved.", "success")
                return hx_redirect(url_for("knowledge.list_types"))
    status = 422 if (form.errors or warnings) else 200
    return render_page_or_fragment("knowledge/type_form.html", "knowledge/_type_form.html",
                                   status=status, form=form, article_type=article_type,
                                   warnings=warnings, max_fields=MAX_TYPE_FIELDS)


def type_data(article_type: ArticleType | None) -> dict:
    if article_type is None:
        return {"fields": [{"key": "", "label": "", "kind": "markdown"}]}
    return {"name": article_type.name, "description": article_type.description,
            "fields": [{"key": f.key, "label": f.label, "kind": f.kind}
                       for f in article_type.fields]}


def edit_rows(form: ArticleTypeForm, action: str) -> None:
    """Add, remove or move a field row (no save)."""
    rows = [entry.data for entry in form.fields]
    kind, _, index = action.rpartition("-")
    index = int(index) if index.isdigit() else -1
    if action == "add-field" and len(rows) < MAX_TYPE_FIELDS:
        rows.append({"key": "", "label": "", "kind": "markdown"})
    elif kind == "remove" and 0 <= index < len(rows):
        rows.pop(index)
    elif kind == "up" and 0 < index < len(rows):
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    form.fields.entries, form.fields.last_index = [], -1
    for row in rows:
        form.fields.append_entry(row)


@bp.route("/categories", methods=["GET", "POST"])
def manage_categories():
    return category_form(None)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int):
    return category_form(category_or_404(category_id))


def category_form(category):
    tree = kb.category_tree()
    form = CategoryForm(data={"name": category.name, "parent": str(category.parent_id or "")}
                        if category is not None and request.method == "GET" else None)
    form.parent.choices = [("", "Top level")] + [
        (str(c.id), "\u2003" * depth + c.name) for c, depth in tree if c is not category]
    if form.validate_on_submit():
        parent = category_or_404(int(form.parent.data)) if form.parent.data else None
        try:
            kb.save_category(category, name=form.name.data, parent=parent)
        except ValidationFailed as exc:
            show_refusal(form, exc)
        else:
            db.session.commit()
            flash("Category saved.", "success")
            return hx_redirect(url_for("knowledge.manage_categories"))
    return render_template("knowledge/categories.html", form=form, tree=tree,
                           category=category, delete_form=ConfirmForm()), \
        422 if form.errors else 200


@bp.route("/categories/<int:category_id>/delete", methods=["GET", "POST"])
def delete_category(category_id: int):
    category = category_or_404(category_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        kb.delete_category(category)
        db.session.commit()
        flash("Category deleted.", "success")
        return hx_redirect(url_for("knowledge.manage_categories"))
    return render_template("knowledge/confirm.html", form=form, article=None,
                           title=f"Delete the category “{category.name}”?",
                           text="Its sub-categories go with it. Articles stay, "
                                "filed in their other categories.",
                           button="Delete category")
